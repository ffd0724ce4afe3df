from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govcrawl.db.engine import DatabaseError, current_revision, open_engine, upgrade
from govcrawl.db.models import Document, DocumentVersion, Fetch
from govcrawl.db.store import Store
from govcrawl.extract.model import Extraction
from govcrawl.items import FetchedPage, FetchFailed
from govcrawl.regions import builtin_registry

URL = "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220127_1.html"


def page(url: str, text: str, when: datetime, *, reject: str | None = None) -> FetchedPage:
    ex = Extraction(
        url=url,
        title="扎兰屯市2021年政府信息公开工作年度报告",
        text=text,
        published_at=date(2022, 1, 27),
        report_year=2021,
        agency="扎兰屯市人民政府办公室",
        is_annual_report=reject is None,
        flags=[],
        content_hash=f"h-{text}",
        reject=reject,
    )
    return FetchedPage(
        region_slug="zhalantun",
        url=url,
        final_url=url,
        status=200,
        body=b"<html/>",
        fetched_at=when,
        extraction=ex,
    )


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    engine = open_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(engine)
    assert current_revision(engine) == sorted(Path("migrations/versions").glob("0*.py"))[-1].name[:4]
    s = Store(engine)
    s.sync_jurisdictions(builtin_registry())
    s.sync_jurisdictions(builtin_registry())  # idempotent
    return s


def counts(store: Store) -> tuple[int, int, int]:
    with store.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Document)) or 0,
            session.scalar(select(func.count()).select_from(DocumentVersion)) or 0,
            session.scalar(select(func.count()).select_from(Fetch)) or 0,
        )


def test_unchanged_changed_duplicate_and_rejected(store: Store) -> None:
    t1, t2, t3 = datetime(2026, 1, 1), datetime(2026, 1, 2), datetime(2026, 1, 3)
    run1 = store.start_run("manual", ["zhalantun"])
    assert store.save_page(run1, page(URL, "正文一", t1), "150783").outcome == "stored"
    # the same report under a spelling variant of its URL is the same document
    variant = URL.replace("http://www.", "HTTP://WWW.") + "?utm_source=wechat#top"
    assert store.save_page(run1, page(variant, "正文一", t1), "150783").outcome == "unchanged"
    # a mirror at another path with the same text is tied to the first document
    mirror = URL.replace("/zwgk/", "/xxgk/")
    dup = store.save_page(run1, page(mirror, "正文一", t1), "150783")
    assert dup.outcome == "duplicate"
    assert counts(store)[:2] == (1, 1)

    run2 = store.start_run("scheduled", ["zhalantun"])
    assert store.save_page(run2, page(URL, "正文一", t2), "150783").outcome == "unchanged"
    assert counts(store)[:2] == (1, 1)
    run3 = store.start_run("scheduled", ["zhalantun"])
    assert store.save_page(run3, page(URL, "正文二", t3), "150783").outcome == "changed"
    assert counts(store)[:2] == (1, 2)
    with store.sessions() as session:
        doc = session.scalars(select(Document)).one()
        assert (doc.first_seen_at, doc.last_seen_at, doc.last_changed_at) == (t1, t3, t3)
        assert [v.text for v in doc.versions] == ["正文一", "正文二"]

    challenge = URL.replace("_1.html", "_9.html")
    assert (
        store.save_page(run3, page(challenge, "", t3, reject="challenge"), "150783").outcome
        == "challenge"
    )
    store.save_failure(
        run3, FetchFailed("zhalantun", URL.replace("_1", "_404"), "http_error", "HTTP 404", t3, 404)
    )
    assert counts(store)[:2] == (1, 2)
    with store.sessions() as session:
        outcomes = dict(
            session.execute(
                select(Fetch.url, Fetch.outcome).where(Fetch.crawl_run_id == run3)
            ).all()
        )
    assert outcomes[challenge] == "challenge"
    assert outcomes[URL.replace("_1", "_404")] == "http_error"


