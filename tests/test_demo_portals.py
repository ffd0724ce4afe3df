"""The local portal replicas behave like the real portals they stand in for."""

from __future__ import annotations

import gzip
import http.client
import re
import threading
import tomllib
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from govcrawl.demo import CRAWLABLE, SITES, PortalServer, column_links, site
from govcrawl.demo.markup import Table, load, parse
from govcrawl.regions import builtin_registry, parse_regions

Response = tuple[int, dict[str, str], bytes]


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
) -> Response:
    host, port = portals.address(site_key)
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def get(portals: PortalServer, site_key: str, path: str) -> Response:
    return request(portals, site_key, path)


def doc(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body.decode("utf-8"))


# --- addresses, headers, registry ---------------------------------------------------


def test_each_site_on_its_own_loopback_address(portals: PortalServer) -> None:
    hosts = {portals.address(s.key)[0] for s in SITES}
    assert len(hosts) == len(SITES)
    assert all(h.startswith("127.") and h != "127.0.0.1" for h in hosts)
    for s in SITES:
        base = portals.base_url(s.key)
        assert re.fullmatch(r"http://127\.0\.0\.\d+:\d+/", base)
        assert portals.site_of(urlsplit(base).netloc) == s.key


@pytest.mark.parametrize("site_key", [s.key for s in SITES])
def test_html_headers_like_nginx(portals: PortalServer, site_key: str) -> None:
    status, headers, body = get(portals, site_key, site(site_key).column_path)
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["server"] == "nginx"
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', headers["etag"])
    assert headers["last-modified"].endswith("GMT")
    assert int(headers["content-length"]) == len(body)
    body.decode("utf-8")


def test_regions_point_at_the_replicas(portals: PortalServer) -> None:
    regions = portals.regions()
    shipped = builtin_registry()
    assert [r.slug for r in regions] == list(CRAWLABLE)
    for region in regions:
        original = shipped.get(region.slug)
        assert (region.code, region.name, region.level, region.parent, region.cms) == (
            original.code,
            original.name,
            original.level,
            original.parent,
            original.cms,
        )
        assert region.portal == portals.base_url(region.slug)
        assert region.hosts == (portals.address(region.slug)[0],)
        for column in region.report_columns:
            assert get(portals, region.slug, urlsplit(column).path)[0] == 200
    parsed = parse_regions(tomllib.loads(portals.regions_toml()), "demo.toml")
    assert [r.with_urls(r.portal or "", r.report_columns) for r in parsed] == [
        r.__class__(**{**r.__dict__, "source": "demo.toml"}) for r in regions
    ]


def test_robots_txt_per_site(portals: PortalServer) -> None:
    for s in SITES:
        status, headers, body = get(portals, s.key, "/robots.txt")
        assert status == 200
        assert headers["content-type"].startswith("text/plain")
        assert body.decode().splitlines()[:2] == ["User-agent: *", "Disallow: /search/"]


# --- column pages ------------------------------------------------------------------


@pytest.mark.parametrize(("site_key", "pages"), [("zhalantun", 3), ("kundulun", 2)])
def test_trs_column_paginates_only_by_script(
    portals: PortalServer, site_key: str, pages: int
) -> None:
    s = site(site_key)
    directory = s.column_path.rsplit("/", 1)[0]
    for index in range(pages):
        path = s.column_path if index == 0 else f"{directory}/index_{index}.html"
        status, _, body = get(portals, site_key, path)
        assert status == 200
        text = body.decode()
        assert f'createPageHTML({pages}, {index}, "index", "html");' in text
        assert "function createPageHTML(" in text
        anchors = doc(body).xpath("//a")
        assert not [a for a in anchors if re.search(r"index_\d+\.html", a.get("href") or "")]
        pager_words = {"下一页", "尾页", "上一页"}
        assert not [a for a in anchors if a.text_content().strip() in pager_words]
    assert get(portals, site_key, f"{directory}/index_{pages}.html")[0] == 404


def test_trs_list_items_truncate_text_but_keep_full_title(portals: PortalServer) -> None:
    _, _, body = get(portals, "zhalantun", "/zwgk/zfxxgknb/index.html")
    items = doc(body).cssselect("ul.list li")
    assert len(items) == 4
    a = items[3].cssselect("a")[0]
    assert a.get("href") == "./202201/t20220127_3381234.html"
    assert a.get("title") == "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
    assert a.text_content().endswith("…") and a.text_content() != a.get("title")
    assert items[3].cssselect("span")[0].text_content() == "2022-01-27"


