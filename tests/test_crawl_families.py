"""End to end over the portals most jurisdictions run: Hanweb, a script-rendered column
(real Chromium), an old GBK site, attachments, an attachment-only column, anti-bot walls
and soft 404s, and a portal with no report column (sitemap, landing page, traps)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govcrawl.demo import PortalServer
from tests.conftest import query, run_govcrawl

FAMILIES = ("zhejiang", "yichun", "wanzai", "huaian", "hongze", "handan", "jilinshi")

# (site, path, year, publication date, kind): every report on these portals, nothing else.
EXPECTED = {
    ("zhejiang", "/art/2023/1/18/art_1229019_60012345.html", 2022, "2023-01-18", "html"),
    ("zhejiang", "/art/2023/1/16/art_1229019_58178577.html", 2022, "2023-01-16", "html"),
    ("zhejiang", "/art/2022/1/21/art_1229019_58143657.html", 2021, "2022-01-21", "html"),
    ("zhejiang", "/art/2021/1/27/art_1229019_58108834.html", 2020, "2021-01-27", "html"),
    ("zhejiang", "/art/2020/1/20/art_1229019_58072653.html", 2019, "2020-01-20", "html"),
    ("zhejiang", "/art/2019/3/20/art_1229019_58042971.html", 2018, "2019-03-20", "html"),
    ("yichun", "/ycsrmzf/zfxxgknb/202401/7cccbd9d970361574758188bf14933dd.shtml", 2023, "2024-01-26", "html"),
    ("yichun", "/ycsrmzf/zfxxgknb/202301/71e9458b2255544075192572701c075b.shtml", 2022, "2023-01-20", "html"),
    ("yichun", "/ycsrmzf/zfxxgknb/202201/00bd6208571177f85e2d2b4d8acd1ad9.shtml", 2021, "2022-01-25", "html"),
    ("yichun", "/ycsrmzf/zfxxgknb/202101/89f1ddb5503b11c535d43771b3a30d22.shtml", 2020, "2021-01-22", "html"),
    ("wanzai", "/wzxrmzf/zfxxgknb/202301/51ceef1c8911c768bc68bdf595394fe8.shtml", 2022, "2023-01-17", "html"),
    ("wanzai", "/wzxrmzf/zfxxgknb/202201/70a4b6d32ca879a811183f9db5413dd4.shtml", 2021, "2022-01-20", "html"),
    ("wanzai", "/wzxrmzf/zfxxgknb/202101/f67b72fdba8f33a1a8627b27c3d18723.shtml", 2020, "2021-01-26", "html"),
    ("wanzai", "/wzxrmzf/zfxxgknb/201903/5a5fb56a362b36647d8b1f3443c2a223.shtml", 2018, "2019-03-15", "html"),
    ("huaian", "/uploadfiles/202502/szfgs2024.pdf", 2024, "2025-02-26", "pdf"),
    ("huaian", "/uploadfiles/202402/szfgs2023.docx", 2023, "2024-02-27", "docx"),
    ("huaian", "/uploadfiles/202402/szfgs2023fb.xlsx", 2023, "2024-02-27", "xlsx"),
    ("huaian", "/zwgk/zfxxgknb/202301/t20230130_1985462.html", 2022, "2023-01-30", "html"),
    ("huaian", "/uploadfiles/202301/szfgs2022tjb.xls", 2022, "2023-01-30", "xls"),
    ("hongze", "/hzqrmzf/zfxxgknb/2025nb.pdf", 2024, "2025-02-25", "pdf"),
    ("hongze", "/hzqrmzf/zfxxgknb/2024nb.pdf", 2023, "2024-02-26", "pdf"),
    ("hongze", "/hzqrmzf/zfxxgknb/2023nb.pdf", 2022, "2023-01-30", "pdf"),
    ("handan", "/zfxxgknb/202401/t20240129_1932580.html", 2023, "2024-01-29", "html"),
    ("handan", "/zfxxgknb/202301/t20230130_1812406.html", 2022, "2023-01-30", "html"),
    ("handan", "/gszbm/auto23716/202301/t20230119_1805532.html", 2022, "2023-01-19", "html"),
    ("handan", "/zfxxgknb/201903/t20190328_1052214.html", 2018, "2019-03-28", "html"),
    ("jilinshi", "/zwgk/zfxxgknb/202401/t20240130_1188243.html", 2023, "2024-01-30", "html"),
    ("jilinshi", "/zwgk/zfxxgknb/202301/t20230131_1090517.html", 2022, "2023-01-31", "html"),
    ("jilinshi", "/zwgk/zfxxgknb/202201/t20220128_987362.html", 2021, "2022-01-28", "html"),
    ("jilinshi", "/zwgk/zfxxgknb/202101/t20210129_871125.html", 2020, "2021-01-29", "html"),
    ("jilinshi", "/zwgk/zfxxgknb/202001/t20200121_760308.html", 2019, "2020-01-21", "html"),
}  # fmt: skip


@dataclass
class Crawl:
    db: Path
    out: object
    requests: list[object]


@pytest.fixture(scope="module")
def crawl(portals: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    assert shutil.which("chromium"), "Debian's chromium must be installed (.ci/run installs it)"
    tmp = tmp_path_factory.mktemp("families")
    regions = tmp / "regions.toml"
    regions.write_text(portals.regions_toml(FAMILIES), encoding="utf-8")
    db = tmp / "archive.db"
    portals.clear_requests()
    out = run_govcrawl("crawl", *FAMILIES, "--regions-file", str(regions), "--db", f"sqlite:///{db}",
                       "--allow-loopback", timeout=600)
    return Crawl(db, out, list(portals.requests))


def _where(portals: PortalServer, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return portals.site_of(parts.netloc), parts.path + (f"?{parts.query}" if parts.query else "")


def test_crawl_of_every_family_succeeds(crawl: Crawl) -> None:
    assert crawl.out.returncode == 0, crawl.out.stderr[-3000:]
    assert "31 reports from 7 jurisdictions" in crawl.out.stdout
    assert "Traceback" not in crawl.out.stderr


def test_exactly_the_expected_reports(crawl: Crawl, portals: PortalServer) -> None:
    rows = query(crawl.db, "SELECT url, report_year, published_at, kind FROM document WHERE is_annual_report")
    got = {(*_where(portals, str(url)), year, published, kind) for url, year, published, kind in rows}
    assert got == EXPECTED
    assert query(crawl.db, "SELECT count(*) FROM document") == [(len(EXPECTED),)]


def test_walls_and_soft_404s_are_recorded_not_stored(crawl: Crawl, portals: PortalServer) -> None:
    rows = query(crawl.db, "SELECT url, outcome, http_status, error FROM fetch "
                 "WHERE outcome IN ('challenge', 'soft404')")
    got = {(_where(portals, str(url))[1], outcome, status, error) for url, outcome, status, error in rows}
    assert got == {
        ("/zfxxgknb/202201/t20220128_1623390.html", "challenge", 412, "ruishu wall (HTTP 412)"),
        ("/zfxxgknb/202101/t20210129_1386702.html", "soft404", 200, "not stored: page recognised as soft404"),
        ("/zfxxgknb/202001/t20200120_1201457.html", "soft404", 200, "not stored: page recognised as soft404"),
    }
    (stats,) = query(crawl.db, "SELECT stats FROM crawl_run")[0]
    assert json.loads(str(stats))["regions"]["handan"]["skipped"] == {
        "challenge": 1, "not_report_title": 2, "soft404": 2}
    # the 加速乐 (521) and cookie-redirect walls yielded to Chromium: their reports are stored
    walled = {_where(portals, str(u))[1] for (u,) in query(crawl.db, "SELECT url FROM document")}
    assert {"/zfxxgknb/202301/t20230130_1812406.html",
            "/gszbm/auto23716/202301/t20230119_1805532.html"} <= walled


def test_attachments_are_documents_linked_to_their_page(crawl: Crawl, portals: PortalServer) -> None:
    rows = query(crawl.db, "SELECT url, parent_url FROM document WHERE parent_url IS NOT NULL")
    got = {(_where(portals, str(u))[1], _where(portals, str(p))[1]) for u, p in rows}
    assert got == {
        ("/uploadfiles/202502/szfgs2024.pdf", "/zwgk/zfxxgknb/202502/t20250226_2316045.html"),
        ("/uploadfiles/202402/szfgs2023.docx", "/zwgk/zfxxgknb/202402/t20240227_2175530.html"),
        ("/uploadfiles/202402/szfgs2023fb.xlsx", "/zwgk/zfxxgknb/202402/t20240227_2175530.html"),
        ("/uploadfiles/202301/szfgs2022tjb.xls", "/zwgk/zfxxgknb/202301/t20230130_1985462.html"),
    }
    wrappers = query(crawl.db, "SELECT url FROM fetch WHERE outcome = 'attachment_wrapper'")
    assert {_where(portals, str(u))[1] for (u,) in wrappers} == {
        "/zwgk/zfxxgknb/202502/t20250226_2316045.html", "/zwgk/zfxxgknb/202402/t20240227_2175530.html"}
    (title, text, flags), = query(
        crawl.db, "SELECT d.title, v.text, d.flags FROM document d JOIN document_version v "
        "ON v.document_id = d.id WHERE d.url LIKE '%szfgs2024.pdf'")
    assert title == "淮安市人民政府2024年政府信息公开工作年度报告" and flags == "[]"
    assert "二、主动公开政府信息情况" in str(text) and len(str(text)) > 3000
    (scanned,), = query(crawl.db, "SELECT flags FROM document WHERE url LIKE '%2023nb.pdf'")
    assert "no_text_layer" in json.loads(str(scanned))


def test_gbk_text_has_no_mojibake(crawl: Crawl) -> None:
    rows = query(crawl.db, "SELECT d.title, v.text FROM document d JOIN document_version v "
                 "ON v.document_id = d.id WHERE d.jurisdiction_code = '360922'")
    assert len(rows) == 4
    for title, text in rows:
        assert str(title).startswith("万载县人民政府") and "\ufffd" not in str(text)
        assert "政府信息公开" in str(text)
    assert any("喆" in str(text) for _, text in rows)  # GBK, outside GB2312


def test_hanweb_records_come_from_two_dataproxy_posts(crawl: Crawl) -> None:
    posts = [r for r in crawl.requests if r.site == "zhejiang" and r.method == "POST"]  # type: ignore[attr-defined]
    assert sorted(r.path for r in posts) == [  # type: ignore[attr-defined]
        "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
        "/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15",
    ]


def test_portal_without_column_ends_despite_traps(crawl: Crawl) -> None:
    (stats,) = query(crawl.db, "SELECT stats FROM crawl_run")[0]
    jilin = json.loads(str(stats))["regions"]["jilinshi"]
    assert jilin["reports"] == 5 and jilin["failure"] is None
    assert jilin["skipped"].get("query_trap", 0) >= 1  # the calendar/search trap was cut off
    calendar = [r for r in crawl.requests if r.site == "jilinshi" and r.path.startswith("/hdjl/rl/")]  # type: ignore[attr-defined]
    assert len(calendar) <= 31