def test_a_copy_at_another_url_is_revalidated_and_never_vanishes_its_original(
    store: Store,
) -> None:
    t1, t2 = datetime(2026, 1, 1), datetime(2026, 1, 2)
    run1 = store.start_run("manual", ["zhalantun", "other"])
    original = store.save_page(run1, page(URL, "正文一", t1), "150783")
    # the same report at a URL another region lists: tied to the original (``duplicate``)
    mirror = "http://mirror.example.gov.cn/xxgk/t20220127_1.html"
    copy = page(mirror, "正文一", t1)
    copy.region_slug, copy.etag = "other", '"m1"'
    assert store.save_page(run1, copy, "150783").outcome == "duplicate"
    # its validators are kept: the next run asks for it conditionally, like a document's
    assert store.validators("other") == {mirror: ('"m1"', None)}

    with store.sessions.begin() as session:  # the original's own URL answers 404 since
        session.scalars(select(Document)).one().gone_at = t1
    run2 = store.start_run("scheduled", ["other"])
    not_modified = FetchedPage(
        region_slug="other", url=mirror, final_url=mirror, status=304, body=b"",
        fetched_at=t2, etag='"m1"',
    )
    (result,) = store.save_unchanged(run2, [not_modified])
    assert (result.outcome, result.document_id) == ("duplicate", original.document_id)
    assert result.is_annual_report and result.report_year == 2021
    assert counts(store)[:2] == (1, 1)
    with store.sessions() as session:
        fetch = session.scalars(select(Fetch).where(Fetch.crawl_run_id == run2)).one()
        doc = session.scalars(select(Document)).one()
    assert (fetch.outcome, fetch.http_status, fetch.document_id) == (
        "duplicate", 304, original.document_id
    )
    assert doc.last_seen_at == t2  # its text was seen, at the copy's URL
    assert doc.gone_at == t1  # its own URL is gone all the same
    # the other region's complete crawl did not fetch the original's URL (not its own):
    # the original is not "vanished" from it
    assert store.mark_vanished(run2, "other", t2) == 0
    # ... while its own region's crawl that misses it does record that
    run3 = store.start_run("scheduled", ["zhalantun"])
    assert store.mark_vanished(run3, "zhalantun", t2) == 1


@pytest.mark.parametrize(
    "url", ["nonsense://x", "sqlite:////no/such/folder/a.db", "postgresql+nosuchdriver://x/y"]
)
def test_bad_database_urls_get_one_clear_error(url: str) -> None:
    with pytest.raises(DatabaseError) as info:
        open_engine(url)
    assert url in str(info.value)
    assert "\n" not in str(info.value)


def test_a_copied_report_of_another_jurisdiction_is_not_folded(store: Store) -> None:
    when = datetime(2026, 1, 1)
    run = store.start_run("manual", ["zhalantun"])
    assert store.save_page(run, page(URL, "同一正文", when), "150783").outcome == "stored"
    other = page(URL.replace("_1.html", "_2.html"), "同一正文", when)
    assert other.extraction is not None
    other.extraction.title = "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
    assert store.save_page(run, other, "150783103").outcome == "stored"
    assert counts(store)[:2] == (2, 2)


def test_migration_0007_fills_page_state_from_the_fetch_log(tmp_path: Path) -> None:
    """An archive from before ``page_state``: each page's last successful fetch becomes
    its state; pages that are not reports wait for the current extractor."""
    from sqlalchemy import text

    engine = open_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0006")
    fetch = ("INSERT INTO fetch (crawl_run_id, url_hash, url, region_slug, document_id, "
             "http_status, etag, outcome, fetched_at) VALUES "
             "(:run, :hash, :url, 'qingzhen', :doc, :status, :etag, :outcome, '2025-01-0' || :run)")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO jurisdiction VALUES ('520181', 'qingzhen', '清镇市', "
                          "'county', '520100', '520000', NULL)"))
        conn.execute(text("INSERT INTO crawl_run (id, trigger, regions, started_at, status, stats) "
                          "VALUES (1, 'manual', '[]', '2025-01-01', 'ok', '{}'), "
                          "(2, 'manual', '[]', '2025-01-02', 'ok', '{}')"))
        conn.execute(text("INSERT INTO document (id, url_hash, url, jurisdiction_code, kind, "
                          "is_annual_report, flags, first_seen_at, last_seen_at) VALUES "
                          "(1, 'a', 'http://q/a', '520181', 'html', 1, '[]', '2025-01-01', "
                          "'2025-01-02')"))
        for row in (
            {"run": 1, "hash": "a", "url": "http://q/a", "doc": 1, "status": 200, "etag": "1",
             "outcome": "stored"},
            {"run": 2, "hash": "a", "url": "http://q/a", "doc": 1, "status": 200, "etag": "2",
             "outcome": "unchanged"},
            {"run": 1, "hash": "n", "url": "http://q/n", "doc": None, "status": 200, "etag": "3",
             "outcome": "not_report"},
            {"run": 2, "hash": "n", "url": "http://q/n", "doc": None, "status": 500,
             "etag": None, "outcome": "http_error"},
            {"run": 2, "hash": "w", "url": "http://q/w", "doc": None, "status": 412,
             "etag": None, "outcome": "challenge"},
        ):
            conn.execute(text(fetch), row)
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url_hash, document_id, outcome, etag, extractor_version "
                                 "FROM page_state ORDER BY url_hash")).all()
    assert [tuple(r) for r in rows] == [("a", 1, "unchanged", "2", None),
                                        ("n", None, "not_report", "3", None)]
    store = Store(engine)
    assert store.validators("qingzhen") == {"http://q/a": ("2", None)}  # not n: old extractor
    engine.dispose()


