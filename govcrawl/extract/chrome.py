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


def is_chrome_line(line: str) -> bool:
    """Is this line site chrome (and nothing else)?"""
    s = line.strip()
    if not s:
        return False
    if len(s) > _MAX_CHROME_LINE:
        return False
    if _is_bare_breadcrumb(s):
        return True
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
    """A short line with no prose (a brand name, a widget caption)."""
    s = line.strip()
    return (
        len(s) <= _SHORT_FILLER_MAX
        and not _SENTENCE_RE.search(s)
        and not _ORG_SUFFIX_RE.search(s)
        and not _REPORTISH_RE.search(s)
    )


def _edge_block(lines: list[str], indices: range) -> int | None:
    """The last index (in scan order) of a run of chrome and filler lines at an edge."""
    last_chrome: int | None = None
    for count, i in enumerate(indices):
        if count >= _EDGE_SCAN:
            break
        s = lines[i].strip()
        if not s:
            continue
        if is_chrome_line(s):
            last_chrome = i
        elif not _is_filler(s):
            break
    return last_chrome


def strip_chrome(text: str) -> str:
    """The text without its chrome lines."""
    lines = text.split("\n")
    keep = [not is_chrome_line(line) for line in lines]
    head_end = _edge_block(lines, range(len(lines)))
    if head_end is not None:
        for i in range(head_end + 1):
            keep[i] = False
    tail_start = _edge_block(lines, range(len(lines) - 1, -1, -1))
    if tail_start is not None:
        for i in range(tail_start, len(lines)):
            keep[i] = False
    return "\n".join(line for line, k in zip(lines, keep, strict=True) if k)
