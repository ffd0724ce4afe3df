"""What a crawler of government sites knows about their pages, one rule at a time:
hidden branches, the visible info block's date, the heading, listing pages."""

from __future__ import annotations

from datetime import date

from lxml.html import document_fromstring, fragment_fromstring

from govcrawl.extract import PageInput, extract_page
from govcrawl.extract.chrome import strip_chrome, strip_title
from govcrawl.extract.dom import drop_hidden
from govcrawl.extract.fields import (
    Signature,
    breadcrumb_last,
    choose_date,
    choose_title,
    find_signature,
    heading_text,
    is_home_url,
)
from govcrawl.extract.maintext import prepare_tables
from govcrawl.extract.tables import is_layout_table

PROSE = "<p>" + "全年主动公开政府信息一千二百条，依申请公开办理答复三十件。" * 4 + "</p>"


def page(body: str, head: str = "<title>t</title>") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


# --- hidden branches --------------------------------------------------------------------


def test_hidden_branches_go_but_tab_panes_stay() -> None:
    tree = document_fromstring(
        "<html><body>"
        "<div class='ng-hide'>重复视图</div><div hidden>隐藏属性</div>"
        "<div style='DISPLAY: none'>下拉菜单</div><div style='visibility:hidden'>不可见</div>"
        "<ul class='tab list'><li>当前栏目条目</li></ul>"
        "<ul class='tab list' style='display:none'><li>另一个标签页的条目</li></ul>"
        "<div class='TRS_Editor'>" + PROSE + "</div></body></html>"
    )
    drop_hidden(tree)
    text = tree.text_content()
    for gone in ("重复视图", "隐藏属性", "下拉菜单", "不可见"):
        assert gone not in text
    assert "另一个标签页的条目" in text  # a hidden tab pane beside a shown one is content
    assert "全年主动公开政府信息" in text


def test_a_hidden_wrapper_around_the_content_stays() -> None:
    body = (
        "<div style='display:none'><div class='TRS_Editor'>" + PROSE + "</div></div>"
        + "<p>侧栏链接文字很多很多很多很多很多很多很多很多</p>" * 30
    )  # fmt: skip
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=page(body)))
    assert e.text.startswith("全年主动公开政府信息")


# --- dates ------------------------------------------------------------------------------


def test_visible_date_beats_a_regenerated_pubdate() -> None:
    meta = {"PubDate": "2022-04-24 10:00:43", "Others": "页面生成时间 2022-04-24 10:00:43"}
    no_sig = Signature(None, None)
    assert choose_date(meta, {"发布日期": "2017-05-15 10:49"}, None, no_sig, "") == date(
        2017, 5, 15
    )
    # nothing visible: the earlier date beside the link on the column page
    assert choose_date(meta, {}, date(2017, 5, 14), no_sig, "") == date(2017, 5, 14)
    # a PubDate that is not the generation time stands
    assert choose_date({"PubDate": "2022-04-24"}, {}, date(2017, 5, 14), no_sig, "") == date(
        2022, 4, 24
    )
    first = {"FirstPubDate": "2007-08-20-23:59:59"}  # gov.cn firstpublishedtime
    assert choose_date(first, {}, None, Signature(None, date(2007, 6, 29)), "") == date(2007, 8, 20)


def test_generation_date_label_is_a_publication_date() -> None:
    body = (
        "<dl><dd><label>生成日期：</label><div>2023-05-11</div></dd></dl><div id='zoom'>"
        + PROSE + "</div>"
    )  # fmt: skip
    head = (
        "<title>t</title><meta name='PubDate' content='2023-08-16 10:33:59'>"
        "<meta name='others' content='页面生成时间 2023-08-16 10:33:59'>"
    )
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=page(body, head)))
    assert e.published_at == date(2023, 5, 11)


def test_a_listing_line_is_not_a_signature() -> None:
    assert find_signature("正文。\n广安观潮丨紧盯关键节点 2024-12-31 07:00").signed is None
    assert find_signature("扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告 2022-01-27") == (
        Signature(None, None)
    )
    assert find_signature("正文。\n扎兰屯市成吉思汗镇人民政府 2022年1月27日") == Signature(
        "扎兰屯市成吉思汗镇人民政府", date(2022, 1, 27)
    )
    assert find_signature("正文。\n清水县人民政府\n（２０２０年１月２０日）") == Signature(
        "清水县人民政府", date(2020, 1, 20)
    )


