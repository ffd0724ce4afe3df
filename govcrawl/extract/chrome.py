"""The site chrome of Chinese government portals, and the filter that removes it.

A line is chrome only when, once every chrome phrase in it is taken out
(``登录``, ``站点地图``, ``网站标识码：1507830002``, ``蒙ICP备2022001701号-1``,
``发布日期：2014-01-30 10:55``, ``[字体：大 中 小]``, ``打印``...), nothing is left
but separators, digits and punctuation.  A report sentence that mentions 网站
or 联系电话 always keeps some prose of its own, so it stays.  Phrases that are
ordinary words in a report (主办, 地址, 电话, 邮编) count only on a line that
already has a strong chrome phrase.

Besides, the short brand lines in a page header (``智慧昆都仑`` between
``登录`` and ``扫码访问``) go when they sit in a run of chrome at the very
start or end of the text.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CJK = "\u4e00-\u9fff"
_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_VAL = r"[^\s|｜]{0,40}"  # a field value: up to the next blank or bar

# Phrases that make a line chrome on their own (when nothing else is left).
_STRONG = [
    # header
    r"登\s*录",
    r"注\s*册",
    r"个人中心",
    r"退出",
    r"用户(?:登录|注册)",
    r"无障碍(?:浏览|阅读|模式)?",
    r"适老(?:化|版|模式)",
    r"长者(?:模式|版)",
    r"关怀(?:版|模式)",
    r"简体(?:中文|版)?",
    r"繁體(?:中文|版)?",
    r"繁体(?:中文|版)?",
    r"(?<![a-z])EN(?![a-z])",
    r"English",
    r"手机版",
    r"移动版",
    r"[简繁]",
    r"(?:请用)?手机(?:扫码|扫描)?(?:访问)?",
    r"(?:手机)?扫一扫(?:在手机)?(?:上)?打开(?:当前页|本页|此页)?",
    r"扫(?:码|一扫|描二维码)(?:访问|关注|分享)?",
    r"(?:二维码|微信|微博|头条号|抖音号?)(?:扫码|关注)?",
    r"政务(?:微博|微信|新媒体)",
    r"设为首页",
    r"加入收藏",
    r"收藏本站",
    r"(?:返回|回到)?首页",
    r"网站(?:导航|地图)",
    r"站点地图",
    r"联系我们",
    r"(?:高级)?搜\s*索",
    r"智能(?:问答|客服|机器人)",
    r"热点推荐",
    r"网站支持IPv6",
    r"IPv6",
    r"尾页",
    r"[上下]一页",
    r"末页",
    r"共\d+页",
    r"第\d+页",
    r"跳转(?:到)?",
    r"转到",
    # breadcrumbs
    r"^\s*(?:您|你)?(?:当前|现在)?(?:所在|的)?(?:的)?位置\s*[:：]?.*$",
    r"^\s*当前位置\s*[:：]?.*$",
    # a byline under the title: 本刊记者 侯逸宁 黄月
    r"^\s*(?:本刊|本报|本网)(?:特约|首席)?(?:记者|通讯员)(?:\s+[\u4e00-\u9fff·]{2,4})+\s*$",
    # article tools
    rf"发\s*布\s*(?:日\s*期|时\s*间)\s*[:：]?\s*(?:{_DATE})?",
    rf"(?:成文|生成|印发|公开|发文)日期\s*[:：]?\s*(?:{_DATE})?",
    rf"发布(?:单位|机构|部门|人)\s*[:：]\s*{_VAL}",
    rf"发文机关\s*[:：]\s*{_VAL}",
    rf"(?:信息|文章|稿件)?来\s*源\s*[:：]\s*{_VAL}",
    rf"作\s*者\s*[:：]\s*{_VAL}",
    rf"(?:责任)?编辑\s*[:：]\s*{_VAL}",
    rf"(?:记\s*者|通讯员|摄\s*影|摄|撰稿|供稿)\s*[:：]\s*{_VAL}",
    rf"审核\s*[:：]\s*{_VAL}",
    rf"校对\s*[:：]\s*{_VAL}",
    r"(?:点击量|点击数|点击率|浏览次数|浏览量|阅读次数|阅读量|访问量|访问次数)\s*[:：]?\s*\d*\s*次?",
    r"字\s*[号体]\s*[:：]?\s*(?:[\[【(（]?\s*[大中小]\s*[\]】)）]?\s*){0,3}",
    r"[\[【(（]?\s*[大中小]\s*[\]】)）]?(?=\s*[\[【(（]?\s*[大中小])",
    r"默认大小",
    r"打印(?:保存|本页|此页|文章|页面|正文)?",
    r"保存(?:本页|此页|文章)?",
    r"关闭(?:窗口|本页|页面)?",
    r"收藏(?:本页|文章)?",
    r"分享(?:到|至)?\s*[:：]?",
    r"纠错",
    r"我要纠错",
    r"返回(?:顶部|列表|上一页)?",
    r"(?:上|下)一(?:篇|条)\s*[:：]?.*$",
    r"没有了",
    r"相关(?:文章|链接|稿件|新闻|附件|信息)\s*[:：]?",
    r"TOP",
    r"(?i:top)",
    # information-disclosure header fields
    rf"(?:索引号|索取号)\s*[:：]?\s*{_VAL}",
    rf"(?:发文字号|文件编号|发文号|文\s*号)\s*[:：]\s*{_VAL}",
    rf"(?:主题分类|组配分类|体裁分类|信息分类|公开方式|公开范围|公开时限|公开形式|有效性|所属机构|所属主题|服务对象|主题词)\s*[:：]\s*{_VAL}",
    # footer
    r"网站标识码\s*[:：]?\s*[0-9A-Za-z]*",
    r"(?:网站)?备案(?:号|序号)?\s*[:：]?",
    rf"[{_CJK}]{{0,2}}\s*ICP\s*(?:备|证|証)?\s*[:：]?\s*\d*\s*号?(?:\s*-\s*\d+)?",
    rf"[{_CJK}]{{0,2}}\s*公网安备\s*[:：]?\s*\d*\s*号?",
    r"(?i:copyright)\b.*$",
    r"版权所有.*$",
    r"版权(?:与|和|及)?免责声明",
    r"©.*$",
    r"(?i:all\s+rights\s+reserved)",
    r"^\s*(?:名\s*称|标\s*题)\s*[:：].*$",
    r"^\s*主\s*办(?:单位)?\s*[:：].*$",
    r"^\s*承\s*办(?:单位)?\s*[:：].*$",
    r"^\s*技术支持\s*[:：].*$",
    r"^\s*(?:建议使用|推荐使用).*(?:浏览器|分辨率).*$",
    r"(?:监督|服务|咨询|举报|投诉|值班)?热线(?:电话)?\s*[:：]\s*[\d\-－—()（）\s]{5,}",
    r"网站纠错",
    r"隐私(?:声明|政策)",
    r"免责声明",
    r"网站声明",
    r"使用帮助",
    r"关于本站",
    r"意见建议",
    r"(?:政府|政务)?网站(?:工作)?年度报表",
]
# Words of a footer that are ordinary words in a report: chrome only beside a strong phrase.
_WEAK = [
    rf"主\s*办(?:单位)?\s*[:：]\s*{_VAL}",
    rf"承\s*办(?:单位)?\s*[:：]\s*{_VAL}",
    rf"协\s*办(?:单位)?\s*[:：]\s*{_VAL}",
    rf"技术支持\s*[:：]\s*{_VAL}",
    rf"(?:联系|通讯)?地\s*址\s*[:：]\s*{_VAL}",
    r"邮\s*编\s*[:：]?\s*\d{6}",
    r"(?:联系|办公|咨询)?电\s*话\s*[:：]?\s*[\d\-－—()（）\s]{5,}",
    r"传\s*真\s*[:：]?\s*[\d\-－—\s]{5,}",
    r"(?:电子)?邮\s*箱\s*[:：]?\s*\S+@\S+",
    r"(?i:e-?mail)\s*[:：]?\s*\S+@\S+",
    r"(?:www\.)?[a-z0-9.-]+\.gov\.cn\S*",
    r"https?://\S+",
]

_STRONG_RE = re.compile("|".join(f"(?:{p})" for p in _STRONG))
_WEAK_RE = re.compile("|".join(f"(?:{p})" for p in _WEAK))

# A quick test a line must pass to hold a strong phrase at all.  _STRONG_RE tries every
# phrase at every character of a line, because some phrases begin with an optional
# part, a class or a look-behind.  _STRONG_HINT_RE, whose every branch begins with a
# plain character, skips to the characters a branch can begin with: each phrase that
# does not begin with one is replaced by a pattern that matches wherever the phrase
# does (the phrase from its first required word on).  A phrase missing here stays as
# it is (the hint is slower, never wrong).  The Latin phrases (top, copyright, all
# rights reserved: re.I) are tested apart, where a t, c or a is.
_DISCLOSURE_FIELDS = (
    "主题分类", "组配分类", "体裁分类", "信息分类", "公开方式", "公开范围", "公开时限",
    "公开形式", "有效性", "所属机构", "所属主题", "服务对象", "主题词",
)  # fmt: skip
_STRONG_FROM_WORD: dict[str, str] = {
    r"(?<![a-z])EN(?![a-z])": r"EN(?![a-z])",
    r"[简繁]": r"简|繁",
    r"(?:请用)?手机(?:扫码|扫描)?(?:访问)?": r"手机",
    r"(?:手机)?扫一扫(?:在手机)?(?:上)?打开(?:当前页|本页|此页)?": r"扫一扫(?:在手机)?(?:上)?打开",
    r"(?:二维码|微信|微博|头条号|抖音号?)(?:扫码|关注)?": r"二维码|微信|微博|头条号|抖音",
    r"(?:返回|回到)?首页": r"首页",
    r"(?:高级)?搜\s*索": r"搜\s*索",
    r"[上下]一页": r"上一页|下一页",
    r"^\s*(?:您|你)?(?:当前|现在)?(?:所在|的)?(?:的)?位置\s*[:：]?.*$": r"位置",
    r"^\s*当前位置\s*[:：]?.*$": r"当前位置",
    r"^\s*(?:本刊|本报|本网)(?:特约|首席)?(?:记者|通讯员)(?:\s+[\u4e00-\u9fff·]{2,4})+\s*$": (
        r"本刊|本报|本网"
    ),
    rf"(?:成文|生成|印发|公开|发文)日期\s*[:：]?\s*(?:{_DATE})?": (
        r"成文日期|生成日期|印发日期|公开日期|发文日期"
    ),
    rf"(?:信息|文章|稿件)?来\s*源\s*[:：]\s*{_VAL}": r"来\s*源\s*[:：]",
    rf"(?:责任)?编辑\s*[:：]\s*{_VAL}": r"编辑\s*[:：]",
    rf"(?:记\s*者|通讯员|摄\s*影|摄|撰稿|供稿)\s*[:：]\s*{_VAL}": (
        r"记\s*者\s*[:：]|通讯员\s*[:：]|摄\s*影\s*[:：]|摄\s*[:：]|撰稿\s*[:：]|供稿\s*[:：]"
    ),
    r"(?:点击量|点击数|点击率|浏览次数|浏览量|阅读次数|阅读量|访问量|访问次数)\s*[:：]?\s*\d*\s*次?": (  # noqa: E501
        r"点击量|点击数|点击率|浏览次数|浏览量|阅读次数|阅读量|访问量|访问次数"
    ),
    r"[\[【(（]?\s*[大中小]\s*[\]】)）]?(?=\s*[\[【(（]?\s*[大中小])": "|".join(
        rf"{c}\s*[\]】)）]?(?=\s*[\[【(（]?\s*[大中小])" for c in "大中小"
    ),
    r"(?:上|下)一(?:篇|条)\s*[:：]?.*$": r"上一篇|上一条|下一篇|下一条",
    rf"(?:发文字号|文件编号|发文号|文\s*号)\s*[:：]\s*{_VAL}": (
        r"发文字号\s*[:：]|文件编号\s*[:：]|发文号\s*[:：]|文\s*号\s*[:：]"
    ),
    rf"(?:主题分类|组配分类|体裁分类|信息分类|公开方式|公开范围|公开时限|公开形式|有效性|所属机构|所属主题|服务对象|主题词)\s*[:：]\s*{_VAL}": "|".join(  # noqa: E501
        rf"{word}\s*[:：]"
        for word in _DISCLOSURE_FIELDS
    ),
    r"(?:网站)?备案(?:号|序号)?\s*[:：]?": r"备案",
    rf"[{_CJK}]{{0,2}}\s*ICP\s*(?:备|证|証)?\s*[:：]?\s*\d*\s*号?(?:\s*-\s*\d+)?": r"ICP",
    rf"[{_CJK}]{{0,2}}\s*公网安备\s*[:：]?\s*\d*\s*号?": r"公网安备",
    r"^\s*(?:名\s*称|标\s*题)\s*[:：].*$": r"名\s*称\s*[:：]|标\s*题\s*[:：]",
    r"^\s*主\s*办(?:单位)?\s*[:：].*$": r"主\s*办(?:单位)?\s*[:：]",
    r"^\s*承\s*办(?:单位)?\s*[:：].*$": r"承\s*办(?:单位)?\s*[:：]",
    r"^\s*技术支持\s*[:：].*$": r"技术支持\s*[:：]",
    r"^\s*(?:建议使用|推荐使用).*(?:浏览器|分辨率).*$": r"建议使用|推荐使用",
    r"(?:监督|服务|咨询|举报|投诉|值班)?热线(?:电话)?\s*[:：]\s*[\d\-－—()（）\s]{5,}": r"热线",
    r"(?:政府|政务)?网站(?:工作)?年度报表": r"网站(?:工作)?年度报表",
}
_LATIN_STRONG = (r"(?i:top)", r"(?i:copyright)\b.*$", r"(?i:all\s+rights\s+reserved)")
_LATIN_STRONG_RE = re.compile("|".join(f"(?:{p})" for p in _LATIN_STRONG))
# What (?i:t), (?i:c) and (?i:a) match (tests/test_extract_fast_paths.py checks Unicode).
_LATIN_START_RE = re.compile("[tTcCaA]")
# Branches side by side, not each in (?:…): a branch in a group is not a plain character.
_STRONG_HINT_RE = re.compile(
    "|".join(_STRONG_FROM_WORD.get(p, p) for p in _STRONG if p not in _LATIN_STRONG)
)


def _may_have_strong(s: str) -> bool:
    """False when the line holds no strong phrase (``_STRONG_RE`` finds nothing)."""
    if _STRONG_HINT_RE.search(s) is not None:
        return True
    return _LATIN_START_RE.search(s) is not None and _LATIN_STRONG_RE.search(s) is not None
# What may be left of a chrome line: separators, digits, punctuation, blanks.
_RESIDUE_RE = re.compile(
    r"[\s\d|/\\·•・.,，。、:：;；\-－—–_~()（）\[\]【】<>《》»«>›‹\"'“”‘’!！?？*#&+=^@]*"
)
_MAX_CHROME_LINE = 200
# A breadcrumb trail with no label: ``首页 > 政务公开 > 年报``.
_CRUMB_SEP_RE = re.compile(r"\s*(?:>|＞|»|›|→|/)\s*")
_SHORT_FILLER_MAX = 12
_SENTENCE_RE = re.compile(r"[。，；！？、,;]|\d")
_ORG_SUFFIX_RE = re.compile(
    r"(?:人民政府|政府|局|委员会|委|办公室|办公厅|厅|镇|乡|街道|办事处|中心)$"
)
_REPORTISH_RE = re.compile(r"报告|年报|公开|附件|附表")
_EDGE_SCAN = 25  # lines scanned for a header or footer block
_NUMBER_LINE_RE = re.compile(r"^\d[\d\s\-]{4,29}$")
# A breadcrumb broken over lines: its label, then items and separators one a line.
_CRUMB_LABEL_RE = re.compile(r"位置\s*[:：]?\s*(?:首页)?\s*(?:>|＞|»|›|→|->)?\s*$")
_CRUMB_SEP_START_RE = re.compile(r"^(?:->|>|＞|»|›|→)")
_CRUMB_ITEM_MAX = 20
_CRUMB_SEPARATORS = (">", "＞", "»", "›", "→")
# A byline line: only 来源 / 记者 / 作者 / 通讯员 / 编辑 fields, with a 来源.
_BYLINE_FIELD = (
    rf"(?:(?:信息|文章|稿件)?来\s*源|记\s*者|作\s*者|通讯员|(?:责任)?编辑|摄\s*影)\s*[:：]\s*{_VAL}"
)
_BYLINE_LINE_RE = re.compile(rf"(?=.*来\s*源)\s*{_BYLINE_FIELD}(?:\s+{_BYLINE_FIELD})*\s*")
_BYLINE_SOURCE_RE = re.compile(r"来\s*源\s*[:：]\s*([^\s|｜]+)")
# The heading of the site's copyright/disclaimer notice under every article:
# the notice below it (``1.凡本站及其子站注明“文章类型：原创”的所有作品…``) is footer too.
_DISCLAIMER_HEAD_RE = re.compile(
    r"^\s*[【\[]?(?:版权(?:与|和|及)?免责声明|免责声明|版权声明|网站声明)[】\]]?\s*[:：]?\s*$"
)
_DISCLAIMER_SCAN = 8


#: A site's chrome lines, and a report template's lines, repeat from page to page.
@lru_cache(maxsize=16384)
def is_chrome_line(line: str) -> bool:
    """Is this line site chrome (and nothing else)?"""
    s = line.strip()
    if not s:
        return False
    if len(s) > _MAX_CHROME_LINE:
        return False
    if _is_bare_breadcrumb(s):
        return True
    if not _may_have_strong(s):
        return False
    rest, strong = _STRONG_RE.subn("", s)
    if strong == 0:
        return False
    rest = _WEAK_RE.sub("", rest)
    return _RESIDUE_RE.fullmatch(rest) is not None


def _is_bare_breadcrumb(s: str) -> bool:
    parts = [p for p in _CRUMB_SEP_RE.split(s) if p]
    if len(parts) < 3 or parts[0] not in ("首页", "网站首页", "主页"):
        return False
    return all(len(p) <= 20 for p in parts[:-1])


def _is_filler(line: str) -> bool:
    """A short line with no prose (a brand name, a widget caption), or a bare
    number split from its label (``冀公网安备`` / ``13010402001602``)."""
    s = line.strip()
    if _NUMBER_LINE_RE.match(s):
        return True
    return (
        len(s) <= _SHORT_FILLER_MAX
        and not _SENTENCE_RE.search(s)
        and not _ORG_SUFFIX_RE.search(s)
        and not _REPORTISH_RE.search(s)
    )


def _is_body_byline(line: str, source: str | None) -> bool:
    """A reprint's own byline in the body (``来源：人民网 记者：木胜玉``): its 来源 is
    not the one of the page's info block, so it is not that info line."""
    if not source or _BYLINE_LINE_RE.fullmatch(line.strip()) is None:
        return False
    value = _BYLINE_SOURCE_RE.search(line)
    return value is not None and value.group(1) != source.strip()