def test_generic_columns_have_next_page_links(portals: PortalServer) -> None:
    q = site("qingzhen")
    _, _, body = get(portals, "qingzhen", q.column_path)
    links = {a.text_content().strip(): a.get("href") for a in doc(body).cssselect(".pagination a")}
    assert links["下一页"] == "index_2.html" and links["尾页"] == "index_3.html"
    assert links["2"] == "index_2.html" and links["3"] == "index_3.html"
    _, _, body = get(portals, "qingzhen", "/zfxxgk/zfxxgknb/index_3.html")
    assert "下一页" not in {a.text_content() for a in doc(body).cssselect(".pagination a")}

    column = portals.column_url("longtan")
    assert column.endswith("/zwgk/zfxxgknb/")
    _, _, body = get(portals, "longtan", "/zwgk/zfxxgknb/")
    nxt = [a.get("href") for a in doc(body).xpath("//a") if a.text_content() == "下一页"]
    assert nxt == ["?page=2"]
    status, _, body2 = get(portals, "longtan", urlsplit(urljoin(column, nxt[0])).path + "?page=2")
    assert status == 200
    assert "下一页" not in [a.text_content() for a in doc(body2).xpath("//a")]
    # nginx-style extras: index.html alias and the slash redirect
    assert get(portals, "longtan", "/zwgk/zfxxgknb/index.html")[2] == body
    status, headers, _ = get(portals, "longtan", "/zwgk/zfxxgknb")
    assert status == 301 and headers["location"] == column


def test_column_html_lists_exactly_the_declared_links(portals: PortalServer) -> None:
    for s in SITES:
        for page_path in s.page_paths():
            status, _, body = get(portals, s.key, page_path)
            assert status == 200
            page_url = portals.url(s.key, page_path)
            found = [
                urljoin(page_url, a.get("href"))
                for item in doc(body).cssselect(s.list_selector)
                for a in item.cssselect("a")
            ]
            declared = [
                portals.link_url(link) for link in column_links(s.key) if link.page == page_path
            ]
            assert found == declared


def test_columns_meet_the_spec() -> None:
    for key in CRAWLABLE:
        s = site(key)
        links = column_links(key)
        assert len(s.pages) >= 2
        reports = [lk for lk in links if lk.is_report and lk.status == 200 and lk.special is None]
        assert len({lk.report_year for lk in reports}) >= 3
        assert len([lk for lk in links if not lk.is_report and lk.special is None]) >= 2
        for lk in reports:
            assert lk.report_year is not None
            assert lk.published.year == lk.report_year + 1 and lk.published.month <= 3
            if lk.report_year >= 2020:  # 2019 条例: published before 31 January
                assert lk.published.month == 1
    specials = {lk.special for lk in column_links()}
    assert specials >= {"spam", "url-variant", "mirror", "404", "500", "offsite", "robots"}


# --- detail pages and special cases ---------------------------------------------------


def test_every_link_answers_as_declared(portals: PortalServer) -> None:
    for link in column_links():
        if link.special in {"offsite", "robots"}:
            continue
        path = link.path.split("?", 1)[0]
        status, headers, body = get(portals, link.target_site, path)
        assert status == link.status, link
        assert headers["content-type"] == "text/html; charset=utf-8"
        if status == 200:
            page = doc(body)
            container = page.cssselect(site(link.target_site).container)
            assert len(container) == 1
            assert link.published.isoformat() in body.decode() or (
                link.published.strftime("%Y年%m月%d日") in body.decode()
            )
            assert link.title in page.findtext(".//title")


def test_trs_detail_meta_and_chrome(portals: PortalServer) -> None:
    status, _, body = get(portals, "zhalantun", "/zwgk/zfxxgknb/202201/t20220127_3381234.html")
    assert status == 200
    page = doc(body)
    meta = {m.get("name"): m.get("content") for m in page.xpath("//meta[@name]")}
    assert meta["ArticleTitle"] == "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
    assert meta["PubDate"] == "2022-01-27 10:30"
    assert meta["ContentSource"] == "成吉思汗镇"
    assert meta["SiteIDCode"] == "1507830002"
    assert {"SiteName", "ColumnName", "keywords", "description"} <= set(meta)
    text = page.text_content()
    for chrome in (
        "登录",
        "无障碍",
        "适老版",
        "请用手机扫码访问",
        "您当前所在的位置：",
        "走进扎兰屯",
        "点击量：",
        "打印",
        "关闭窗口",
        "上一篇",
        "下一篇",
        "站点地图",
        "联系我们",
        "网站标识码：1507830002",
        "蒙ICP备2022001701号-1",
        "蒙公网安备 15078302000121号",
        "Copyright © 2024",
        "相关链接",
    ):
        assert chrome in text, chrome
    body_text = page.cssselect("div.TRS_Editor")[0].text_content()
    assert body_text.count("2024欧洲杯下注平台_澳门现金网-官网") == 9  # the injected spam, kept
    for chrome in ("站点地图", "网站标识码", "Copyright", "点击量"):
        assert chrome not in body_text
    assert page.cssselect("div.TRS_Editor table td[rowspan='22']")  # 三、本年度办理结果