def test_an_empty_page_keeps_its_title_and_date() -> None:
    head = "<title>某某通知</title><meta name='PubDate' content='2020年08月02日'>"
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=page("<div></div>", head)))
    assert e.reject == "near_empty"
    assert (e.title, e.published_at) == ("某某通知", date(2020, 8, 2))


# --- titles -----------------------------------------------------------------------------


def test_heading_without_byline_or_date() -> None:
    tit = fragment_fromstring(
        "<div class='tit'><p>持续加固中央八项规定堤坝&nbsp;</p>"
        "<p>本刊记者&nbsp; 侯逸宁&nbsp; 黄月</p></div>"
    )
    assert heading_text(tit) == "持续加固中央八项规定堤坝"
    h2 = fragment_fromstring(
        "<h2 id='ivs_title'>关于开展主题宣传活动的通知 <small>( 2024-05-11)</small></h2>"
    )
    assert heading_text(h2) == "关于开展主题宣传活动的通知"


def test_article_title_with_a_document_number_the_heading_does_not_show() -> None:
    meta = {"ArticleTitle": "国家金融监督管理总局行政处罚信息公开表(金罚决字〔2024〕36号)"}
    assert choose_title(meta, "国家金融监督管理总局行政处罚信息公开表", None, None) == (
        "国家金融监督管理总局行政处罚信息公开表"
    )
    assert choose_title(meta, "国家金融监督管理总局", None, None) == meta["ArticleTitle"]


def test_front_page_and_breadcrumb_titles() -> None:
    assert is_home_url("http://www.yichun.gov.cn/") and is_home_url("http://a.gov.cn/index.html")
    assert not is_home_url("http://a.gov.cn/zfwj/jinqixxgk/")
    front = choose_title({}, "近期信息公开", "首页 | 中国宜春", None, "http://a.gov.cn/")
    assert front == "中国宜春"
    tree = document_fromstring(
        "<html><body><div class='crumb'><a href='/'>首页</a>&nbsp;&gt;&nbsp;搜索结果</div>"
        "</body></html>"
    )
    assert breadcrumb_last(tree) == "搜索结果"


# --- text -------------------------------------------------------------------------------


def test_title_repeated_as_first_lines_goes() -> None:
    title = "全国人大常委会关于批准调整2007年末国债余额限额的决议"
    text = "全国人大常委会\n关于批准调整2007\n年末国债余额限额的决议\n（2007年6月29日通过）\n正文。"
    assert strip_title(text, title) == "（2007年6月29日通过）\n正文。"
    assert strip_title(f"{title} ( 2024-05-11)\n正文。", title) == "正文。"
    assert strip_title(f"{title}[1]\n正文。", title) == "正文。"
    assert strip_title(f"{title}\n2021-10-11\n正文。", title) == "正文。"
    assert strip_title(title, title) == title  # all there is: it stays
    assert strip_title("正文。\n" + title, title) == "正文。\n" + title


def test_chrome_broken_over_lines() -> None:
    text = "您当前位置：\n承德市\n>\n围场县\n>\n采购公告\n>中标公告\n一、项目编号：\n正文。"
    assert strip_chrome(text) == "一、项目编号：\n正文。"
    footer = (
        "正文。\n技术支持:财政厅信息中心\n联系方式\n冀ICP备13016076号-2\n冀公网安备\n13010402001602"
    )
    assert strip_chrome(footer) == "正文。"
    notice = "正文。\n版权与免责声明\n1.凡本站注明“文章类型：原创”的所有作品，其版权属于本站。"
    assert strip_chrome(notice) == "正文。"
    assert strip_chrome("本刊记者 侯逸宁 黄月\n正文。") == "正文。"


