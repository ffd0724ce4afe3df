"""The family replicas (Hanweb, script-rendered, GBK, attachments, walls, discovery) behave
like the portals they stand in for."""

from __future__ import annotations

import http.client
import io
import json
import re
import shutil
import subprocess
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import lxml.etree
import lxml.html
import pytest

from govcrawl.demo import PortalServer
from govcrawl.demo.families import hanweb_params
from govcrawl.demo.markup import Table, load
from govcrawl.demo.scripts import C3VK_VALUE, JSL_COOKIE, JSL_VALUE
from govcrawl.demo.sites import (
    ALL_SITES,
    CONTENT_TYPES,
    CRAWLABLE,
    FAMILY_SITES,
    REGION_ROWS,
    SITES,
    column_links,
    family_keys,
    site,
)
from govcrawl.regions import parse_regions

Response = tuple[int, dict[str, str], bytes]
CHROMIUM = "/usr/bin/chromium"
FAMILY_KEYS = [s.key for s in FAMILY_SITES]
ZJ_FORM = {
    "col": "1",
    "appid": "1",
    "webid": "3096",
    "path": "/",
    "columnid": "1229019",
    "sourceContentType": "1",
    "unitid": "5884",
    "webname": "浙江省人民政府",
    "permissiontype": "0",
}
DATAPROXY = "/module/web/jpage/dataproxy.jsp"


@pytest.fixture(scope="module")
def portals() -> Iterator[PortalServer]:
    with PortalServer() as server:
        yield server


