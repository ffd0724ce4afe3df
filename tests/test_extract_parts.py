"""The extractor's parts one at a time: decode, meta, tables, flags."""

from __future__ import annotations

import pytest
from lxml.html import document_fromstring, fragment_fromstring

from govcrawl.extract.decode import decode_body, header_charset, meta_charset
from govcrawl.extract.flags import has_placeholders, has_spam_injection, is_challenge, is_soft404
from govcrawl.extract.meta import clean_title, read_info_fields, read_meta_tags
from govcrawl.extract.tables import is_layout_table, parse_table, render_table

TEXT = "政府信息公开工作年度报告：全年主动公开政府信息1200条，镕堃喆。"


# --- decode ----------------------------------------------------------------


def page(charset_meta: str | None, text: str = TEXT) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">'
    return f"<html><head>{meta if charset_meta else ''}</head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("header", "meta", "encode_as", "expected"),
    [
        ("text/html; charset=utf-8", "utf-8", "utf-8", "utf-8"),
        ("text/html; charset=gbk", "gbk", "gbk", "gb18030"),
        ("text/html; charset=GB2312", None, "gbk", "gb18030"),  # GB2312 label, GBK characters
        ("text/html; charset=utf-8", "gbk", "gbk", "gb18030"),  # wrong header, meta right
        (None, "gb2312", "gbk", "gb18030"),
        ("text/html; charset=gbk", "gbk", "utf-8", "utf-8"),  # labelled GBK, really UTF-8
        (None, None, "gb18030", "gb18030"),  # no label at all: detected
        (None, None, "utf-8", "utf-8"),
        ("text/html; charset=big5", None, "big5", "big5"),
    ],
)
def test_decode(header: str | None, meta: str | None, encode_as: str, expected: str) -> None:
    text = TEXT if encode_as != "big5" else "政府資訊公開年度報告"
    body = page(meta, text).encode(encode_as)
    decoded, used = decode_body(body, header)
    assert used == expected
    assert text in decoded


def test_decode_truncated_utf8_stays_utf8() -> None:
    body = page("utf-8").encode("utf-8") + "年".encode()[:2]
    decoded, used = decode_body(body, "text/html; charset=utf-8")
    assert used == "utf-8"
    assert TEXT in decoded


def test_charset_labels() -> None:
    assert header_charset("text/html;charset=GBK") == "gb18030"
    assert header_charset('text/html; charset="utf-8"') == "utf-8"
    assert header_charset("text/html") is None
    assert header_charset("text/html; charset=nonsense-x") is None
    assert meta_charset(b'<meta charset="gb2312">') == "gb18030"
    assert (
        meta_charset(b"<meta http-equiv=Content-Type content='text/html;charset=GBK'>") == "gb18030"
    )


# --- meta ------------------------------------------------------------------


def test_meta_tags_case_insensitive_and_unescaped() -> None:
    tree = document_fromstring(
        "<html><head>"
        '<meta name="articletitle" content="&lt;p&gt;&lt;span style=&quot;x&quot;&gt;'
        '第一行&lt;/span&gt;&lt;/p&gt;&lt;p&gt;第二行&lt;/p&gt;">'
        '<meta NAME="PubDate" content="2023-01-03  06:01 ">'
        '<meta name="ContentSource" content="">'
        '<meta name="siteidcode" content="1507830002">'
        "</head><body></body></html>"
    )  # fmt: skip
    meta = read_meta_tags(tree)
    assert meta == {
        "ArticleTitle": "第一行 第二行",
        "PubDate": "2023-01-03 06:01",
        "SiteIDCode": "1507830002",
    }


@pytest.mark.parametrize(
    ("raw", "site", "expected"),
    [
        ("清镇市2013年政府信息公开年度报告_清镇市人民政府", None,
         "清镇市2013年政府信息公开年度报告"),
        ("山西品牌丝路行（南美站）正式启动 - 山西省人民政府门户网站", None,
         "山西品牌丝路行（南美站）正式启动"),
        ("万载县人民政府 | 万载县2015年国民经济和社会发展统计公报", None,
         "万载县2015年国民经济和社会发展统计公报"),
        ("宜春市2022年统计公报 _ 中国宜春", None, "宜春市2022年统计公报"),
        ("全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议"
         "__2007年第23号国务院公报_中国政府网", None,
         "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议"),
        ("辽宁省运动会开幕-辽阳网站欢迎您!", None, "辽宁省运动会开幕"),
        ("工作动态_重庆市文化和旅游发展委员会", "重庆市文化和旅游发展委员会", "工作动态"),
        ("1-10月德清县固定资产投资结构趋稳趋优", None, "1-10月德清县固定资产投资结构趋稳趋优"),
        ("", None, None),
    ],
)  # fmt: skip
def test_clean_title(raw: str, site: str | None, expected: str | None) -> None:
    assert clean_title(raw, site) == expected