def test_a_reprint_byline_in_the_body_stays() -> None:
    text = "来源：人民网 记者：木胜玉\n正文。"
    assert strip_chrome(text, source="宣教中心") == text  # not the page's info line
    assert strip_chrome(text, source="人民网") == "正文。"
    assert strip_chrome(text) == "正文。"


def test_repeated_section_headings_are_kept() -> None:
    body = (
        "<div class='TRS_Editor'><p><b>四、行政复议和诉讼情况</b></p>" + PROSE
        + "<p><b>四、行政复议和诉讼情况</b></p><table><tr><td>行政复议</td><td>0</td></tr>"
        "<tr><td>行政诉讼</td><td>0</td></tr></table></div>"
    )  # fmt: skip
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=page(body)))
    assert e.text.count("四、行政复议和诉讼情况") == 2
    assert "四、行政复议和诉讼情况\n行政复议 | 0" in e.text


def test_server_template_code_is_not_text() -> None:
    body = "<div id='zoom'>" + PROSE + "</div>"
    raw = b'<%-- Created by IntelliJ IDEA. --%>\n<%@ page contentType="text/html" %>' + page(body)
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=raw))
    assert "IntelliJ" not in e.text and "contentType" not in e.text


# --- tables -----------------------------------------------------------------------------


def test_word_table_with_paragraphs_in_cells_is_data() -> None:
    paragraphs = "".join(f"<p>{i}、对某公司警告并罚款{i}万元</p>" for i in range(1, 6))
    word = fragment_fromstring(
        f"<table class='MsoNormalTable'><tr><td>行政处罚决定</td><td>{paragraphs}</td></tr>"
        "<tr><td>作出处罚决定的日期</td><td>2024年7月8日</td></tr></table>"
    )
    assert not is_layout_table(word)


def test_a_listing_table_is_not_an_info_box() -> None:
    listing = document_fromstring(
        "<html><body><table><tr><th>名称</th><th>索引号</th><th>发布机构</th><th>发布日期</th></tr>"
        "<tr><td><a href='/t20200805_1.html'>邯郸市教育局关于印发考核办法的通知</a></td>"
        "<td>000014348/2020-35428</td><td>邯郸市教育局</td><td>2020-08-05</td></tr></table>"
        "</body></html>"
    )
    found, _ = prepare_tables(listing)
    assert len(found) == 1
    box = document_fromstring(
        "<html><body><table><tr><td>索引号</td><td>发布机构</td></tr>"
        "<tr><td>000014348/2020-35428</td><td>邯郸市教育局</td></tr></table></body></html>"
    )
    assert prepare_tables(box)[0] == []


# --- listing pages ----------------------------------------------------------------------

NAV = "".join(f"<li><a href='/col{i}/'>栏目{i}</a></li>" for i in range(12))
ENTRIES = "".join(
    f"<li><a href='/zwgk/2023{m:02d}/t2023{m:02d}01_{m}.html'>"
    f"宜春市人民政府关于第{m}批事项的通知</a><span>2023-{m:02d}-01</span></li>"
    for m in range(1, 9)
)
SERVICES = "".join(
    f"<li><a href='/fw/{i}/'>便民服务专区{i} 智慧便民更方便更贴心</a></li>" for i in range(4)
)


def test_a_column_page_is_its_entries() -> None:
    body = f"<ul class='nav'>{NAV}</ul><ul class='list'>{ENTRIES}</ul><ul>{SERVICES}</ul>"
    head = "<title>通知公告</title>"
    e = extract_page(PageInput(url="http://x.gov.cn/zwgk/", body=page(body, head)))
    lines = e.text.split("\n")
    assert lines[0] == "宜春市人民政府关于第1批事项的通知 2023-01-01"
    assert len(lines) == 8  # no menu, no service tiles
    assert e.published_at is None  # a listing has no publication date of its own
    assert e.flags == [] and not e.is_annual_report


def test_an_article_with_a_link_list_is_not_a_listing() -> None:
    body = (
        "<div class='main'>" + PROSE * 3 + "<p><a href='/f/P020220125.pdf'>附件：2021年年度报告"
        "</a></p></div>"
    )
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=page(body)))
    assert e.text.startswith("全年主动公开政府信息")