def test_a_batch_with_a_page_the_database_refuses_saves_the_others(tmp_path: Path) -> None:
    """The crawl saves extracted pages in batches (one transaction); a page the database
    refuses for good (here: a jurisdiction it does not know) fails alone, and the pages
    that came with it are stored."""
    import asyncio

    from sqlalchemy.exc import IntegrityError

    from govcrawl import pipelines

    db_url = f"sqlite:///{tmp_path / 'batch.db'}"
    engine = open_engine(db_url)
    upgrade(engine)
    Store(engine).sync_jurisdictions(builtin_registry())
    when = datetime(2026, 1, 1)
    pages = [
        (page(f"{URL}?n={n}", f"正文{n}", when), "999999" if n == 1 else "150783")
        for n in range(3)
    ]

    async def crawl() -> list[object]:
        batcher = pipelines.page_batcher(db_url, retries=0)
        saves = [batcher.save(None, p, None, code) for p, code in pages]
        return list(await asyncio.gather(*saves, return_exceptions=True))

    try:
        results = asyncio.run(crawl())
    finally:
        pipelines.shutdown()
    assert [getattr(r, "outcome", None) for r in results] == ["stored", None, "stored"]
    assert isinstance(results[1], IntegrityError)
    with engine.connect() as con:
        stored = con.execute(select(Document.url).order_by(Document.url)).scalars().all()
    assert stored == [f"{URL}?n=0", f"{URL}?n=2"]


def test_the_quick_schema_check_knows_the_heads_alembic_knows(tmp_path: Path) -> None:
    """``upgrade`` skips alembic when the archive is at the head read off the scripts;
    that reading must say what alembic says, and a database behind it is migrated."""
    from alembic.script import ScriptDirectory

    from govcrawl.db.engine import alembic_config, script_heads

    engine = open_engine(f"sqlite:///{tmp_path / 'heads.db'}")
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    assert set(script_heads()) == heads and len(heads) == 1
    upgrade(engine, "0006")
    upgrade(engine)  # behind the head: migrated, not skipped
    assert current_revision(engine) in heads


def test_a_writer_process_that_died_is_started_again(tmp_path: Path) -> None:
    """Extracted pages are archived by a writer process; when it dies (the OOM killer,
    a crash), the next batch starts a new one and nothing is lost."""
    import asyncio
    import os
    import signal

    from govcrawl import pipelines

    db_url = f"sqlite:///{tmp_path / 'writer.db'}"
    engine = open_engine(db_url)
    upgrade(engine)
    Store(engine).sync_jurisdictions(builtin_registry())
    when = datetime(2026, 1, 1)

    async def save(n: int) -> object:
        batcher = pipelines.page_batcher(db_url, retries=0)
        return await batcher.save(None, page(f"{URL}?n={n}", f"正文{n}", when), None, "150783")

    try:
        first = asyncio.run(save(0))
        pool = pipelines._writer_processes[db_url]
        (pid,) = list(pool._processes)  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)
        second = asyncio.run(save(1))
        assert pipelines._writer_processes[db_url] is not pool  # a new one
    finally:
        pipelines.shutdown()
    assert [getattr(r, "outcome", None) for r in (first, second)] == ["stored", "stored"]
    with engine.connect() as con:
        stored = con.execute(select(Document.url).order_by(Document.url)).scalars().all()
    assert stored == [f"{URL}?n=0", f"{URL}?n=1"]


def test_column_memory_is_kept_per_version_and_damaged_rows_are_read_afresh(store: Store) -> None:
    from sqlalchemy import update

    from govcrawl.db.models import PageState
    from govcrawl.items import ColumnMemory, ListingVisited

    when = datetime(2024, 3, 1, 8, 0)
    memory = ColumnMemory(
        url="http://a.gov.cn/nb/index.html",
        digest="d" * 64,
        records=[("http://a.gov.cn/nb/1.html", "2023年政府信息公开工作年度报告", date(2024, 1, 20)),
                 ("http://a.gov.cn/nb/2.pdf", "2022年年报", None)],
        pages=["http://a.gov.cn/nb/index_1.html"],
        etag='"abc"',
        version="v1",
    )
    for url in ("http://a.gov.cn/nb/index.html", "http://a.gov.cn/nb/index_1.html#x"):
        store.save_listing(None, ListingVisited("wanzai", url, 200, when, article_links=2,
                                                followed=2, remember=memory))
    found = store.column_memory("wanzai", "v1")
    # by normalised URL (the spider looks them up so): index.html is its directory
    assert set(found) == {"http://a.gov.cn/nb/", "http://a.gov.cn/nb/index_1.html"}
    assert found["http://a.gov.cn/nb/"] == memory  # dates and all, through JSON
    assert store.column_memory("wanzai", "v2") == {}  # another reader: read afresh
    assert store.column_memory("other", "v1") == {}
    with store.sessions.begin() as session:
        session.execute(update(PageState).where(PageState.url.like("%index_1.html"))
                        .values(links={"records": "not a list"}))
    assert set(store.column_memory("wanzai", "v1")) == {"http://a.gov.cn/nb/"}
    # a column page is not a document: nothing asked for conditionally as one
    assert store.validators("wanzai") == {}
