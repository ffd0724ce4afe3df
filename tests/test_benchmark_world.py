"""The benchmark suite's generated world (benchmarks/world.py) and its naive baseline crawler.

The suite's figures are only as good as its world: these check that the world is what the
suite's table says (page counts, sizes, latency, every page reachable) and that the baseline
finds every report of a small one.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from govcrawl.discovery import link_is_candidate

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import world  # noqa: E402

PAGES, PORTALS = 100, 2  # 25 reports and 25 other pages a portal: 3 column pages each
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    with _OPENER.open(url, timeout=10) as response:
        return response.status, response.read(), time.perf_counter() - start


@pytest.fixture(scope="module")
def served() -> Iterator[Any]:
    with world.WorldServer(PAGES, PORTALS, first_address="127.0.0.70") as server:
        yield server


def test_default_world_is_the_issues_world() -> None:
    w = world.build_world()
    assert (len(w.sites), len(w.items), w.reports) == (20, 4000, 2000)
    sizes: list[int] = []
    columns = 0
    for site in w.sites:
        routes, _ = world.render_routes(w, site)
        sizes += [len(routes[item.path].body) for item in w.items if item.portal == site.key]
        columns += len(site.pages)
        assert [len(page) for page in site.pages] == [20] * 10  # 200 articles a portal
    assert 11_500 <= sum(sizes) / len(sizes) <= 12_800  # "12 KB average"
    assert columns == 200
    others = [item for item in w.items if not item.is_report]
    assert {item.kind for item in others} == {"notice", "announcement", "news", "points"}
    # What a column shows cannot tell an other page from a report: govcrawl's link filter
    # lets every one through, so govcrawl has to fetch and classify them like the baseline.
    assert all(link_is_candidate(world.link_text(i.title), i.path) for i in w.items)
    assert all("年度报告" in item.title for item in w.items if item.is_report)
    assert not any("年度报告" in item.title for item in others)


def test_server_serves_every_page_of_the_world(served: Any) -> None:
    summary = served.summary
    assert (summary["pages"], summary["reports"], summary["others"]) == (100, 50, 50)
    assert summary["portals"] == 2 and summary["column_pages"] == 6
    items = served.items()
    assert len(items) == 100 and sum(is_report for _, is_report in items) == 50
    served.stats()  # start counting here

    status, robots, _ = fetch(next(iter(served.bases.values())) + "robots.txt")
    assert status == 200 and b"User-agent" in robots
    linked: set[str] = set()
    for column in served.column_urls():
        base = column.rsplit("/", 1)[0] + "/"
        for name in ("index.html", "index_1.html", "index_2.html"):
            status, body, _ = fetch(base + name)
            text = body.decode("utf-8")
            assert status == 200 and 'createPageHTML(3, ' in text
            for href in text.split('<ul class="list">')[1].split("</ul>")[0].split('href="')[1:]:
                linked.add(base + href.split('"', 1)[0].removeprefix("./"))
    assert linked == {url for url, _ in items}  # every article is on a column page

    with ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(fetch, [url for url, _ in items]))
    assert all(status == 200 for status, _, _ in pages)
    sizes = [len(body) for _, body, _ in pages]
    assert sum(sizes) / len(sizes) == pytest.approx(summary["page_bytes_mean"])
    assert all(seconds >= 0.020 for _, _, seconds in pages)  # every response waits 20-80 ms

    stats = served.stats()
    assert stats["articles_200"] == 100 and stats["reports_200"] == 50
    assert stats["requests"] == 1 + 6 + 100


def test_latency_does_not_hold_up_other_connections(served: Any) -> None:
    url = served.column_urls()[0]
    start = time.perf_counter()
    with ThreadPoolExecutor(30) as pool:
        waits = [seconds for _, _, seconds in pool.map(fetch, [url] * 30)]
    wall = time.perf_counter() - start
    assert min(waits) >= 0.020
    # One after the other, 30 responses would take at least 30 x 20 ms.
    assert wall < 30 * 0.020


def test_naive_crawler_archives_every_report(served: Any, tmp_path: Path) -> None:
    db = tmp_path / "naive.db"
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / "naive_crawler.py"), "--db", str(db),
         *served.column_urls()],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT url, is_report FROM pages").fetchall()
    finally:
        con.close()
    expected = dict(served.items())
    assert {url: bool(is_report) for url, is_report in rows} == expected
    assert '"reports": 50' in run.stdout