def test_generic_detail_pages(portals: PortalServer) -> None:
    _, _, body = get(portals, "qingzhen", "/zfxxgk/zfxxgknb/201403/content_34877.html")
    page = doc(body)
    assert {m.get("name") for m in page.xpath("//meta[@name]")} == {"viewport"}
    assert "发布时间：2014-03-12" in page.text_content()
    content = page.cssselect("div.article-content")[0].text_content()
    assert "2013年1月1日至2013年12月31日" in content
    assert "您当前所在的位置" not in content
    assert page.cssselect("div.article-content table td[colspan='3']")

    _, _, body = get(portals, "longtan", "/contents/2417/61208.html")
    page = doc(body)
    assert "发布时间：2013年03月06日" in page.text_content()
    zoom = page.cssselect("#zoom")[0]
    assert zoom.cssselect("td[rowspan='13']")  # 公开的形式
    assert "乌拉街镇2012年政府信息公开工作年度报告相关数据统计" in zoom.text_content()


def test_url_variant_and_mirror(portals: PortalServer) -> None:
    links = column_links("zhalantun")
    variant = next(lk for lk in links if lk.special == "url-variant")
    plain = next(lk for lk in links if lk.special == "spam")
    assert variant.path.split("?")[0] == plain.path and variant.fragment == "content"
    assert portals.link_url(variant).startswith(portals.base_url("zhalantun"))
    mirror = next(lk for lk in links if lk.special == "mirror")
    original = next(lk for lk in links if lk.title == mirror.title and lk.special is None)
    assert mirror.path != original.path
    assert get(portals, "zhalantun", mirror.path)[2] == get(portals, "zhalantun", original.path)[2]


def test_offsite_content_farm(portals: PortalServer) -> None:
    offsite = [lk for lk in column_links() if lk.special == "offsite"]
    assert {lk.site for lk in offsite} == {"zhalantun", "qingzhen"}
    for lk in offsite:
        assert lk.target_site == "contentfarm" and not lk.is_report
        url = portals.link_url(lk)
        assert urlsplit(url).hostname == portals.address("contentfarm")[0]
    status, _, body = get(portals, "contentfarm", offsite[0].path)
    assert status == 200
    text = doc(body).text_content()
    assert "政府信息公开年度工作计划范文(18篇)" in text and "20xx" in text


def test_error_pages(portals: PortalServer) -> None:
    status, headers, body = get(portals, "qingzhen", "/zfxxgk/zfxxgknb/201203/content_12045.html")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "页面不存在" in body.decode()
    status, _, body = get(portals, "kundulun", "/xxgk/zfxxgknb/201603/t20160325_1520394.html")
    assert status == 500 and b"500 Internal Server Error" in body
    status, _, body = get(portals, "contentfarm", "/no/such/page.html")
    assert status == 404 and b"nginx" in body
    assert request(portals, "zhalantun", "/", method="POST")[0] == 405
    # the robots-forbidden search page exists (a crawler ignoring robots would get it)
    robots = next(lk for lk in column_links() if lk.special == "robots")
    assert robots.path.startswith("/search/")
    assert get(portals, robots.site, robots.path)[0] == 200


# --- HTTP behaviour ---------------------------------------------------------------------


def test_head(portals: PortalServer) -> None:
    path = "/zwgk/zfxxgknb/202301/t20230119_3512876.html"
    status, head_headers, body = request(portals, "zhalantun", path, method="HEAD")
    assert status == 200 and body == b""
    _, get_headers, get_body = get(portals, "zhalantun", path)
    assert head_headers["content-length"] == str(len(get_body))
    assert head_headers["etag"] == get_headers["etag"]
    assert request(portals, "qingzhen", "/nope.html", method="HEAD")[0] == 404


