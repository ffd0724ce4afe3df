"""The archive on a real PostgreSQL server (started by tests/servers.py): migrations on
an empty and a populated database, every command with ``--db postgresql+psycopg://``
behaving as on SQLite (the same exports, search hits, statistics, coverage), region
locks all machines see, writers in several processes that never duplicate, and a
server that is down or refuses: one line, exit 2."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text

from govcrawl.db.engine import current_revision, open_engine, upgrade
from tests.conftest import ROOT, run_govcrawl

if TYPE_CHECKING:
    from tests.servers import Postgres

pytest_plugins = ("tests.servers",)  # the `postgres` fixture

HEAD = sorted((ROOT / "migrations" / "versions").glob("0*.py"))[-1].name[:4]
CLASSIC = ("zhalantun", "kundulun", "qingzhen", "longtan")
#: The same report at two URLs of 扎兰屯市: which one is the document depends on timing.
MIRROR = {"/zwgk/zfxxgknb/202101/t20210129_2998765.html",
          "/zwgk/fdzdgknr/zfxxgknb/202101/t20210129_2998765.html"}  # fmt: skip


def cli(*args: str) -> tuple[int, str, str]:
    """The command line in this process (commands that start no crawl): status, out, err."""
    from govcrawl.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def same_text_urls(db: str, url: str) -> frozenset[str]:
    """The URLs the document at `url` was found at: its own and those of the same text
    (``duplicate``), whichever of them a crawl happened to store first."""
    engine = create_engine(db)
    try:
        with engine.connect() as con:
            rows = con.execute(
                text("SELECT DISTINCT f.url FROM \"fetch\" f JOIN document d ON d.id = f.document_id "
                     "WHERE d.url = :url"),
                {"url": url},
            ).all()
    finally:
        engine.dispose()
    return frozenset({url, *(str(r[0]) for r in rows)})


def scalar(url: str, sql: str, **params: Any) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def rows(url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params).all()]
    finally:
        engine.dispose()


def export_rows(db: str, *extra: str) -> list[str]:
    """`govcrawl export --format jsonl --with-versions`, ids and timestamps left out."""
    code, out, err = cli("export", "--format", "jsonl", "--with-versions", "--db", db, *extra)
    assert code == 0, err
    canon = []
    for line in out.splitlines():
        row = json.loads(line)
        for name in list(row):
            if name.endswith(("_at", "_id", "id", "_of")) or name == "raw_ref":
                del row[name]
        if "/" + row["url"].split("/", 3)[3] in MIRROR:
            row["url"], row["url_hash"] = "MIRROR", "MIRROR"
        canon.append(json.dumps(row, sort_keys=True, ensure_ascii=False))
    return sorted(canon)


def csv_rows(stdout: str, drop: tuple[str, ...]) -> list[tuple[str, ...]]:
    table = list(csv.DictReader(io.StringIO(stdout)))
    return sorted(tuple(v for k, v in r.items() if k not in drop) for r in table)


@pytest.fixture(scope="module")
def archives(
    postgres: Postgres, regions_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """The four classic replicas crawled into PostgreSQL and, the same way, into SQLite
    (the PostgreSQL archive's raw records in PG_RAW)."""
    tmp = tmp_path_factory.mktemp("pg-archives")
    pg = postgres.create_database()
    lite = f"sqlite:///{tmp / 'archive.db'}"
    PG_RAW[pg] = str(tmp / "pg.raw")
    for db, raw in ((pg, PG_RAW[pg]), (lite, str(tmp / "lite.raw"))):
        out = run_govcrawl("crawl", *CLASSIC, "--regions-file", str(regions_file), "--db", db,
                           "--allow-loopback", env={"GOVCRAWL_RAW_DIR": raw})
        assert out.returncode == 0, out.stderr[-3000:]
        assert "13 reports from 4 jurisdictions" in out.stdout
    return pg, lite


PG_RAW: dict[str, str] = {}
_TYPES = {"id": "int", "pid": "int", "report_year": "int", "document_id": "int",
          "crawl_run_id": "int", "http_status": "int", "is_annual_report": "boolean",
          "regions": "json", "stats": "json", "flags": "json", "tables": "json",
          "published_at": "date", "started_at": "timestamp", "finished_at": "timestamp",
          "first_seen_at": "timestamp", "last_seen_at": "timestamp", "fetched_at": "timestamp"}


def test_migrations_upgrade_an_empty_database(postgres: Postgres) -> None:
    url = postgres.create_database()
    engine = open_engine(url)
    upgrade(engine)
    assert current_revision(engine) == HEAD
    tables = {t for (t,) in rows(url, "SELECT tablename FROM pg_tables WHERE schemaname='public'")}
    assert {"jurisdiction", "document", "document_version", "fetch", "crawl_run", "report_stat",
            "report_stat_summary", "alembic_version"} <= tables
    assert "document_fts" not in tables  # SQLite's FTS5 table; pg_trgm here instead
    assert scalar(url, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == 1
    indexes = dict(rows(url, "SELECT indexname, indexdef FROM pg_indexes "
                             "WHERE indexname LIKE '%trgm'"))
    assert "gin (text gin_trgm_ops)" in indexes["ix_document_version_text_trgm"]
    assert "gin (title gin_trgm_ops)" in indexes["ix_document_title_trgm"]
    engine.dispose()


OLD_ROWS = (  # an archive at revision 0003: (table, row)
    ("jurisdiction", {"code": "520181", "slug": "qingzhen", "name": "清镇市", "level": "county",
                      "province": "520000"}),
    ("crawl_run", {"trigger": "manual", "regions": '["qingzhen"]', "started_at": "2024-04-02",
                   "finished_at": "2024-04-02", "status": "ok", "stats": "{}", "pid": 1,
                   "host": "old"}),
    *(row for i, year, published in ((1, 2022, "2023-03-20"), (2, 2023, "2024-04-09")) for row in (
        ("document", {"id": i, "url_hash": f"{i:064d}", "url": f"http://qingzhen.example/{i}.html",
                      "jurisdiction_code": "520181", "kind": "html",
                      "title": f"清镇市{year}年政府信息公开工作年度报告", "report_year": year,
                      "published_at": published, "is_annual_report": True, "flags": "[]",
                      "first_seen_at": "2024-04-02", "last_seen_at": "2024-04-02"}),
        ("document_version", {"document_id": i, "content_hash": f"c{i}", "tables": "[]",
                              "text": f"{year}年，我市进一步规范保密审查工作，依申请公开{i}件。",
                              "extractor_version": "1", "fetched_at": "2024-04-02"}),
        ('"fetch"', {"crawl_run_id": 1, "url_hash": f"{i:064d}", "region_slug": "qingzhen",
                     "url": f"http://qingzhen.example/{i}.html", "document_id": i,
                     "http_status": 200, "outcome": "stored", "fetched_at": "2024-04-02"}),
    )),
)


def test_migrations_upgrade_a_populated_database(postgres: Postgres) -> None:
    url = postgres.create_database()
    engine = open_engine(url)
    upgrade(engine, "0003")  # an archive from before the research fields and pg_trgm
    with engine.begin() as conn:
        for table, row in OLD_ROWS:
            names = ", ".join(row)
            values = ", ".join(f"CAST(:{k} AS {_TYPES.get(k, 'text')})" for k in row)
            conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({values})"), row)
        conn.execute(text("SELECT setval('document_id_seq', 2)"))
    upgrade(engine)
    assert current_revision(engine) == HEAD
    # 0004 filled in the deadlines of the archived reports, and the trigram indexes exist
    assert rows(url, "SELECT report_year, deadline, on_time FROM document ORDER BY id") == [
        (2022, date(2023, 3, 31), True), (2023, date(2024, 3, 31), False)]
    assert scalar(url, "SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%trgm'") == 2
    assert rows(url, "SELECT count(*) FROM document_version") == [(2,)]
    # 0007: each document's last successful fetch is its page state
    assert rows(url, "SELECT document_id, outcome, region_slug FROM page_state ORDER BY 1") == [
        (1, "stored", "qingzhen"), (2, "stored", "qingzhen")]
    code, out, err = cli("search", "保密审查", "--json", "--db", url)
    assert code == 0, err
    hits = json.loads(out)
    assert {h["title"] for h in hits} == {"清镇市2022年政府信息公开工作年度报告",
                                          "清镇市2023年政府信息公开工作年度报告"}
    assert all("[保密审查]" in h["snippet"] for h in hits)
    code, out, err = cli("stats", "--rebuild", "--db", url)  # 0005's tables, filled afterwards
    assert code == 0 and "statistics rebuilt for 2 versions" in out + err, err
    engine.dispose()


def test_a_crawl_into_postgres_exports_what_sqlite_does(archives: tuple[str, str]) -> None:
    pg, lite = archives
    exported = export_rows(pg)
    assert len(exported) == 13
    assert exported == export_rows(lite)
    assert rows(pg, "SELECT count(*), count(DISTINCT url_hash) FROM document") == [(13, 13)]
    code, out, err = cli("runs", "--db", pg)
    assert code == 0 and out.startswith("run 1  ok       manual"), err


@pytest.mark.parametrize(
    ("query", "extra"),
    [("保密审查", ()), ("复议", ("--reports-only",)),
     ("政府信息公开", ("--region", "zhalantun", "--year", "2021")),
     ("依申请公开", ("--province", "520000")), ("%_", ()), ("信息", ("--level", "township"))],
)
def test_search_finds_the_same_on_postgres(
    archives: tuple[str, str], query: str, extra: tuple[str, ...]
) -> None:
    found = {}
    pg, lite = archives
    for db in archives:
        code, out, err = cli("search", query, *extra, "--limit", "100", "--json", "--db", db)
        assert code == 0, err
        hits = json.loads(out)
        # (FTS5's snippet may cut a long term at its 16-token edge: "[政府信息公]…")
        mark = f"[{query}]" if db == pg else "["
        assert all(mark in h["snippet"] for h in hits), hits
        assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
        found[db] = {(h["title"], same_text_urls(db, h["url"])) for h in hits}
    assert found[pg] == found[lite]
    if query != "%_":
        assert found[pg], "the oracle should find something"


def test_a_common_term_is_shown_newest_first_on_postgres_too(
    archives: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import govcrawl.search as search_module

    pg, lite = archives
    monkeypatch.setattr(search_module, "RANK_WINDOW", 3)
    hits = {db: search_module.search(open_engine(db), "政府信息公开", limit=50) for db in archives}
    assert hits[pg].order == "newest" and hits[pg].more_than == 3
    assert {same_text_urls(pg, h.url) for h in hits[pg]} == {
        same_text_urls(lite, h.url) for h in hits[lite]
    }
    ids = [h.document_id for h in hits[pg]]
    assert ids == sorted(ids, reverse=True)


def test_search_on_postgres_ignores_case_like_fts5(postgres: Postgres) -> None:
    from govcrawl.db.store import Store
    from govcrawl.regions import builtin_registry
    from govcrawl.search import search
    from tests.test_store import URL, page

    engine = open_engine(postgres.create_database())
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    run = store.start_run("manual", ["zhalantun"])
    body = "年报全文见附件PDF版本，另有Excel统计表。"
    store.save_page(run, page(URL, body, datetime(2026, 1, 1)), "150783")
    hits = search(engine, "pdf")
    assert [h.document_id for h in hits] == [1]
    assert "[PDF]" in hits[0].snippet  # the text's own spelling in the brackets
    assert [h.document_id for h in search(engine, "excel统计")] == [1]
    store.save_page(run, page(URL, "年报全文见附件。", datetime(2026, 1, 2)), "150783")
    assert search(engine, "pdf") == []  # only the current text is searched
    engine.dispose()


def test_every_command_works_on_postgres(archives: tuple[str, str], tmp_path: Path) -> None:
    pg, lite = archives
    stats = {db: cli("stats", "--format", "csv", "--db", db) for db in archives}
    assert stats[pg][0] == stats[lite][0] == 0, stats[pg][2]
    ids = ("document_id", "version_id", "url")
    assert csv_rows(stats[pg][1], ids) == csv_rows(stats[lite][1], ids)
    assert len(csv_rows(stats[pg][1], ())) == 13
    coverage = {db: cli("coverage", "--format", "csv", "--db", db) for db in archives}
    assert coverage[pg][0] == 0, coverage[pg][2]
    assert (csv_rows(coverage[pg][1], ("document_ids",))
            == csv_rows(coverage[lite][1], ("document_ids",)))
    code, out, err = cli("neardup", "--json", "--db", pg)
    assert code == 0 and json.loads(out) == [], err
    doc_id = scalar(pg, "SELECT id FROM document WHERE url LIKE '%content_34877.html'")
    code, out, err = cli("history", str(doc_id), "--db", pg)
    assert code == 0 and "清镇市2013年政府信息公开年度报告" in out, err
    reextract = run_govcrawl("reextract", "--db", pg, env={"GOVCRAWL_RAW_DIR": PG_RAW[pg]})
    assert reextract.returncode == 0, reextract.stderr
    assert "13 documents: 0 new versions, 13 unchanged" in reextract.stdout + reextract.stderr
    parquet = tmp_path / "a.parquet"
    code, out, err = cli("export", "--format", "parquet", "-o", str(parquet), "--db", pg)
    assert code == 0 and parquet.stat().st_size > 0, err
    code, out, err = cli("db", "upgrade", "--db", pg)
    assert out.strip().endswith(f"schema at revision {HEAD}")
    code, out, err = cli("serve", "--db", pg)
    assert code == 2 and "needs a SQLite archive" in err


def test_a_postgres_server_that_is_down_or_refuses_is_one_line(postgres: Postgres) -> None:
    from tests.servers import free_port

    down = f"postgresql+psycopg://postgres:secret@127.0.0.1:{free_port()}/archive"
    refused = postgres.url("postgres").replace("postgres@", "nobody@")
    for args in (("runs",), ("search", "年报"), ("export", "--format", "csv"), ("history", "1"),
                 ("reextract",), ("stats",), ("coverage", "--format", "csv"), ("neardup",),
                 ("db", "upgrade"), ("crawl", "qingzhen", "--allow-loopback"),
                 ("recrawl", "qingzhen"), ("worker", "--frontier", "redis://127.0.0.1:1/0")):
        for url in (down, refused):
            code, out, err = cli(*args, "--db", url)
            assert code == 2, (args, err)
            assert err.startswith("govcrawl: error: cannot "), err
            assert len(err.strip().splitlines()) == 1, err
            assert "secret" not in err  # the password is never printed
    assert 'role "nobody" does not exist' in cli("runs", "--db", refused)[2]
    # and as users run it: its own process, no traceback
    out = run_govcrawl("crawl", "qingzhen", "--allow-loopback", "--db", down)
    assert out.returncode == 2 and out.stderr.startswith("govcrawl: error: cannot open database")
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr


def test_region_locks_are_advisory_locks_every_machine_sees(
    archives: tuple[str, str], regions_file: Path
) -> None:
    from govcrawl.locks import AdvisoryLocks, region_locks

    pg, _ = archives
    elsewhere = region_locks(pg)  # another machine's run holding 清镇市
    assert isinstance(elsewhere, AdvisoryLocks)
    assert elsewhere.acquire("qingzhen")
    try:
        tail = ("--regions-file", str(regions_file), "--db", pg, "--allow-loopback")
        out = run_govcrawl("crawl", "qingzhen", "longtan", *tail)
        assert out.returncode == 0, out.stderr
        assert "region qingzhen is being crawled by another run (pid " in out.stderr
        assert "3 reports from 1 jurisdictions" in out.stdout  # 龙潭区 is not held
    finally:
        elsewhere.release_all()
    after = run_govcrawl("recrawl", "qingzhen", *tail)
    assert after.returncode == 0 and "3 reports from 1 jurisdictions" in after.stdout, after.stderr
    held = region_locks(pg)
    assert held.acquire("qingzhen") and held.acquire("longtan")  # released when runs ended
    held.release_all()


def _save_concurrently(url: str, start_at: float, worker: int, out: Any) -> None:
    from govcrawl.db.store import Store
    from tests.test_store import page

    store = Store(open_engine(url))
    while time.time() < start_at:
        pass
    outcomes = []
    for i in range(40):
        base = f"http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220127_{i}.html"
        when = datetime(2026, 1, 1, 0, 0, worker)
        # the same page saved by every process; and the same text at a URL of each one's own
        outcomes.append(store.save_page(1, page(base, f"正文{i}", when), "150783").outcome)
        mirror = f"{base}?copy={worker}"
        outcomes.append(store.save_page(1, page(mirror, f"另一篇{i}", when), "150783").outcome)
    out.put(outcomes)
    store.engine.dispose()


def test_concurrent_writers_never_duplicate(postgres: Postgres) -> None:
    from govcrawl.db.store import Store
    from govcrawl.regions import builtin_registry

    url = postgres.create_database()
    engine = open_engine(url)
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    store.start_run("manual", ["zhalantun"])
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 3  # every process saves at the same moment
    processes = [context.Process(target=_save_concurrently, args=(url, start_at, n, results))
                 for n in range(3)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(30)
    # 40 pages, and 40 texts each published at 3 URLs: 80 documents, one version each
    assert rows(url, "SELECT count(*), count(DISTINCT url_hash) FROM document") == [(80, 80)]
    versions = "SELECT count(*), count(DISTINCT document_id) FROM document_version"
    assert rows(url, versions) == [(80, 80)]
    flat = [o for outs in outcomes for o in outs]
    assert flat.count("stored") == 80
    assert sorted(set(flat)) == ["duplicate", "stored", "unchanged"]
    assert rows(url, 'SELECT count(*) FROM "fetch" WHERE outcome = \'duplicate\'') == [(80,)]
    engine.dispose()