def request(
    portals: PortalServer,
    site_key: str,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Response:
    host, port = portals.address(site_key)
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def get(portals: PortalServer, site_key: str, path: str, cookie: str | None = None) -> Response:
    return request(portals, site_key, path, headers={"Cookie": cookie} if cookie else None)


def post_form(portals: PortalServer, path: str, form: dict[str, str]) -> Response:
    from urllib.parse import urlencode

    return request(
        portals,
        "zhejiang",
        path,
        "POST",
        {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
        urlencode(form).encode(),
    )


def doc(body: bytes, encoding: str = "utf-8") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body.decode(encoding))


def datastore(body: bytes) -> tuple[int, int, list[str]]:
    root = lxml.etree.fromstring(body)
    records = [r.text or "" for r in root.iter("record")]
    return int(root.findtext("totalrecord")), int(root.findtext("totalpage")), records


# --- addresses, registry -----------------------------------------------------------------


def test_family_sites_follow_the_classic_ones(portals: PortalServer) -> None:
    assert [s.key for s in ALL_SITES[: len(SITES)]] == [s.key for s in SITES]
    hosts = [portals.address(key)[0] for key in FAMILY_KEYS]
    assert hosts == [f"127.0.0.{n}" for n in range(7, 7 + len(FAMILY_KEYS))]
    assert portals.site_keys == [s.key for s in ALL_SITES]
    for key in FAMILY_KEYS:
        assert portals.site_of(urlsplit(portals.base_url(key)).netloc) == key


def test_regions_by_family(portals: PortalServer) -> None:
    assert [r.slug for r in portals.regions()] == list(CRAWLABLE)  # unchanged default
    assert [r.slug for r in portals.regions(["hanweb", "wall"])] == ["zhejiang", "handan"]
    everything = portals.regions(["all"])
    assert [r.slug for r in everything] == [*CRAWLABLE, *FAMILY_KEYS]
    assert family_keys(["classic", "jilinshi"]) == (*CRAWLABLE, "jilinshi")
    with pytest.raises(KeyError):
        portals.regions(["nosuchfamily"])
    for region in everything[len(CRAWLABLE) :]:
        row = REGION_ROWS[region.slug]
        assert (region.code, region.name, region.level, region.parent) == (
            row.code,
            row.name,
            row.level,
            row.parent,
        )
        assert region.portal == portals.base_url(region.slug)
        assert region.hosts == (portals.address(region.slug)[0],)
        if row.column is None:
            assert region.report_columns == ()  # discovery only
        else:
            (column,) = region.report_columns
            assert column == portals.column_url(region.slug)
            assert urlsplit(column).path == urlsplit(row.column).path  # the real URL scheme
            assert get(portals, region.slug, urlsplit(column).path)[0] == 200
    for slug, field, value in (("yichun", "render", "browser"), ("handan", "walls", "browser")):
        region = next(r for r in everything if r.slug == slug)
        if hasattr(region, field):  # once the registry format has the field
            assert getattr(region, field) == value
    parsed = parse_regions(tomllib.loads(portals.regions_toml(["all"])), "demo.toml")
    assert [r.with_urls(r.portal or "", r.report_columns) for r in parsed] == [
        r.__class__(**{**r.__dict__, "source": "demo.toml"}) for r in everything
    ]


def test_family_links_are_declared_with_what_they_are() -> None:
    specials = set()
    for key in FAMILY_KEYS:
        links = column_links(key)
        reports = {lk.report_year for lk in links if lk.is_report and lk.special != "annex"}
        assert len(reports) >= 3, key
        specials |= {lk.special for lk in links}
        for lk in links:
            if lk.is_report:
                assert lk.report_year is not None and lk.jurisdiction is not None
                assert lk.published.year == lk.report_year + 1, lk
                assert lk.jurisdiction in {r.code for r in REGION_ROWS.values()}
    assert specials >= {
        "wall-412",
        "wall-521",
        "wall-cookie",
        "soft404",
        "charset-mismatch",
        "wrapper",
        "attachment",
        "annex",
        "scanned",
        "trap",
        "sitemap-only",
        "landing-only",
    }
    kinds = {lk.kind for lk in column_links(families=["all"])}
    assert kinds == {"html", "pdf", "doc", "docx", "xls", "xlsx"}
    assert {lk.site for lk in column_links()} == set(CRAWLABLE)  # the classic ones only
    assert column_links(families=["classic"]) == column_links()


def test_every_family_link_answers_as_declared(portals: PortalServer) -> None:
    for lk in column_links(families=[*FAMILY_KEYS]):
        status, headers, body = get(portals, lk.target_site, lk.path)
        assert status == lk.status, lk
        ctype = headers["content-type"]
        if lk.kind != "html":
            assert ctype == CONTENT_TYPES[lk.kind], lk
            continue
        assert ctype.startswith("text/html"), lk
        if status != 200 or lk.special in {"trap", "soft404", "wall-cookie"}:
            continue
        s = site(lk.target_site)
        if lk.path not in {a.path for a in s.articles}:
            continue  # a home, landing or column page
        page = doc(body, s.encoding)
        assert len(page.cssselect(s.container)) == 1, lk
        assert lk.title in page.findtext(".//title"), lk
        text = page.text_content()
        assert lk.published.isoformat() in text or f"{lk.published:%Y年%m月%d日}" in text, lk


def test_family_robots(portals: PortalServer) -> None:
    for key in FAMILY_KEYS:
        status, headers, body = get(portals, key, "/robots.txt")
        assert status == 200 and headers["content-type"].startswith("text/plain")
        assert body.decode().splitlines()[0] == "User-agent: *"


# --- Hanweb: records only through dataproxy.jsp POSTs -----------------------------------


def test_hanweb_column_has_no_records_but_the_jpage_call(portals: PortalServer) -> None:
    s = site("zhejiang")
    status, headers, body = get(portals, "zhejiang", "/col/col1229019/index.html")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    text = body.decode()
    assert "/art/" not in text
    assert "$('#5884').jpage({" in text
    assert "proxyUrl: '/module/web/jpage/dataproxy.jsp'" in text
    assert "unitid:'5884'" in text and "columnid:1229019" in text and "webid:3096" in text
    assert hanweb_params(s) in text
    assert '<div id="5884"></div>' in text
    assert "Produced By 大汉网络" in text
    for path in ("/module/jslib/jquery/jquery.js", "/module/jslib/jquery/jpage/jquery.page.min.js"):
        status, headers, _ = get(portals, "zhejiang", path)
        assert (status, headers["content-type"]) == (200, "application/javascript")
    # the pager's URLs (?uid=5884&pageNum=2) serve the same shell
    assert get(portals, "zhejiang", "/col/col1229019/index.html?uid=5884&pageNum=2")[2] == body


def test_dataproxy_answers_xml_slices(portals: PortalServer) -> None:
    links = column_links("zhejiang")
    first = f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15"
    status, headers, body = post_form(portals, first, ZJ_FORM)
    assert status == 200 and headers["content-type"].startswith("text/xml")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>')
    total, pages, records = datastore(body)
    assert (total, pages, len(records)) == (52, 4, 45)
    second = f"{DATAPROXY}?startrecord=46&endrecord=90&perpage=15"
    total, pages, tail = datastore(post_form(portals, second, ZJ_FORM)[2])
    assert (total, pages, len(tail)) == (52, 4, 7)
    hrefs = [lxml.html.fromstring(r).xpath("//a/@href")[0] for r in records + tail]
    assert hrefs == [lk.path for lk in links]
    assert [lk.page for lk in links] == [first] * 45 + [second] * 7
    item = lxml.html.fromstring(records[0])
    assert item.tag == "li" and item.xpath("//a/@target") == ["_blank"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.xpath("//span/text()")[0])
    titles = [lxml.html.fromstring(r).xpath("//a/@title")[0] for r in records]
    assert sum("年度报告" in t for t in titles) > sum(lk.is_report for lk in links[:45])
    assert sum(lk.is_report for lk in links) == 6
    assert {lk.jurisdiction for lk in links} == {"330000"}
    # a smaller window and the form fields in the query string work as well
    query = "&".join(f"{k}={v}" for k, v in ZJ_FORM.items() if k != "webname")
    _, _, records3 = datastore(
        request(
            portals,
            "zhejiang",
            f"{DATAPROXY}?startrecord=16&endrecord=30&perpage=15&{query}",
            "POST",
        )[2]
    )
    assert records3 == records[15:30]


def test_dataproxy_refuses_get_and_wrong_ids(portals: PortalServer) -> None:
    path = f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15"
    assert get(portals, "zhejiang", path)[0] == 405
    for wrong in ({"columnid": "1229020"}, {"unitid": "5885"}, {"columnid": ""}):
        total, _, records = datastore(post_form(portals, path, {**ZJ_FORM, **wrong})[2])
        assert (total, records) == (0, [])
    assert post_form(portals, "/col/col1229019/index.html", ZJ_FORM)[0] == 405


def test_post_is_in_the_request_log(portals: PortalServer) -> None:
    portals.clear_requests()
    path = f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15"
    post_form(portals, path, ZJ_FORM)
    get(portals, "zhejiang", path)
    assert portals.requests_for("zhejiang") == [
        ("zhejiang", "POST", path, 200),
        ("zhejiang", "GET", path, 405),
    ]
    assert portals.fetch_counts("POST") == {("zhejiang", path): 1}


def test_hanweb_article(portals: PortalServer) -> None:
    path = "/art/2023/1/18/art_1229019_60012345.html"
    status, _, body = get(portals, "zhejiang", path)
    assert status == 200
    page = doc(body)
    meta = {m.get("name"): m.get("content") for m in page.xpath("//meta[@name]")}
    assert meta["ArticleTitle"] == "浙江省人民政府2022年政府信息公开工作年度报告"
    assert meta["PubDate"] == "2023-01-18 16:20"
    assert meta["SiteName"] == "浙江省人民政府" and meta["ColumnName"] == "政府信息公开年报"
    assert {"Maketime", "contentSource", "url", "guid", "description"} <= set(meta)
    zoom = page.cssselect("#zoom")[0]
    assert "浙江省人民政府办公厅编制" in zoom.text_content()
    assert "发布日期：2023-01-18" in page.text_content()
    for chrome in ("网站标识码", "当前位置", "打印", "信息来源"):
        assert chrome not in zoom.text_content()


# --- script-rendered column (宜春) -------------------------------------------------------


def test_script_column_is_an_empty_shell(portals: PortalServer) -> None:
    status, _, body = get(portals, "yichun", "/ycsrmzf/zfxxgknb/index.html")
    assert status == 200
    text = body.decode()
    assert '<div id="app">加载中…</div>' in text
    assert 'fetch(api + "?columnId="' in text and '"/api/column/list"' in text
    assert re.search(r"/ycsrmzf/zfxxgknb/\d{6}/", text) is None  # no record link in the HTML
    links = column_links("yichun")
    one = json.loads(get(portals, "yichun", "/api/column/list?columnId=zfxxgknb&page=1")[2])
    two = json.loads(get(portals, "yichun", "/api/column/list?columnId=zfxxgknb&page=2")[2])
    assert (one["total"], one["pageSize"], len(one["list"]), len(two["list"])) == (13, 10, 10, 3)
    assert [i["url"] for i in one["list"] + two["list"]] == [lk.path for lk in links]
    assert [i["publishTime"] for i in one["list"]] == [
        lk.published.isoformat() for lk in links[:10]
    ]
    assert all(
        re.fullmatch(r"/ycsrmzf/zfxxgknb/\d{6}/[0-9a-f]{32}\.shtml", lk.path) for lk in links
    )
    status, headers, body = get(portals, "yichun", "/api/column/list?columnId=other&page=1")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"total": 0, "pageSize": 10, "page": 1, "list": []}
    assert (
        json.loads(get(portals, "yichun", "/api/column/list?columnId=zfxxgknb&page=3")[2])["list"]
        == []
    )


