"""A re-crawl asks every page it knows conditionally, reports and pages that are not
reports alike (from ``page_state``), and classifies a page again only when it changed
or when the extractor that classified it is not the current one."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcrawl.extract.model import EXTRACTOR_VERSION
from tests.conftest import query, run_govcrawl

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import world  # noqa: E402

PAGES, PORTALS = 40, 2  # 10 reports and 10 other pages a portal


@pytest.fixture(scope="module")
def served() -> Iterator[Any]:
    with world.WorldServer(PAGES, PORTALS, first_address="127.0.0.76") as server:
        yield server


def crawl(regions: Path, db: Path) -> None:
    run = run_govcrawl("crawl", "--all", "--regions-file", str(regions), "--db",
                       f"sqlite:///{db}", "--allow-loopback")
    assert run.returncode == 0, run.stderr[-2000:]


def outcomes(db: Path, run_id: int) -> dict[str, int]:
    rows = query(db, "SELECT outcome, count(*) FROM fetch WHERE crawl_run_id = ? "
                     "AND outcome != 'listing' GROUP BY outcome", run_id)
    return {str(outcome): int(str(n)) for outcome, n in rows}


def test_pages_that_are_not_reports_are_asked_conditionally(served: Any, tmp_path: Path) -> None:
    regions, db = tmp_path / "regions.toml", tmp_path / "archive.db"
    regions.write_text(served.regions_toml, encoding="utf-8")
    reports = {url for url, is_report in served.items() if is_report}
    served.stats()

    crawl(regions, db)
    first = served.stats()
    assert (first["articles_200"], first["reports_200"]) == (PAGES, PAGES // 2)
    assert {str(u) for (u,) in query(db, "SELECT url FROM document")} == reports
    assert outcomes(db, 1) == {"stored": 20, "not_report": 20}
    states = dict(query(db, "SELECT outcome, count(*) FROM page_state GROUP BY outcome"))
    assert states == {"stored": 20, "not_report": 20, "listing": 2}  # 2 column pages (2 portals)

    # unchanged world: every article page answers 304, nothing is extracted or stored again
    crawl(regions, db)
    second = served.stats()
    assert (second["articles_304"], second["articles_200"]) == (PAGES, 0)
    assert outcomes(db, 2) == {"unchanged": 20, "not_report": 20}
    assert query(db, "SELECT count(*) FROM document_version") == [(20,)]
    assert query(db, "SELECT count(*) FROM document") == [(20,)]
    run = run_govcrawl("runs", "--last", "1", "--db", f"sqlite:///{db}")
    assert run.returncode == 0 and "not_report 20" in run.stdout and "unchanged 20" in run.stdout

    # pages an older extractor classified are fetched and classified again, reports are not
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE page_state SET extractor_version = '0' WHERE outcome = 'not_report'")
    con.close()
    crawl(regions, db)
    third = served.stats()
    assert (third["articles_304"], third["articles_200"], third["reports_200"]) == (20, 20, 0)
    assert outcomes(db, 3) == {"unchanged": 20, "not_report": 20}
    assert query(db, "SELECT DISTINCT extractor_version FROM page_state "
                     "WHERE outcome = 'not_report'") == [(EXTRACTOR_VERSION,)]