def test_info_fields() -> None:
    text = (
        "首页\n发布日期：\n2014-01-30 10:55\n"
        "发布单位：昆区政府管理员  来源：昆区政府网  点击量：19578"
        "\n索 引 号：000014348/2020-35147\n文号：清府办发〔2013〕118号\n资金来源：市财政"
    )
    assert read_info_fields(text) == {
        "发布日期": "2014-01-30 10:55",
        "发布机构": "昆区政府管理员",
        "来源": "昆区政府网",
        "点击量": "19578",
        "索引号": "000014348/2020-35147",
        "文号": "清府办发〔2013〕118号",
    }


def test_info_date_before_source() -> None:
    assert read_info_fields("2022-05-07 00:00　来源：河北省文化和旅游厅机关党委") == {
        "来源": "河北省文化和旅游厅机关党委",
        "发布日期": "2022-05-07 00:00",
    }


# --- tables ----------------------------------------------------------------


def table(markup: str) -> object:
    return fragment_fromstring(markup)


def test_table_spans_expanded() -> None:
    t = fragment_fromstring(
        "<table>"
        "<tr><th rowspan='3'>A</th><th colspan='2'>B</th><th>C</th></tr>"
        "<tr><td>b1</td><td rowspan='2'>b2</td><td>c1</td></tr>"
        "<tr><td>b3</td><td>c2</td></tr>"
        "<tr><td colspan='4'>合计</td></tr>"
        "</table>"
    )
    rows = parse_table(t)
    assert rows == [
        ["A", "B", "B", "C"],
        ["A", "b1", "b2", "c1"],
        ["A", "b3", "b2", "c2"],
        ["合计", "合计", "合计", "合计"],
    ]
    assert render_table(rows).split("\n")[1] == "A | b1 | b2 | c1"


def test_table_rowspan_past_last_row_and_bad_spans() -> None:
    t = fragment_fromstring(
        "<table><tbody><thead><tr><td rowspan='9'>x</td><td colspan='abc'>y</td></tr></thead>"
        "<tr><td> z\n w </td></tr></tbody></table>"
    )
    assert parse_table(t) == [["x", "y"], ["x", "z w"]]


def test_layout_tables() -> None:
    nested = fragment_fromstring(
        "<table><tr><td><table><tr><td>a</td><td>b</td></tr></table></td></tr></table>"
    )
    one_column = fragment_fromstring("<table><tr><td>正文</td></tr><tr><td>更多</td></tr></table>")
    prose = fragment_fromstring(
        "<table><tr><td>" + "<p>段落。</p>" * 5 + "</td><td>x</td></tr></table>"
    )
    data = fragment_fromstring(
        "<table><tr><td>指标</td><td>数量</td></tr><tr><td>申请</td><td>0</td></tr></table>"
    )
    assert is_layout_table(nested)
    assert is_layout_table(one_column)
    assert is_layout_table(prose)
    assert not is_layout_table(data)


# --- flags -----------------------------------------------------------------


def test_spam_needs_a_repeated_gambling_token() -> None:
    prose = "我镇认真落实政务公开工作的决策部署。" * 20
    assert not has_spam_injection(prose)
    once = prose + "接待澳门同胞，销售体育彩票。"
    assert not has_spam_injection(once)
    spliced = prose.replace("的决策", "2024欧洲杯下注平台_澳门现金网-官网决策")
    assert has_spam_injection(spliced)
    in_title = has_spam_injection(prose, title="太阳城娱乐城-百家乐官网_政府信息公开年报")
    assert not in_title  # one mention in the title alone is not an injection pattern
    many = prose + "百家乐、老虎机、博彩、时时彩"
    assert has_spam_injection(many)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("现将我局20xx年度政府信息公开工作报告如下", True),
        ("XX年政府信息公开工作要点", True),
        ("成立了xxxxx政府信息公开工作领导小组", True),
        ("申请人××提出申请", True),
        ("2021年度政府信息公开工作报告，公开信息1200条", False),
        ("Excel表格导出功能xx", False),
    ],
)
def test_placeholders(text: str, expected: bool) -> None:
    assert has_placeholders(text) is expected


def test_challenge_detection() -> None:
    ruishu = (
        "<html><head><meta content='abc' r='m'>"
        "<script r='m'>$_ts=window['$_ts'];</script></head></html>"
    )
    assert is_challenge(ruishu, "")
    jsl = "<script>document.cookie=('__jsl_clearance_s=1')</script>"
    assert is_challenge(jsl, "")
    cookie_only = "<script>document.cookie='C3VK=e9cf61; path=/';window.open('/x','_self')</script>"
    assert is_challenge(cookie_only, "")
    assert is_challenge("<html><script src='a.js'></script></html>", "", status=412)
    article = "<html><script>document.cookie='a=1'</script><p>" + "正文" * 100 + "</p></html>"
    assert not is_challenge(article, "正文" * 100)


def test_soft404_detection() -> None:
    assert is_soft404("404 Not Found", "")
    assert is_soft404(None, "抱歉，您访问的页面不存在！")
    assert is_soft404("年度报告", "正文", status=404)
    assert not is_soft404("国办发〔2020〕404号", "正文" * 400)
    assert not is_soft404("年度报告", "全年共收到申请404件。" + "正文" * 400)