def test_conditional_get_and_gzip(portals: PortalServer) -> None:
    path = "/contents/2417/86531.html"
    _, headers, body = get(portals, "longtan", path)
    inm = {"If-None-Match": headers["etag"]}
    status, h304, b304 = request(portals, "longtan", path, headers=inm)
    assert (status, b304) == (304, b"") and h304["etag"] == headers["etag"]
    since = {"If-Modified-Since": headers["last-modified"]}
    assert request(portals, "longtan", path, headers=since)[0] == 304
    assert request(portals, "longtan", path, headers={"If-None-Match": '"0-0"'})[0] == 200
    status, gz_headers, gz_body = request(
        portals, "longtan", path, headers={"Accept-Encoding": "gzip, deflate"}
    )
    assert gz_headers["content-encoding"] == "gzip"
    assert gz_headers["etag"] == "W/" + headers["etag"]
    assert gzip.decompress(gz_body) == body


def test_request_log(portals: PortalServer) -> None:
    portals.clear_requests()
    paths = [f"/zwgk/zfxxgknb/index_{i}.html" for i in (1, 2)] * 10
    threads = [threading.Thread(target=get, args=(portals, "zhalantun", p)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    request(portals, "kundulun", "/robots.txt", method="HEAD")
    get(portals, "qingzhen", "/missing.html")
    assert len(portals.requests) == 22
    assert ("kundulun", "HEAD", "/robots.txt", 200) in portals.requests
    assert portals.requests_for("qingzhen") == [("qingzhen", "GET", "/missing.html", 404)]
    counts = portals.fetch_counts()
    assert counts[("zhalantun", "/zwgk/zfxxgknb/index_1.html")] == 10
    assert ("kundulun", "/robots.txt") not in counts


def test_quiet(portals: PortalServer, capfd: pytest.CaptureFixture[str]) -> None:
    get(portals, "zhalantun", "/")
    get(portals, "zhalantun", "/nope")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_set_page_and_reset(portals: PortalServer) -> None:
    path = "/zfxxgk/zfxxgknb/201503/content_48213.html"
    original = portals.body("qingzhen", path)
    revised = original.replace("10236条".encode(), "10237条".encode())
    portals.set_page("qingzhen", path, revised)
    assert get(portals, "qingzhen", path)[2] == revised
    portals.reset_pages()
    assert get(portals, "qingzhen", path)[2] == original


def test_stop_releases_addresses() -> None:
    server = PortalServer(first_address="127.0.0.40").start()
    host, port = server.address("longtan")
    server.stop()
    assert not server.running
    with pytest.raises(OSError):
        http.client.HTTPConnection(host, port, timeout=1).request("GET", "/")


# --- the page bodies --------------------------------------------------------------------


def _width(table: Table) -> list[int]:
    """Number of grid slots each row covers, rowspans and colspans laid out."""
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            for i in range(cell.rowspan):
                for j in range(cell.colspan):
                    occupied.add((r + i, c + j))
            c += cell.colspan
    return [sum(1 for (row, _) in occupied if row == r) for r in range(len(table.rows))]


def test_data_tables_are_rectangular() -> None:
    names = {a.body for s in SITES for a in s.articles if a.body}
    assert len(names) == 22
    for name in names:
        for block in load(name).blocks:
            if isinstance(block, Table):
                widths = _width(block)
                assert len(set(widths)) == 1, (name, widths)


def test_application_tables_balance() -> None:
    """一 + 二 = 三（七）总计 + 四, per applicant column, in every national-format report."""
    for name in ("chengjisihan-2021", "zhalantun-2020", "zhalantun-2021", "zhalantun-2022"):
        for grid in load(name).tables:
            rows = {row[0] if len(row) == 8 else row[-8]: row[-7:] for row in grid if len(row) >= 8}
            if "一、本年新收政府信息公开申请数量" not in rows:
                continue
            new = rows["一、本年新收政府信息公开申请数量"]
            carried = rows["二、上年结转政府信息公开申请数量"]
            total, out = rows["（七）总计"], rows["四、结转下年度继续办理"]
            for a, b, c, d in zip(new, carried, total, out, strict=True):
                assert int(a) + int(b) == int(c) + int(d), name


def test_markup_parser() -> None:
    d = parse("# note\n{center}标题\n正文\n{table}\n[r2c3]甲 | 乙\n丙\n{/table}\n{right}落款\n")
    assert d.text() == "标题\n正文\n甲 | 乙\n丙\n落款"
    table = d.blocks[2]
    assert isinstance(table, Table) and table.rows[0][0].rowspan == 2
    assert table.rows[0][0].colspan == 3
    with pytest.raises(ValueError):
        parse("{table}\na | b\n")