def _is_chrome(line: str, source: str | None) -> bool:
    return is_chrome_line(line) and not _is_body_byline(line, source)


def _edge_block(lines: list[str], indices: range, source: str | None = None) -> int | None:
    """The last index (in scan order) of a run of chrome and filler lines at an edge."""
    last_chrome: int | None = None
    for count, i in enumerate(indices):
        if count >= _EDGE_SCAN:
            break
        s = lines[i].strip()
        if not s:
            continue
        if _is_chrome(s, source):
            last_chrome = i
        elif not _is_filler(s):
            break
    return last_chrome


def _drop_broken_breadcrumbs(lines: list[str], keep: list[bool]) -> None:
    """``您当前位置：`` / ``承德市`` / ``>`` / ``围场县`` / ``>中标公告``: the items after a
    breadcrumb label, as long as separators chain them together."""
    for i, line in enumerate(lines):
        if keep[i] or not _CRUMB_LABEL_RE.search(line):
            continue
        window = range(i + 1, min(len(lines), i + 1 + _EDGE_SCAN))
        following = [j for j in window if lines[j].strip()]
        after_separator = False
        for n, j in enumerate(following):
            item = lines[j].strip()
            starts = _CRUMB_SEP_START_RE.match(item) is not None
            next_starts = n + 1 < len(following) and (
                _CRUMB_SEP_START_RE.match(lines[following[n + 1]].strip()) is not None
            )
            if len(item) > _CRUMB_ITEM_MAX or not (starts or next_starts or after_separator):
                break
            keep[j] = False
            after_separator = item.endswith(_CRUMB_SEPARATORS)


