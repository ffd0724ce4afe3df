"""End to end: `govcrawl crawl --all` over the local portal replicas into SQLite."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govcrawl.demo import PortalServer, sites
from govcrawl.demo.markup import load
from govcrawl.regions import builtin_registry
from tests.conftest import query, run_govcrawl

# (site, path, jurisdiction, report year, publication date, title): every annual report the
# four replica portals publish, and nothing else.
EXPECTED = {
    (
        "zhalantun",
        "/zwgk/zfxxgknb/202301/t20230119_3512876.html",
        "150783",
        2022,
        "2023-01-19",
        "扎兰屯市2022年政府信息公开工作年度报告",
    ),
    (
        "zhalantun",
        "/zwgk/zfxxgknb/202201/t20220127_3381234.html",
        "150783103",
        2021,
        "2022-01-27",
        "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告",
    ),
    (
        "zhalantun",
        "/zwgk/zfxxgknb/202201/t20220121_3378456.html",
        "150783",
        2021,
        "2022-01-21",
        "扎兰屯市2021年政府信息公开工作年度报告",
    ),
    ("zhalantun", "MIRROR", "150783", 2020, "2021-01-29", "扎兰屯市2020年政府信息公开工作年度报告"),
    (
        "kundulun",
        "/xxgk/zfxxgknb/201503/t20150320_1203317.html",
        "150203",
        2014,
        "2015-03-20",
        "昆都仑区2014年政府信息公开工作年度报告",
    ),
    (
        "kundulun",
        "/xxgk/zfxxgknb/201401/t20140130_975503.html",
        "150203",
        2013,
        "2014-01-30",
        "昆都仑区人民政府关于2013年度政府信息公开年度报告",
    ),
    (
        "kundulun",
        "/xxgk/zfxxgknb/201303/t20130308_702214.html",
        "150203",
        2012,
        "2013-03-08",
        "昆都仑区人民政府2012年度政府信息公开年度报告",
    ),
    (
        "qingzhen",
        "/zfxxgk/zfxxgknb/201503/content_48213.html",
        "520181",
        2014,
        "2015-03-18",
        "清镇市2014年政府信息公开工作年度报告",
    ),
    (
        "qingzhen",
        "/zfxxgk/zfxxgknb/201403/content_34877.html",
        "520181",
        2013,
        "2014-03-12",
        "清镇市2013年政府信息公开年度报告",
    ),
    (
        "qingzhen",
        "/zfxxgk/zfxxgknb/201303/content_21934.html",
        "520181",
        2012,
        "2013-03-15",
        "清镇市2012年政府信息公开年度报告",
    ),
    (
        "longtan",
        "/contents/2417/86531.html",
        "220203",
        2014,
        "2015-03-26",
        "龙潭区2014年政府信息公开工作年度报告",
    ),
    (
        "longtan",
        "/contents/2417/78566.html",
        "220203",
        2013,
        "2014-03-20",
        "龙潭区2013年政府信息公开工作年度报告",
    ),
    (
        "longtan",
        "/contents/2417/61208.html",
        "220203102",
        2012,
        "2013-03-06",
        "乌拉街2012年政务公开工作报告",
    ),
}
# One report is published at two paths with the same bytes: whichever the crawler reaches
# first is the document, the other a `duplicate` fetch of it.
MIRROR = {
    "/zwgk/zfxxgknb/202101/t20210129_2998765.html",
    "/zwgk/fdzdgknr/zfxxgknb/202101/t20210129_2998765.html",
}
CLASSIC = ("zhalantun", "kundulun", "qingzhen", "longtan")
CHROME = (
    "网站标识码",
    "ICP备",
    "公网安备",
    "您当前所在的位置",
    "扫码",
    "无障碍",
    "适老版",
    "站点地图",
    "联系我们",
    "点击量",
    "关闭窗口",
    "Copyright",
    "上一篇",
    "下一篇",
    "字体",
)


@dataclass
class Crawl:
    db: Path
    first: object
    second: object
    requests_first: list[object]


@pytest.fixture(scope="module")
def crawl(
    portals: PortalServer, regions_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Crawl:
    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    args = ("crawl", *CLASSIC, "--regions-file", str(regions_file), "--db", f"sqlite:///{db}",
            "--allow-loopback")
    portals.clear_requests()
    first = run_govcrawl(*args)
    requests_first = list(portals.requests)
    second = run_govcrawl(*args)
    return Crawl(db, first, second, requests_first)


def _site_path(portals: PortalServer, url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return portals.site_of(parts.netloc), parts.path + (f"?{parts.query}" if parts.query else "")


def test_crawl_succeeds_with_a_summary(crawl: Crawl) -> None:
    out = crawl.first
    assert out.returncode == 0, out.stderr[-3000:]
    table = out.stdout
    for name, count, years in [
        ("扎兰屯市", 4, "2020-2022"),
        ("昆都仑区", 3, "2012-2014"),
        ("清镇市", 3, "2012-2014"),
        ("龙潭区", 3, "2012-2014"),
    ]:
        row = next(line for line in table.splitlines() if line.startswith(name))
        assert re.search(rf"\s{count}\s+{years}\s", row), row
    assert "13 reports from 4 jurisdictions" in table
    qingzhen = next(line for line in table.splitlines() if line.startswith("清镇市"))
    assert "http_error 1" in qingzhen and "offsite 1" in qingzhen
    assert "Traceback" not in out.stderr


def test_exactly_the_expected_reports(crawl: Crawl, portals: PortalServer) -> None:
    rows = query(
        crawl.db,
        "SELECT url, jurisdiction_code, report_year, published_at, title "
        "FROM document WHERE is_annual_report",
    )
    got = set()
    for url, code, year, published, title in rows:
        site, path = _site_path(portals, str(url))
        if path in MIRROR:
            path = "MIRROR"
        got.add((site, path, code, year, published, title))
    assert got == EXPECTED
    # nothing that is not a report was archived (notices and 工作要点 are never fetched)
    assert query(crawl.db, "SELECT count(*) FROM document WHERE NOT is_annual_report") == [(0,)]


def test_no_duplicates_and_each_url_fetched_once(crawl: Crawl) -> None:
    assert query(crawl.db, "SELECT count(*), count(DISTINCT url_hash) FROM document") == [(13, 13)]
    hashes = query(
        crawl.db,
        "SELECT content_hash, count(DISTINCT document_id) FROM document_version "
        "GROUP BY content_hash HAVING count(DISTINCT document_id) > 1",
    )
    assert hashes == []
    fetched: dict[tuple[str, str], int] = {}
    for record in crawl.requests_first:
        if record.method == "GET":  # type: ignore[attr-defined]
            key = (record.site, record.path)  # type: ignore[attr-defined]
            fetched[key] = fetched.get(key, 0) + 1
    repeated = {
        k: n
        for k, n in fetched.items()
        if n > 1 and k[1] != "/xxgk/zfxxgknb/201603/t20160325_1520394.html"
    }
    assert repeated == {}  # (the 500 article is retried, as it should be)
    # the URL variant (utm_source, fragment) was not fetched a second time
    assert (
        "zhalantun",
        "/zwgk/zfxxgknb/202201/t20220127_3381234.html?utm_source=wechat",
    ) not in fetched
    # offsite and robots-forbidden links were never requested
    assert not any(site == "contentfarm" for site, _ in fetched)
    assert not any(path.startswith("/search/") for _, path in fetched)


def test_failures_and_skips_are_recorded_with_reasons(crawl: Crawl, portals: PortalServer) -> None:
    rows = query(
        crawl.db,
        "SELECT url, outcome, http_status, error FROM fetch WHERE crawl_run_id = 1 "
        "AND outcome NOT IN ('stored', 'listing')",
    )
    got = {(_site_path(portals, str(url))[1], outcome, status) for url, outcome, status, _ in rows}
    stored = {
        _site_path(portals, str(url))[1] for (url,) in query(crawl.db, "SELECT url FROM document")
    }
    (other_mirror,) = MIRROR - stored
    assert got == {
        ("/zfxxgk/zfxxgknb/201203/content_12045.html", "http_error", 404),
        ("/xxgk/zfxxgknb/201603/t20160325_1520394.html", "http_error", 500),
        (
            "/search/search.jsp?channelid=212345&searchword=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A",
            "robots",
            None,
        ),
        (other_mirror, "duplicate", 200),
    }
    run = query(
        crawl.db,
        "SELECT trigger, status, finished_at IS NOT NULL, stats FROM crawl_run WHERE id = 1",
    )
    trigger, status, finished, stats = run[0]
    assert (trigger, status, finished) == ("manual", "ok", 1)
    assert json.loads(str(stats))["regions"]["kundulun"]["skipped"] == {"http_error": 1, "not_report_title": 2}


def test_spam_flag_only_on_the_hacked_page(crawl: Crawl) -> None:
    rows = query(crawl.db, "SELECT title, flags FROM document WHERE flags != '[]'")
    assert rows == [("扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告", '["spam_injection"]')]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_text_is_the_whole_report_without_chrome(crawl: Crawl, portals: PortalServer) -> None:
    rows = query(
        crawl.db,
        "SELECT d.url, v.text FROM document d JOIN document_version v ON v.document_id = d.id",
    )
    assert len(rows) == 13
    for url, text in rows:
        site_key, path = _site_path(portals, str(url))
        site = sites.site(site_key)
        article = next(a for a in site.articles if path in (a.path, *a.mirror_paths))
        assert article.body is not None
        stored = _squash(str(text))
        for paragraph in load(article.body).paragraphs:
            if _squash(paragraph) == _squash(article.title):
                continue  # the title repeated atop the body is the title, not text
            assert _squash(paragraph) in stored, (url, paragraph[:40])
        lines = str(text).splitlines()
        leaked = [line for line in lines if len(line) < 60 and any(c in line for c in CHROME)]
        assert leaked == [], (url, leaked)


def test_second_crawl_adds_nothing(crawl: Crawl) -> None:
    assert crawl.second.returncode == 0, crawl.second.stderr[-3000:]
    assert query(crawl.db, "SELECT count(*) FROM document") == [(13,)]
    assert query(crawl.db, "SELECT count(*) FROM document_version") == [(13,)]
    assert query(crawl.db, "SELECT count(*) FROM jurisdiction") == [(len(builtin_registry()),)]
    outcomes = dict(
        query(
            crawl.db,
            "SELECT outcome, count(*) FROM fetch WHERE crawl_run_id = 2 "
            "AND outcome NOT IN ('listing', 'http_error', 'robots') GROUP BY outcome",
        )
    )
    assert outcomes == {"unchanged": 13, "duplicate": 1}
    # every one of them, the mirror of a report too, was asked for conditionally: a 304
    statuses = query(
        crawl.db,
        "SELECT outcome, http_status, count(*) FROM fetch WHERE crawl_run_id = 2 "
        "AND outcome IN ('unchanged', 'duplicate') GROUP BY outcome, http_status",
    )
    assert sorted(statuses) == [("duplicate", 304, 1), ("unchanged", 304, 13)]
    assert "13 reports from 4 jurisdictions" in crawl.second.stdout


def test_export_jsonl_and_csv(crawl: Crawl, tmp_path: Path) -> None:
    out = run_govcrawl("export", "--format", "jsonl", "--db", f"sqlite:///{crawl.db}")
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == 13
    needed = {
        "url",
        "url_hash",
        "jurisdiction_code",
        "jurisdiction_name",
        "title",
        "report_year",
        "published_at",
        "agency",
        "kind",
        "is_annual_report",
        "flags",
        "content_hash",
        "text",
        "first_seen_at",
    }
    assert all(needed <= set(r) for r in records)
    town = next(r for r in records if r["jurisdiction_code"] == "150783103")
    assert (
        town["jurisdiction_name"],
        town["report_year"],
        town["published_at"],
        town["kind"],
        town["is_annual_report"],
        town["flags"],
    ) == ("成吉思汗镇", 2021, "2022-01-27", "html", True, ["spam_injection"])
    path = tmp_path / "reports.csv"
    out = run_govcrawl(
        "export", "--format", "csv", "-o", str(path), "--db", f"sqlite:///{crawl.db}"
    )
    assert out.returncode == 0, out.stderr
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 13
    assert {r["url_hash"] for r in rows} == {r["url_hash"] for r in records}
    wulajie = next(r for r in rows if r["jurisdiction_code"] == "220203102")
    assert (wulajie["jurisdiction_name"], wulajie["report_year"], wulajie["published_at"]) == (
        "乌拉街满族镇",
        "2012",
        "2013-03-06",
    )


def test_raw_archive_and_reextract_without_network(crawl: Crawl, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from govcrawl.db.engine import open_engine
    from govcrawl.raw import default_raw_dir, read_raw
    from govcrawl.reextract import reextract

    db_url = f"sqlite:///{crawl.db}"
    raw_dir = default_raw_dir(db_url)
    # one WARC per run that fetched a body: the second run's pages all answered 304
    assert sorted(p.suffix for p in raw_dir.iterdir()) == [".gz"]
    refs = query(crawl.db, "SELECT d.url, v.raw_ref FROM document d JOIN document_version v "
                 "ON v.document_id = d.id")
    assert len(refs) == 13 and all(ref for _, ref in refs)
    url, ref = refs[0]
    record = read_raw(raw_dir, str(ref))
    assert record.status == 200 and record.body.lstrip().startswith(b"<")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("reextract touched the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    result = reextract(open_engine(db_url), raw_dir)
    assert (result.documents, result.versions_added, result.missing_raw, result.errors) == (13, 0, 0, 0)
    assert query(crawl.db, "SELECT count(*) FROM document_version") == [(13,)]
