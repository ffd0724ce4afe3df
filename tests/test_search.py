"""Chinese full-text search over a crawled archive, with filters."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from govcrawl.db.engine import open_engine
from govcrawl.search import Filters, SearchError, region_codes, search
from tests.conftest import run_govcrawl


@pytest.fixture(scope="module")
def archive(portals: object, regions_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("search") / "archive.db"
    out = run_govcrawl("crawl", "zhalantun", "kundulun", "qingzhen", "longtan", "--regions-file",
                       str(regions_file), "--db", f"sqlite:///{db}", "--allow-loopback")
    assert out.returncode == 0, out.stderr[-2000:]
    return f"sqlite:///{db}"


def titles(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {h.title for h in hits}


def containing(archive: str, term: str) -> set[str]:
    """The oracle: titles of documents whose current text contains the term."""
    from tests.conftest import query

    db = Path(archive.removeprefix("sqlite:///"))
    rows = query(db, "SELECT d.title, v.text FROM document d JOIN document_version v ON v.id = "
                     "(SELECT max(id) FROM document_version WHERE document_id = d.id)")
    return {str(t) for t, body in rows if term in str(body)}


def test_four_character_term_uses_the_trigram_index(archive: str) -> None:
    hits = search(open_engine(archive), "保密审查", limit=50)
    expected = containing(archive, "保密审查")
    assert 2 <= len(expected) < 13
    assert titles(hits) == expected
    assert all("[保密审查]" in h.snippet for h in hits)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_two_character_term_falls_back_to_like(archive: str) -> None:
    hits = search(open_engine(archive), "复议", Filters(reports_only=True), limit=50)
    expected = containing(archive, "复议")
    assert len(expected) >= 5
    assert titles(hits) == expected
    assert all("[复议]" in h.snippet for h in hits)


def test_filters_combine(archive: str) -> None:
    engine = open_engine(archive)
    zhalantun = region_codes(engine, "zhalantun")
    assert set(zhalantun) == {"150783", "150783103"}  # the county and its town
    hits = search(engine, "政府信息公开", Filters(region_codes=zhalantun, year=2021), limit=50)
    assert titles(hits) == {"扎兰屯市2021年政府信息公开工作年度报告",
                            "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"}
    town = search(engine, "政府信息公开", Filters(level="township"), limit=50)
    assert {h.jurisdiction_code for h in town} == {"150783103", "220203102"}
    guizhou = search(engine, "政府信息公开", Filters(province="520000", year=2013), limit=50)
    assert titles(guizhou) == {"清镇市2013年政府信息公开年度报告"}


def test_queries_with_search_syntax_are_text(archive: str) -> None:
    engine = open_engine(archive)
    assert search(engine, 'AND "OR NEAR(', limit=5) == []
    assert search(engine, "%_", limit=5) == []
    with pytest.raises(SearchError):
        search(engine, "   ")
    with pytest.raises(SearchError, match="unknown region"):
        region_codes(engine, "atlantis")


def test_cli_json_and_errors(archive: str) -> None:
    out = run_govcrawl("search", "依申请公开", "--region", "520181", "--reports-only", "--json",
                       "--db", archive)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert hits and {h["jurisdiction_code"] for h in hits} == {"520181"}
    assert {"rank", "title", "url", "snippet", "report_year"} <= set(hits[0])
    bad = run_govcrawl("search", "报告", "--region", "atlantis", "--db", archive)
    assert bad.returncode == 2 and "unknown region 'atlantis'" in bad.stderr


def test_index_follows_new_versions(tmp_path: Path) -> None:
    from govcrawl.db.engine import upgrade
    from govcrawl.db.store import Store
    from govcrawl.regions import builtin_registry
    from tests.test_store import URL, page

    engine = open_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    run = store.start_run("manual", ["zhalantun"])
    store.save_page(run, page(URL, "本年度受理申请十二件", datetime(2026, 1, 1)), "150783")
    assert [h.document_id for h in search(engine, "受理申请")] == [1]
    store.save_page(run, page(URL, "本年度办理答复十二件", datetime(2026, 1, 2)), "150783")
    assert search(engine, "受理申请") == []
    assert [h.document_id for h in search(engine, "办理答复")] == [1]


def test_exports_round_trip_with_filters(archive: str, tmp_path: Path) -> None:
    import csv

    import pyarrow.parquet as pq

    from tests.conftest import query

    db = Path(archive.removeprefix("sqlite:///"))
    (total,) = query(db, "SELECT count(*) FROM document")[0]
    jsonl = run_govcrawl("export", "--format", "jsonl", "--db", archive)
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(records) == total
    parquet = tmp_path / "all.parquet"
    out = run_govcrawl("export", "--format", "parquet", "-o", str(parquet), "--db", archive)
    assert out.returncode == 0, out.stderr
    table = pq.read_table(parquet)
    assert table.num_rows == total
    assert str(table.schema.field("published_at").type) == "date32[day]"
    assert str(table.schema.field("flags").type) == "list<element: string>"
    assert str(table.schema.field("on_time").type) == "bool"
    by_hash = {r["url_hash"]: r for r in records}
    for row in table.to_pylist():
        mine = by_hash[row["url_hash"]]
        assert (row["title"], row["report_year"], row["published_at"].isoformat(), row["text"]) == (
            mine["title"], mine["report_year"], mine["published_at"], mine["text"])
    # filters as for search
    csv_file = tmp_path / "qz.csv"
    out = run_govcrawl("export", "--format", "csv", "-o", str(csv_file), "--region", "qingzhen",
                       "--year", "2013", "--reports-only", "--db", archive)
    assert out.returncode == 0, out.stderr
    with csv_file.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["title"], r["on_time"], r["deadline"]) for r in rows] == [
        ("清镇市2013年政府信息公开年度报告", "1", "2014-03-31")]
    # one row per version
    versions = run_govcrawl("export", "--format", "jsonl", "--with-versions", "--db", archive)
    lines = [json.loads(line) for line in versions.stdout.splitlines()]
    (n_versions,) = query(db, "SELECT count(*) FROM document_version")[0]
    assert len(lines) == n_versions
    assert {"version_id", "version_fetched_at", "extractor_version", "raw_ref"} <= set(lines[0])
    bad = run_govcrawl("export", "--format", "parquet", "--db", archive)
    assert bad.returncode == 2 and "-o FILE" in bad.stderr


def test_a_term_matching_more_than_the_rank_window_is_shown_newest_first(
    archive: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import govcrawl.search as search_module

    expected = containing(archive, "政府信息公开")
    assert len(expected) > 4
    monkeypatch.setattr(search_module, "RANK_WINDOW", 3)
    hits = search(open_engine(archive), "政府信息公开", limit=50)
    assert hits.order == "newest" and hits.more_than == 3
    assert titles(hits) == expected  # every match still found, and only those
    ids = [h.document_id for h in hits]
    assert ids == sorted(ids, reverse=True)
    assert "more than 3 documents match: newest first" in search_module.format_hits(hits)
    # the same for two characters (the scan stops once the window is passed)
    short = search(open_engine(archive), "复议", limit=50)
    assert short.order == "newest" and titles(short) == containing(archive, "复议")
    short_ids = [h.document_id for h in short]
    assert short_ids == sorted(short_ids, reverse=True)
    # within the window: ranked by bm25, as before
    monkeypatch.setattr(search_module, "RANK_WINDOW", 10_000)
    ranked = search(open_engine(archive), "政府信息公开", limit=50)
    assert ranked.order == "relevance" and titles(ranked) == expected