def _disclaimer_start(lines: list[str]) -> int | None:
    """Where a disclaimer notice starts among the last few lines, if one does."""
    seen = 0
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].strip():
            continue
        if _DISCLAIMER_HEAD_RE.match(lines[i]):
            return i
        seen += 1
        if seen >= _DISCLAIMER_SCAN:
            break
    return None


def strip_chrome(text: str, source: str | None = None) -> str:
    """The text without its chrome lines.  ``source`` is the 来源 of the page's info
    block: a byline line naming another source is the body's own and stays."""
    lines = text.split("\n")
    keep = [not _is_chrome(line, source) for line in lines]
    head_end = _edge_block(lines, range(len(lines)), source)
    if head_end is not None:
        for i in range(head_end + 1):
            keep[i] = False
    tail_start = _edge_block(lines, range(len(lines) - 1, -1, -1), source)
    if tail_start is not None:
        for i in range(tail_start, len(lines)):
            keep[i] = False
    _drop_broken_breadcrumbs(lines, keep)
    notice = _disclaimer_start(lines)
    if notice is not None:
        for i in range(notice, len(lines)):
            keep[i] = False
    return "\n".join(line for line, k in zip(lines, keep, strict=True) if k)


# What may follow the title on its line: a date (``( 2024-05-11)``) or a footnote mark (``[1]``).
_AFTER_TITLE_RE = re.compile(
    rf"[(（\[【]?\s*{_DATE}\s*[)）\]】]?|[(（\[【]\s*\d{{1,2}}\s*[)）\]】]"
)
_LONE_DATE_RE = re.compile(rf"^[(（\[【]?\s*{_DATE}\s*[)）\]】]?$")
_TITLE_SCAN = 4  # a title may be broken over this many lines


def strip_title(text: str, title: str | None) -> str:
    """The text without the title repeated as its first line(s) (and a date alone
    under it): the title is the page's, not the text's."""
    wanted = "".join((title or "").split())  # no blanks (str.split's are \s)
    if len(wanted) < 4:
        return text
    lines = text.split("\n")
    seen = ""
    end: int | None = None
    used = 0
    for i, line in enumerate(lines):
        squashed = "".join(line.split())
        if not squashed:
            continue
        seen += squashed
        used += 1
        if seen == wanted or (
            seen.startswith(wanted) and _AFTER_TITLE_RE.fullmatch(seen[len(wanted) :])
        ):
            end = i
            break
        if used >= _TITLE_SCAN or not wanted.startswith(seen):
            break
    if end is None:
        return text
    rest = lines[end + 1 :]
    for i, line in enumerate(rest):
        if not line.strip():
            continue
        rest = rest[i + 1 :] if _LONE_DATE_RE.match(line.strip()) else rest[i:]
        break
    if not any(line.strip() for line in rest):
        return text  # the title is all there is: it stays (a near-empty page, not an empty one)
    return "\n".join(rest)
