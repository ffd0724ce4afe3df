from __future__ import annotations

import hashlib
import html
import re
from datetime import date
from pathlib import Path

import pytest

from govcrawl.extract import Extraction, PageInput, extract_page
from govcrawl.extract.chrome import is_chrome_line

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
REALPAGES = Path(__file__).parent / "fixtures" / "realpages"  # copies of shared/realpages
SAMPLES = FIXTURES / "samples"

CHROME_WORDS = (
    "网站标识码", "ICP备", "公网安备", "版权所有", "Copyright", "当前位置", "所在的位置",
    "站点地图", "联系我们", "点击量", "浏览次数", "关闭窗口", "上一篇", "下一篇", "分享到",
    "无障碍", "适老版", "扫码",
)  # fmt: skip


def extract(name: str, url: str = "http://www.example.gov.cn/a.html", **kw: object) -> Extraction:
    return extract_page(PageInput(url=url, body=(FIXTURES / name).read_bytes(), **kw))  # type: ignore[arg-type]


def assert_no_chrome(text: str) -> None:
    lines = [line for line in text.split("\n") if line.strip()]
    assert [line for line in lines if is_chrome_line(line)] == []
    assert [word for word in CHROME_WORDS if word in text] == []


def wrap_sample(text: str, title: str) -> bytes:
    """A sample text as a TRS article page: one <p> per line."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.split("\n"))
    return (
        f"<html><head><meta charset='utf-8'><title>{html.escape(title)}_扎兰屯市人民政府</title>"
        f"</head><body><div class='TRS_Editor'>{paragraphs}</div></body></html>"
    ).encode()


# --- a TRS report page with every kind of chrome ------------------------------------------


@pytest.fixture(scope="module")
def trs() -> Extraction:
    return extract(
        "trs_report.html", url="http://www.zhalantun.gov.cn/zwgk/nb/202201/t20220128_123.html"
    )


def test_trs_metadata(trs: Extraction) -> None:
    assert trs.reject is None
    assert trs.title == "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
    assert trs.published_at == date(2022, 1, 28)
    assert trs.report_year == 2021
    assert trs.agency == "扎兰屯市成吉思汗镇人民政府"
    assert trs.is_annual_report is True
    assert trs.flags == []
    assert trs.encoding == "utf-8"
    assert trs.kind == "html"


def test_trs_meta_tags_and_info_block(trs: Extraction) -> None:
    assert trs.meta["SiteName"] == "扎兰屯市人民政府"
    assert trs.meta["SiteIDCode"] == "1507830002"
    assert trs.meta["ColumnName"] == "政府信息公开年报"
    assert trs.meta["PubDate"] == "2022-01-28 10:55"  # name="pubdate": case-insensitive
    assert trs.meta["ContentSource"] == "扎兰屯市成吉思汗镇人民政府"  # name="CONTENTSOURCE"
    assert trs.meta["Keywords"] == "政府信息公开,年度报告"
    assert trs.meta["ArticleTitle"] == "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
    assert trs.meta["发布日期"] == "2022-01-28 10:55"
    assert trs.meta["发布机构"] == "成吉思汗镇人民政府"
    assert trs.meta["来源"] == "扎兰屯市政府网"
    assert trs.meta["点击量"] == "1234"
    assert trs.meta["索引号"] == "11152103MB1234567X/2022-00012"
    assert trs.meta["文号"] == "成政发〔2022〕3号"


def test_trs_text_keeps_the_report_and_drops_the_chrome(trs: Extraction) -> None:
    lines = trs.text.split("\n")
    assert lines[0].startswith("根据《中华人民共和国政府信息公开条例》")
    assert lines[-2:] == ["扎兰屯市成吉思汗镇人民政府", "2022年1月27日"]
    # prose that mentions 网站, 门户网站 and 联系电话 stays
    assert "本报告电子版可在扎兰屯市人民政府门户网站（www.zhalantun.gov.cn）查阅。" in trs.text
    assert "（联系电话：0470-3616204）" in trs.text
    assert "下一步，我镇将加强政府门户网站栏目维护。" in trs.text
    assert_no_chrome(trs.text)
    assert "索引号" not in trs.text and "发布机构" not in trs.text


def test_trs_table_expands_rowspan_and_colspan(trs: Extraction) -> None:
    assert trs.tables == [
        [
            ["本列数据的勾稽关系", "本列数据的勾稽关系", "申请人情况", "申请人情况", "申请人情况"],
            ["本列数据的勾稽关系", "本列数据的勾稽关系", "自然人", "法人或其他组织", "总计"],
            ["一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量", "2", "1", "3"],
            ["三、本年度办理结果", "（一）予以公开", "1", "1", "2"],
            ["三、本年度办理结果", "（二）部分公开", "1", "0", "1"],
        ]
    ]
    # in the text, in its place, as cell | cell lines: each cell once, where it starts
    block = (
        "二、收到和处理政府信息公开申请情况\n"
        "本列数据的勾稽关系 | 申请人情况\n"
        "自然人 | 法人或其他组织 | 总计\n"
        "一、本年新收政府信息公开申请数量 | 2 | 1 | 3\n"
        "三、本年度办理结果 | （一）予以公开 | 1 | 1 | 2\n"
        "（二）部分公开 | 1 | 0 | 1\n"
        "三、存在的主要问题及改进情况"
    )
    assert block in trs.text


def test_content_hash_is_sha256_of_text_without_whitespace(trs: Extraction) -> None:
    stripped = re.sub(r"\s+", "", trs.text)
    assert trs.content_hash == hashlib.sha256(stripped.encode("utf-8")).hexdigest()


def test_spider_container_is_used() -> None:
    e = extract("trs_report.html", container="div.TRS_Editor")
    assert e.text.split("\n")[0].startswith("根据《中华人民共和国政府信息公开条例》")
    assert e.title == "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"


def test_bad_container_selector_falls_back() -> None:
    e = extract("trs_report.html", container="div[[[")
    assert e.reject is None
    assert "编制本报告" in e.text


# --- a generic page: no meta tags, no known container ---------------------------------------


def test_generic_page() -> None:
    e = extract("generic_report.html", url="http://www.gzqz.gov.cn/xxgk/nb/201402/t20140210_1.html")
    assert e.reject is None
    assert e.title == "清镇市2013年政府信息公开年度报告"  # <title> without 清镇市人民政府
    assert e.published_at == date(2014, 2, 10)  # 发布时间：2014年2月10日
    assert e.report_year == 2013
    assert e.agency == "清镇市人民政府办公室"  # the signature (来源 names a website)
    assert e.is_annual_report is True
    assert e.text.split("\n")[0].startswith("本年报根据《中华人民共和国政府信息公开条例》编制。")
    assert e.text.split("\n")[-2:] == ["清镇市人民政府办公室", "2014年1月20日"]
    assert "请与清镇市政府办公室信息科联系（联系电话：0851-82522222）。" in e.text
    assert_no_chrome(e.text)
    assert "技术支持" not in e.text and "设为首页" not in e.text


def test_listing_title_and_date_are_fallbacks() -> None:
    page = (
        "<html><body><div id='zoom'>"
        + "<p>2020年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，"
        "主动公开政府信息120条。</p>"
        * 4
        + "<p>依申请公开情况：全年未收到政府信息公开申请。行政复议和行政诉讼均为0件。</p>"
        + "</div></body></html>"
    )
    e = extract_page(
        PageInput(
            url="http://www.example.gov.cn/a.html",
            body=page.encode(),
            listing_title="XX县卫生和计划生育局2020年政府信息公开工作年度报告",
            listing_date=date(2021, 1, 25),
        )
    )
    assert e.title == "XX县卫生和计划生育局2020年政府信息公开工作年度报告"
    assert e.published_at == date(2021, 1, 25)
    assert e.report_year == 2020
    assert e.is_annual_report is True


# --- encodings ---------------------------------------------------------------------------


GBK_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>清水县2019年政府信息公开工作年度报告_清水县人民政府</title></head><body>"
    '<div class="TRS_Editor">'
    "<p>2019年，我县在县委、县政府的正确领导下，认真贯彻落实《中华人民共和国政府信息公开条例》。"
    "县长王镕主持召开政务公开专题会议，副县长张堃、李喆参加会议。</p>"
    "<p>一、主动公开政府信息情况。全年主动公开政府信息1200条。</p>"
    "<p>二、依申请公开情况。全年收到政府信息公开申请3件，均已按时答复。</p>"
    "<p>清水县人民政府</p><p>2020年1月20日</p>"
    "</div></body></html>"
)


@pytest.mark.parametrize(
    "content_type", ["text/html; charset=utf-8", "text/html; charset=iso-8859-1", "text/html", None]
)
def test_gbk_page_with_charset_only_in_meta(content_type: str | None) -> None:
    body = GBK_PAGE.encode("gbk")  # 镕 堃 喆 are GBK, not GB2312
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=body, content_type=content_type))
    assert e.encoding == "gb18030"
    assert e.title == "清水县2019年政府信息公开工作年度报告"
    assert "县长王镕主持召开政务公开专题会议，副县长张堃、李喆参加会议。" in e.text
    assert "\ufffd" not in e.text
    assert e.published_at == date(2020, 1, 20)  # the signature date: nothing else says
    assert e.report_year == 2019
    assert e.agency == "清水县人民政府"


def test_utf8_page_mislabelled_gbk_reads_as_utf8() -> None:
    body = GBK_PAGE.replace("gb2312", "gbk").encode("utf-8")
    e = extract_page(
        PageInput(url="http://x.gov.cn/a.html", body=body, content_type="text/html; charset=GBK")
    )
    assert e.encoding == "utf-8"
    assert "县长王镕主持召开政务公开专题会议" in e.text


# --- pages that are not content ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("70_nmpa_ruishu6_412_challenge.html", 412),
        ("71_zxgk_court_ruishu5_412_challenge.html", 412),
        ("72_mps_jiasule_challenge_script.html", 200),
        ("73_ruishu_412_ip_host.html", 412),
        ("74_ccdi_c3vk_cookie_challenge.html", 200),
        ("70_nmpa_ruishu6_412_challenge.html", None),
        ("74_ccdi_c3vk_cookie_challenge.html", None),
    ],
)
def test_challenge_pages_are_rejected(name: str, status: int | None) -> None:
    e = extract_page(
        PageInput(
            url="https://www.nmpa.gov.cn/",
            body=(REALPAGES / name).read_bytes(),
            status=status,
            listing_title="2021年政府信息公开工作年度报告",
        )
    )
    assert e.reject == "challenge"
    assert e.is_annual_report is False
    assert e.text == ""
    assert e.tables == []


@pytest.mark.parametrize(
    "body",
    [
        "<html><head><title>404 页面不存在</title></head><body>"
        "<p>抱歉，您访问的页面不存在或已被删除！</p>"
        "<a href='/'>返回首页</a></body></html>",
        "<html><head><title>提示信息</title></head><body><div class='err'><h2>404</h2>"
        "<p>您访问的页面找不到了</p><p>5秒后自动返回首页</p></div></body></html>",
    ],
)
def test_soft404_pages_are_rejected(body: str) -> None:
    e = extract_page(
        PageInput(
            url="http://x.gov.cn/a.html", body=body.encode(), listing_title="2021年政府信息公开年报"
        )
    )
    assert e.reject == "soft404"
    assert e.is_annual_report is False


def test_empty_page_is_rejected() -> None:
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=b"<html><body>  </body></html>"))
    assert e.reject == "near_empty"
    assert e.is_annual_report is False
    assert extract_page(PageInput(url="http://x.gov.cn/a.html", body=b"")).reject == "near_empty"


def test_short_page_is_flagged_near_empty() -> None:
    body = (
        "<html><body><div id='zoom'><p>附件：2021年政府信息公开工作年度报告（PDF）</p>"
        "</div></body></html>"
    )
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=body.encode()))
    assert e.reject is None
    assert "near_empty" in e.flags


# --- real article pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "published", "agency", "site_id"),
    [
        ("11_shanxi_gov_trs_article.html", "山西品牌丝路行（南美站）正式启动",
         date(2019, 9, 18), None, "1400000045"),
        # 生成日期 2023-05-11 in the 信息公开 table; PubDate 2023-08-16 is the page-generation time
        ("21_wanzai_2022_tjgb_article.html", "万载县2022年国民经济和社会发展统计公报",
         date(2023, 5, 11), "万载县统计局", "3609220011"),
        ("41_clone_djjiangsu_gov_cn_article.html",
         "“奋进新征程——庆祝中华人民共和国成立75周年江苏省美术书法展”开幕", date(2024, 10, 14),
         "省文化和旅游厅办公室", "3200000084"),
        ("43_clone_lgcwsjkw_sh_gov_cn_article.html",
         "关于开展2024年“世界家庭医生日”主题宣传活动的通知",
         date(2024, 5, 11), "上海市卫生健康委员会", "3100000010"),
        ("47_clone_mltjyt_zj_gov_cn_article.html", "全省教育系统师德师风建设专题培训班举办",
         date(2024, 10, 21), "省教育厅", "3300000022"),
        ("63_ccdi_article_t20230103_239381.html",
         "深入学习贯彻党的二十大精神 推进新时代新征程纪检监察工作高质量发展（四） "
         "锲而不舍落实中央八项规定精神",
         date(2023, 1, 3), None, "CA330000000604648580001"),
    ],
)  # fmt: skip
def test_real_article_pages(
    name: str, title: str, published: date, agency: str | None, site_id: str
) -> None:
    e = extract(f"../realpages/{name}")
    assert e.reject is None
    assert e.title == title
    assert e.published_at == published
    assert e.agency == agency
    assert e.meta["SiteIDCode"] == site_id
    assert e.is_annual_report is False  # news, notices and statistics bulletins are not reports
    assert e.report_year is None
    assert len(e.text) > 300
    assert_no_chrome(e.text)


def test_real_notice_keeps_its_signature() -> None:
    e = extract("../realpages/43_clone_lgcwsjkw_sh_gov_cn_article.html")
    assert e.text.split("\n")[-2:] == ["上海市卫生健康委员会", "2024年5月10日"]
    assert "索取号" not in e.text  # the info table is metadata, not text
    assert e.tables == []


# --- quality flags on the samples -----------------------------------------------------------------


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def test_zhalantun_spam_injection_is_flagged() -> None:
    body = wrap_sample(
        sample("zhalantun-chengjisihan-2021-report.txt"), "成吉思汗镇2021年政府信息公开工作年度报告"
    )
    e = extract_page(PageInput(url="http://www.zhalantun.gov.cn/a.html", body=body))
    assert "spam_injection" in e.flags
    assert e.is_annual_report is True  # still the report: flagged, not dropped
    assert e.report_year == 2021
    assert e.published_at == date(2022, 1, 27)
    assert e.agency == "扎兰屯市成吉思汗镇人民政府"
    assert e.text.split("\n")[-2:] == ["扎兰屯市成吉思汗镇人民政府", "2022年1月27日"]
    assert_no_chrome(e.text)


@pytest.mark.parametrize(
    "injected",
    ["澳门葡京娱乐城-真人百家乐官网", "bet365体育投注_皇冠体育平台", "新葡京娱乐场|线上博彩开户"],
)
def test_other_injected_strings_are_flagged(injected: str) -> None:
    text = sample("kundulun-2013-report.txt").replace("关于", injected)
    body = wrap_sample(text, "昆都仑区人民政府2013年度政府信息公开年度报告")
    assert (
        "spam_injection" in extract_page(PageInput(url="http://x.gov.cn/a.html", body=body)).flags
    )


@pytest.mark.parametrize(
    "name", ["gzqz-2013-report.txt", "kundulun-2013-report.txt", "wulajie-2012-report.txt"]
)
def test_clean_samples_are_not_flagged(name: str) -> None:
    text = sample(name) + "\n全年销售体育彩票2.3亿元，接待港澳台及澳门同胞来访3批次。"
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=wrap_sample(text, "年度报告")))
    assert e.flags == []


def test_content_farm_is_flagged_and_not_a_report() -> None:
    body = wrap_sample(
        sample("not-a-report-content-farm.txt"), "政府信息公开年度工作计划范文(18篇)"
    )
    e = extract_page(PageInput(url="https://www.example.com/fanwen/123.html", body=body))
    assert "placeholder_text" in e.flags
    assert e.is_annual_report is False
    assert e.title == "政府信息公开年度工作计划范文(18篇)"


@pytest.mark.parametrize(
    "name",
    ["gzqz-2013-report.txt", "kundulun-2013-report.txt", "wulajie-2012-report.txt",
     "zhalantun-chengjisihan-2021-report.txt", "not-a-report-content-farm.txt"],
)  # fmt: skip
def test_extraction_never_loses_a_report_sentence(name: str) -> None:
    """Every line of a sample that ends a sentence survives extraction."""
    text = sample(name)
    e = extract_page(PageInput(url="http://x.gov.cn/a.html", body=wrap_sample(text, "报告")))
    out = re.sub(r"\s+", "", e.text)
    sentences = [line for line in text.split("\n") if re.search(r"[。；]\s*$", line)]
    assert sentences
    assert [s for s in sentences if re.sub(r"\s+", "", s) not in out] == []
