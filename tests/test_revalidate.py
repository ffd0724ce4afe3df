"""A re-crawl's conditional requests outside Scrapy (govcrawl/fetch/revalidate.py): a 304 is
recorded as through Scrapy; anything else goes back to Scrapy and ends as it would have;
robots.txt, the walls and the archive come out the same as with the path turned off."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from govcrawl.demo import PortalServer
from tests.conftest import ROOT, query, run_govcrawl

REPORT = "/zfxxgk/zfxxgknb/201403/content_34877.html"  # 清镇市2013年政府信息公开年度报告
GONE = "/zfxxgk/zfxxgknb/201503/content_48213.html"  # 清镇市2014年…
THIRD = "/zfxxgk/zfxxgknb/201303/content_21934.html"
KNOWN = {REPORT, GONE, THIRD}
COLUMNS = {"/zfxxgk/zfxxgknb/index.html", "/zfxxgk/zfxxgknb/index_2.html",
           "/zfxxgk/zfxxgknb/index_3.html"}
WALL = (ROOT / "tests/fixtures/realpages/70_nmpa_ruishu6_412_challenge.html").read_bytes()


@pytest.fixture(scope="module")
def server() -> Iterator[PortalServer]:
    with PortalServer(first_address="127.0.0.232") as portal:  # its own: the tests edit it
        yield portal


@pytest.fixture(autouse=True)
def pristine(server: PortalServer) -> Iterator[None]:
    yield
    server.reset_pages()


@pytest.fixture(scope="module")
def first(server: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The regions file and the archive of a first crawl (copied by each test)."""
    tmp = tmp_path_factory.mktemp("revalidate")
    regions = tmp / "regions.toml"
    regions.write_text(server.regions_toml(["qingzhen"]), encoding="utf-8")
    db = tmp / "first.db"
    out = crawl(regions, db)
    assert out.returncode == 0, out.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM document") == [(3,)]
    return regions, db


def crawl(regions: Path, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return run_govcrawl("crawl", "qingzhen", "--regions-file", str(regions), "--db",
                        f"sqlite:///{db}", "--allow-loopback", env=env)


def copy_archive(db: Path, to: Path) -> Path:
    shutil.copy(db, to)
    raw = db.with_suffix(".raw")
    if raw.exists():
        shutil.copytree(raw, to.with_suffix(".raw"))
    return to


def outcomes(db: Path) -> dict[str, str]:
    """The second run's outcome of each article URL."""
    rows = query(db, "SELECT url, outcome FROM fetch WHERE crawl_run_id = 2 "
                     "AND outcome NOT IN ('listing', 'empty_listing')")
    return {str(url).split("127.0.0.", 1)[1].split("/", 1)[1]: str(o) for url, o in rows}


def test_unchanged_pages_are_revalidated_outside_scrapy(
    server: PortalServer, first: tuple[Path, Path], tmp_path: Path
) -> None:
    regions, db = first
    db = copy_archive(db, tmp_path / "a.db")
    server.clear_requests()
    second = crawl(regions, db)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "3 unchanged pages revalidated (304)" in second.stderr
    asked = [(r.path, r.status, h) for r, h in server.conditional_requests
             if r.path not in COLUMNS]  # (column pages: asked by Scrapy, conditionally too)
    assert sorted(p for p, _, _ in asked) == sorted(KNOWN)  # each once, conditional
    assert all(status == 304 for _, status, _ in asked)
    assert all("If-None-Match" in h and "If-Modified-Since" in h for _, _, h in asked)
    assert {v for k, v in outcomes(db).items() if "/" + k in KNOWN} == {"unchanged"}
    assert query(db, "SELECT count(*) FROM document_version") == [(3,)]
    assert query(db, "SELECT status FROM crawl_run WHERE id = 2") == [("ok",)]


def test_a_page_that_is_not_a_304_is_fetched_by_scrapy_as_before(
    server: PortalServer, first: tuple[Path, Path], tmp_path: Path
) -> None:
    """An edited report (200), a deleted one (404) and a wall (412) on the lean path: each
    goes back to Scrapy, and the archive ends as with the lean path turned off."""
    regions, db = first
    lean = copy_archive(db, tmp_path / "lean.db")
    plain = copy_archive(db, tmp_path / "plain.db")
    old = server.body("qingzhen", REPORT).decode("utf-8")
    server.set_page("qingzhen", REPORT, old.replace("全年共发布政府公开类信息8569条",
                                                    "全年共发布政府公开类信息8570条"))
    server.set_page("qingzhen", GONE, "<html><body>404</body></html>", status=404)
    server.set_page("qingzhen", THIRD, WALL, status=412)
    sent: dict[bool, list[tuple[str, str, str, str]]] = {}
    for db_path, env in ((lean, {}), (plain, {"GOVCRAWL_LEAN_REVALIDATE": "0"})):
        server.clear_requests()
        out = crawl(regions, db_path, **env)
        assert out.returncode == 0, out.stderr[-2000:]
        sent[not env] = sorted((r.path, h["If-None-Match"], h["If-Modified-Since"], h["Referer"])
                               for r, h in server.conditional_requests if r.path in KNOWN)
        if not env:
            # the lean path asked each once; Scrapy then fetched each (and retried the wall)
            counts = server.fetch_counts()
            assert counts[("qingzhen", REPORT)] == 2
            assert counts[("qingzhen", GONE)] == 2
            assert "revalidated" not in out.stderr  # no 304 at all
    # the same headers either way (the column page as Referer): the lean path's own request
    # and, after its miss, Scrapy's; the wall is asked again by Scrapy's retries
    column = server.base_url("qingzhen").rstrip("/") + "/zfxxgk/zfxxgknb/"
    assert {h[3] for h in sent[True]} <= {column + "index.html", column + "index_2.html"}
    assert sorted(set(sent[True])) == sorted(set(sent[False]))
    assert [h[0] for h in sent[True]].count(REPORT) == 2
    assert outcomes(lean) == outcomes(plain)
    assert outcomes(lean)[REPORT.lstrip("/")] == "changed"
    assert outcomes(lean)[GONE.lstrip("/")] == "http_error"
    assert query(lean, "SELECT count(*) FROM document_version") == [(4,)]
    new = query(lean, "SELECT v.text FROM document_version v JOIN document d ON d.id = "
                      "v.document_id WHERE d.url LIKE ? ORDER BY v.id DESC LIMIT 1", f"%{REPORT}")
    assert "全年共发布政府公开类信息8570条" in str(new[0][0])


def test_robots_txt_is_obeyed_on_the_lean_path(
    server: PortalServer, first: tuple[Path, Path], tmp_path: Path
) -> None:
    regions, db = first
    db = copy_archive(db, tmp_path / "robots.db")
    robots = "User-agent: *\nDisallow: /zfxxgk/zfxxgknb/201403/\n"
    server.set_page("qingzhen", "/robots.txt", robots, content_type="text/plain")
    server.clear_requests()
    out = crawl(regions, db)
    assert out.returncode == 0, out.stderr[-2000:]
    assert ("qingzhen", REPORT) not in server.fetch_counts()  # never asked, by either path
    assert outcomes(db)[REPORT.lstrip("/")] == "robots"
    assert {r.path for r, _ in server.conditional_requests} - COLUMNS == KNOWN - {REPORT}
    assert "2 unchanged pages revalidated (304)" in out.stderr