def test_ucap_detail(portals: PortalServer) -> None:
    lk = next(lk for lk in column_links("yichun") if lk.report_year == 2022)
    page = doc(get(portals, "yichun", lk.path)[2])
    assert page.cssselect("div.article-content#zoomcon ucapcontent")
    assert page.xpath("//meta[@name='SiteIDCode']/@content") == ["3609000002"]
    assert "manuscriptId" in lxml.html.tostring(page, encoding="unicode")
    assert page.findtext(".//h1/ucaptitle") == lk.title


# --- the GBK site (万载) --------------------------------------------------------------------


def test_gbk_pages_and_headers(portals: PortalServer) -> None:
    s = site("wanzai")
    for path in (*s.page_paths(), "/", *(a.path for a in s.articles)):
        status, headers, body = get(portals, "wanzai", path)
        assert status == 200
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gbk")
        assert '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in text
        mismatch = s.article("wz2").path == path
        assert headers["content-type"] == ("text/html; charset=utf-8" if mismatch else "text/html")
    assert [lk.special for lk in column_links("wanzai")].count("charset-mismatch") == 1
    report = s.article("wz0")
    body = get(portals, "wanzai", report.path)[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")  # 喆 is GBK, not GB2312: read GB2312 pages as GB18030
    page = doc(body, "gb18030")
    content = page.cssselect("td#UCAP-CONTENT")[0]
    assert content.get("class") == "b12c"
    assert "联系人：刘喆" in content.text_content()
    assert len(page.xpath("//table//table")) >= 1  # nested tables
    assert get(portals, "wanzai", "/nope.shtml")[0] == 404


def test_gbk_column_next_page(portals: PortalServer) -> None:
    column = portals.column_url("wanzai")
    page = doc(get(portals, "wanzai", urlsplit(column).path)[2], "gbk")
    nxt = [a.get("href") for a in page.xpath("//a") if a.text_content() == "下一页"]
    assert nxt == ["index_2.shtml"]
    status, _, body = get(portals, "wanzai", urlsplit(urljoin(column, nxt[0])).path)
    assert status == 200 and "下一页 " in body.decode("gbk")
    rows = doc(body, "gbk").cssselect("table.list_table tr")
    assert len(rows) == 2


# --- attachments (淮安, 洪泽) ------------------------------------------------------------


def test_wrapper_pages_only_link_the_report(portals: PortalServer) -> None:
    links = column_links("huaian")
    wrapper = next(lk for lk in links if lk.special == "wrapper" and lk.report_year == 2024)
    page = doc(get(portals, "huaian", wrapper.path)[2])
    editor = page.cssselect("div.TRS_Editor")[0]
    text = editor.text_content().strip()
    assert text.startswith("附件：") and len(text) < 60
    (a,) = editor.xpath(".//a")
    assert a.get("href") == "/uploadfiles/202502/szfgs2024.pdf"
    assert a.text_content() == "淮安市人民政府2024年政府信息公开工作年度报告.pdf"
    pdf = next(lk for lk in links if lk.page == wrapper.path)
    assert (pdf.kind, pdf.special, pdf.is_report, pdf.report_year) == (
        "pdf",
        "attachment",
        True,
        2024,
    )


@pytest.mark.parametrize(
    ("path", "ctype", "magic", "name"),
    [
        (
            "/uploadfiles/202502/szfgs2024.pdf",
            "application/pdf",
            b"%PDF-",
            "淮安市人民政府2024年政府信息公开工作年度报告.pdf",
        ),
        (
            "/uploadfiles/202402/szfgs2023.docx",
            CONTENT_TYPES["docx"],
            b"PK\x03\x04",
            "淮安市人民政府2023年政府信息公开工作年度报告.docx",
        ),
        (
            "/uploadfiles/202402/szfgs2023fb.xlsx",
            CONTENT_TYPES["xlsx"],
            b"PK\x03\x04",
            "淮安市人民政府2023年政府信息公开工作年度报告附表.xlsx",
        ),
        (
            "/uploadfiles/202301/szfgs2022tjb.xls",
            "application/vnd.ms-excel",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "淮安市人民政府2022年政府信息公开工作年度报告统计表.xls",
        ),
        (
            "/uploadfiles/202305/P020230522_ncgs2023.doc",
            "application/msword",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "南昌海关2023年度拟录用公务员公示公告.doc",
        ),
    ],
)
def test_attachments_are_served_with_their_types(
    portals: PortalServer, path: str, ctype: str, magic: bytes, name: str
) -> None:
    status, headers, body = get(portals, "huaian", path)
    assert status == 200 and headers["content-type"] == ctype
    assert body.startswith(magic) and int(headers["content-length"]) == len(body)
    disposition = headers["content-disposition"]
    match = re.fullmatch(r'attachment; filename="([^"]+)"; filename\*=UTF-8\'\'(\S+)', disposition)
    assert match is not None, disposition
    assert match.group(1) == path.rsplit("/", 1)[1]
    assert unquote(match.group(2)) == name
    assert "last-modified" in headers and "content-encoding" not in headers


def test_generated_office_files_hold_the_report(portals: PortalServer) -> None:
    body = get(portals, "huaian", "/uploadfiles/202402/szfgs2023.docx")[2]
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        xml = z.read("word/document.xml").decode()
        assert "[Content_Types].xml" in z.namelist()
    text = re.sub(r"<[^>]+>", "", xml)
    report = load("huaian-2023")
    for paragraph in report.paragraphs[:5]:
        assert paragraph in text
    assert xml.count("<w:tbl>") == len(report.tables) == 3
    assert 'w:vMerge w:val="restart"' in xml and "w:gridSpan" in xml
    body = get(portals, "huaian", "/uploadfiles/202402/szfgs2023fb.xlsx")[2]
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        sheet = lxml.etree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    ns = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    assert len(sheet.xpath("//x:mergeCell", namespaces=ns)) > 10
    assert "一、本年新收政府信息公开申请数量" in sheet.xpath("//x:t/text()", namespaces=ns)


def test_hongze_column_lists_pdfs(portals: PortalServer) -> None:
    s = site("hongze")
    page = doc(get(portals, "hongze", s.column_path)[2])
    hrefs = [a.get("href") for a in page.cssselect("ul.news-list li a")]
    assert hrefs == [
        "/hzqrmzf/zfxxgknb/2025nb.pdf",
        "/hzqrmzf/zfxxgknb/2024nb.pdf",
        "/hzqrmzf/zfxxgknb/2023nb.pdf",
    ]
    titles = [a.text_content() for a in page.cssselect("ul.news-list li a")]
    assert titles[1] == "洪泽区人民政府2023年政府信息公开工作年度报告"  # in 2024nb.pdf
    for lk in column_links("hongze"):
        status, headers, body = get(portals, "hongze", lk.path)
        assert (status, headers["content-type"]) == (200, "application/pdf")
        assert headers["content-disposition"] == f'inline; filename="{lk.path.rsplit("/", 1)[1]}"'
        assert body.startswith(b"%PDF-")
        if lk.special == "scanned":  # pages are JPEG images, no font, no text layer
            assert b"/DCTDecode" in body and b"/Font" not in body
            assert lk.report_year == 2022
        else:
            assert b"/Font" in body


# --- walls and soft 404s (邯郸) ----------------------------------------------------------


def _handan(special: str) -> str:
    return next(lk.path for lk in column_links("handan") if lk.special == special)


def test_column_and_home_have_no_wall(portals: PortalServer) -> None:
    for path in ("/", *site("handan").page_paths()):
        status, headers, body = get(portals, "handan", path)
        assert status == 200 and "set-cookie" not in headers
        assert b"<script>document.cookie" not in body


def test_ruishu_412_never_yields(portals: PortalServer) -> None:
    path = _handan("wall-412")
    for cookie in (None, f"{JSL_COOKIE}={JSL_VALUE}; C3VK={C3VK_VALUE}"):
        status, headers, body = get(portals, "handan", path, cookie)
        assert status == 412
        assert headers["content-type"] == "text/html" and "set-cookie" in headers
        assert b"$_ts=window['$_ts']" in body and b'r="m"' in body
        assert "邯郸".encode() not in body


def test_jiasule_521_yields_to_its_cookie(portals: PortalServer) -> None:
    path = _handan("wall-521")
    status, headers, body = get(portals, "handan", path)
    assert status == 521
    assert headers["set-cookie"].startswith("__jsluid_s=")
    text = body.decode()
    assert text.startswith("<script>document.cookie=") and len(text) < 400
    assert "location.href=location.pathname+location.search" in text
    assert "path=/" in text
    assert get(portals, "handan", path, f"{JSL_COOKIE}=1705901234.000|0|x")[0] == 521
    status, _, body = get(portals, "handan", path, f"__jsluid_s=abc; {JSL_COOKIE}={JSL_VALUE}")
    assert status == 200
    page = doc(body)
    assert page.findtext(".//title") == "邯郸市人民政府2022年政府信息公开工作年度报告"
    assert page.cssselect("div.TRS_Editor")


def test_cookie_redirect_yields_to_its_cookie(portals: PortalServer) -> None:
    path = _handan("wall-cookie")
    status, headers, body = get(portals, "handan", path)
    assert status == 200 and len(body) < 1000 and headers["content-type"] == "text/html"
    text = body.decode()
    assert f'cookie="C3VK={C3VK_VALUE}; path=/; max-age=300;"' in text
    assert f'window.location.replace("{path}")' in text
    status, _, body = get(portals, "handan", path, f"C3VK={C3VK_VALUE}")
    assert status == 200
    assert doc(body).findtext(".//title") == "邯郸市教育局2022年政府信息公开工作年度报告"


def test_soft_404s_answer_200(portals: PortalServer) -> None:
    soft = [lk for lk in column_links("handan") if lk.special == "soft404"]
    assert len(soft) == 2 and all(lk.is_report for lk in soft)
    words = []
    for lk in soft:
        status, headers, body = get(portals, "handan", lk.path)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        page = doc(body)
        assert not page.cssselect("div.TRS_Editor")
        assert "网站标识码" in page.text_content()  # a full site page
        words.append(page.findtext(".//h2"))
    assert words == ["页面不存在", "您访问的页面不存在"]


# --- discovery (吉林市): sitemap, landing page, traps ------------------------------------


def test_robots_and_sitemap(portals: PortalServer) -> None:
    base = portals.base_url("jilinshi")
    robots = get(portals, "jilinshi", "/robots.txt")[2].decode()
    assert f"Sitemap: {base}sitemap.xml" in robots.splitlines()
    parser = RobotFileParser()
    parser.parse(robots.splitlines())
    assert parser.can_fetch("govcrawl", f"{base}search/?q=%E5%B9%B4%E6%8A%A5&page=2")
    assert parser.can_fetch("govcrawl", f"{base}hdjl/rl/?month=2024-01")
    status, headers, body = get(portals, "jilinshi", "/sitemap.xml")
    assert status == 200 and headers["content-type"] == "application/xml"
    root = lxml.etree.fromstring(body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = root.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert all(loc.startswith(base) for loc in locs) and len(locs) >= 10
    assert len(root.xpath("//s:url/s:lastmod", namespaces=ns)) == len(locs)
    declared = [lk for lk in column_links("jilinshi") if lk.page == "/sitemap.xml"]
    assert [urlsplit(loc).path for loc in locs] == [lk.path for lk in declared]
    reports = [lk for lk in declared if lk.is_report]
    assert len(reports) >= 2
    only = next(lk for lk in declared if lk.special == "sitemap-only")
    elsewhere = {lk.path for lk in column_links("jilinshi") if lk.page != "/sitemap.xml"}
    assert only.is_report and only.path not in elsewhere
    assert get(portals, "jilinshi", only.path)[0] == 200


def test_landing_page_reached_from_home(portals: PortalServer) -> None:
    home = doc(get(portals, "jilinshi", "/")[2])
    assert "/zwgk/" in home.xpath("//a/@href")
    landing = doc(get(portals, "jilinshi", "/zwgk/")[2])
    hrefs = landing.xpath("//a/@href")
    assert "/zwgk/zfxxgknb/" in hrefs
    only = next(lk for lk in column_links("jilinshi") if lk.special == "landing-only")
    assert only.path in hrefs and only.is_report
    column = doc(get(portals, "jilinshi", "/zwgk/zfxxgknb/")[2])
    assert only.path not in column.xpath("//a/@href")
    assert get(portals, "jilinshi", "/zwgk/zfxxgknb/index.html")[0] == 200


def test_calendar_trap_never_ends(portals: PortalServer) -> None:
    path, seen = "/hdjl/rl/?month=2024-01", []
    for _ in range(30):
        status, _, body = get(portals, "jilinshi", path)
        assert status == 200
        page = doc(body)
        seen.append(page.xpath("//div[@class='calendar-title']/span/text()")[0])
        (nxt,) = [a.get("href") for a in page.xpath("//a") if "下月" in a.text_content()]
        path = "/hdjl/rl/" + nxt
    assert len(set(seen)) == 30 and seen[0] == "2024年1月" and seen[12] == "2025年1月"
    assert path == "/hdjl/rl/?month=2026-07"
    assert get(portals, "jilinshi", "/hdjl/rl/?month=9999-12")[0] == 200
    assert get(portals, "jilinshi", "/hdjl/rl/?month=bad")[0] == 404


def test_search_trap_never_ends(portals: PortalServer) -> None:
    for page in (1, 2, 500):
        status, _, body = get(portals, "jilinshi", f"/search/?q=%E5%B9%B4%E6%8A%A5&page={page}")
        assert status == 200
        html = doc(body)
        nxt = [a.get("href") for a in html.xpath("//a") if a.text_content() == "下一页"]
        assert nxt == [f"?q=%E5%B9%B4%E6%8A%A5&page={page + 1}"]
        assert len(html.cssselect("div.search-result li")) == 10


def test_a_budgeted_walk_of_the_portal_ends_with_traps_left(portals: PortalServer) -> None:
    """Breadth first over same-site links: the frontier never runs dry, a budget ends it."""
    base = portals.base_url("jilinshi")
    frontier, seen, fetched = ["/"], {"/"}, 0
    while frontier and fetched < 150:
        path = frontier.pop(0)
        status, headers, body = get(portals, "jilinshi", path)
        fetched += 1
        if status != 200 or not headers["content-type"].startswith("text/html"):
            continue
        for a in doc(body).xpath("//a/@href"):
            url = urljoin(base + path.lstrip("/"), a)
            parts = urlsplit(url)
            if parts.netloc != urlsplit(base).netloc:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert fetched == 150 and frontier  # ended by the budget, not by the site
    hidden = next(lk for lk in column_links("jilinshi") if lk.special == "sitemap-only")
    assert hidden.path not in seen  # only /sitemap.xml names it
    assert any(p.startswith("/hdjl/rl/") for p in frontier + list(seen))
    assert any(p.startswith("/search/") for p in seen)


# --- the bodies ----------------------------------------------------------------------------


def test_family_report_bodies_balance() -> None:
    names = {a.body for s in FAMILY_SITES for a in s.articles if a.body}
    assert len(names) == 24  # (huaian-2023 is the DOCX)
    for name in names:
        d = load(name)
        assert d.paragraphs, name
        for block in d.blocks:
            if isinstance(block, Table):
                from tests.test_demo_portals import _width

                assert len(set(_width(block))) == 1, name
        for grid in d.tables:
            rows = {row[0] if len(row) == 8 else row[-8]: row[-7:] for row in grid if len(row) >= 8}
            if "一、本年新收政府信息公开申请数量" not in rows:
                continue
            new, carried = (
                rows["一、本年新收政府信息公开申请数量"],
                rows["二、上年结转政府信息公开申请数量"],
            )
            total, out = rows["（七）总计"], rows["四、结转下年度继续办理"]
            for a, b, c, e in zip(new, carried, total, out, strict=True):
                assert int(a) + int(b) == int(c) + int(e), name


# --- in a real browser ------------------------------------------------------------------


def chromium_dom(url: str) -> str:
    """``chromium --headless --dump-dom`` with a fresh profile (scripts, XHR and cookies run)."""
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), "Chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="govcrawl-chromium-") as profile:
        out = subprocess.run(
            [
                CHROMIUM if Path(CHROMIUM).exists() else "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",  # let XHR/fetch and reloads finish
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_chromium_renders_columns_and_passes_the_walls(portals: PortalServer) -> None:
    # the script-rendered column: the JSON list becomes links
    dom = lxml.html.fromstring(chromium_dom(portals.column_url("yichun")))
    rendered = dom.cssselect("#app ul.xxgk-list li a")
    assert [a.get("href") for a in rendered] == [lk.path for lk in column_links("yichun")[:10]]
    reports = [a.text_content() for a in rendered if "年度报告" in a.text_content()]
    assert "宜春市人民政府2023年政府信息公开工作年度报告" in reports and len(reports) == 5
    assert "index.html?page=2" in dom.xpath("//div[@class='xxgk-page']//a/@href")
    # the Hanweb column: jpage POSTs dataproxy.jsp and writes the first 15 records
    portals.clear_requests()
    dom = lxml.html.fromstring(chromium_dom(portals.column_url("zhejiang")))
    hrefs = dom.xpath("//div[@id='5884']//ul[@class='lm-list']/li/a/@href")
    assert hrefs == [lk.path for lk in column_links("zhejiang")[:15]]
    posts = [r for r in portals.requests_for("zhejiang") if r.method == "POST"]
    assert [(r.path, r.status) for r in posts] == [
        (f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15", 200)
    ]
    # 加速乐: the 521 script sets the cookie and reloads into the real report
    portals.clear_requests()
    path = _handan("wall-521")
    dom = lxml.html.fromstring(chromium_dom(portals.url("handan", path)))
    assert dom.findtext(".//title") == "邯郸市人民政府2022年政府信息公开工作年度报告"
    assert "邯郸市人民政府办公室编制" in dom.cssselect("div.TRS_Editor")[0].text_content()
    statuses = [r.status for r in portals.requests_for("handan") if r.path == path]
    assert statuses == [521, 200]
    # the C3VK cookie-and-redirect page
    dom = lxml.html.fromstring(chromium_dom(portals.url("handan", _handan("wall-cookie"))))
    assert dom.findtext(".//title") == "邯郸市教育局2022年政府信息公开工作年度报告"
