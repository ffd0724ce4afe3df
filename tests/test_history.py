from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from govcrawl import history, reextract
from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.models import Document, DocumentVersion
from govcrawl.db.store import Store
from govcrawl.extract import EXTRACTOR_VERSION, Extraction, PageInput, extract_page
from govcrawl.extract.page import content_hash
from govcrawl.items import FetchedPage
from govcrawl.raw import RawArchive, iter_raw
from govcrawl.regions import builtin_registry

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
URL = "http://www.zhalantun.gov.cn/zwgk/nb/202201/t20220128_123.html"
URL2 = "http://www.zhalantun.gov.cn/zwgk/nb/202301/t20230130_456.html"
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Server", "TRS")]
T1, T2 = datetime(2026, 1, 1, 8, 0, 0, 123456), datetime(2026, 2, 1, 8, 0)
EXTRA_LINE = "这一行是旧版本里多出来的文字"


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Engine, Store, Path]:
    db = tmp_path / "archive.db"
    engine = open_engine(f"sqlite:///{db}")
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    return engine, store, tmp_path / "archive.raw"


def body() -> bytes:
    return (FIXTURES / "trs_report.html").read_bytes()


def extraction(url: str, page: bytes) -> Extraction:
    ex = extract_page(PageInput(url=url, body=page, content_type=HEADERS[0][1], status=200))
    assert ex.reject is None and ex.is_annual_report, ex.reject
    return ex


def save(store: Store, raw_dir: Path, url: str, page: bytes, ex: Extraction, when: datetime) -> int:
    """Archive one fetch the way the crawl does: raw record, then document version."""
    with RawArchive(raw_dir, None) as raw:
        ref = raw.write(url, 200, HEADERS, page, when)
    item = FetchedPage(
        region_slug="zhalantun", url=url, final_url=url, status=200, body=page,
        fetched_at=when, content_type=HEADERS[0][1], extraction=ex,
    )  # fmt: skip
    result = store.save_page(None, item, "150783")
    assert result.document_id is not None, result
    with store.sessions.begin() as session:  # the lead's store will set raw_ref itself
        session.execute(
            update(DocumentVersion)
            .where(DocumentVersion.document_id == result.document_id)
            .where(DocumentVersion.raw_ref.is_(None))
            .values(raw_ref=ref)
        )
    return result.document_id


def all_versions(engine: Engine, doc_id: int) -> list[DocumentVersion]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return list(
            session.scalars(
                select(DocumentVersion)
                .where(DocumentVersion.document_id == doc_id)
                .order_by(DocumentVersion.id)
            )
        )


# -- reextract ----------------------------------------------------------------------------------


def test_reextract_reproduces_the_stored_text(archive: tuple[Engine, Store, Path]) -> None:
    engine, store, raw_dir = archive
    ex = extraction(URL, body())
    doc_id = save(store, raw_dir, URL, body(), ex, T1)
    result = reextract.reextract(engine, raw_dir)
    assert (result.documents, result.versions_added, result.unchanged) == (1, 0, 1)
    assert (result.missing_raw, result.errors) == (0, 0)
    [version] = all_versions(engine, doc_id)
    assert version.text == ex.text and version.content_hash == ex.content_hash

    # made by an older extractor, same text: still nothing to add
    with store.sessions.begin() as session:
        session.execute(update(DocumentVersion).values(extractor_version="0"))
    result = reextract.reextract(engine, raw_dir, "zhalantun", extract_workers=2)
    assert (result.documents, result.versions_added, result.unchanged) == (1, 0, 1)
    assert len(all_versions(engine, doc_id)) == 1


def test_reextract_adds_a_version_when_the_text_differs(
    archive: tuple[Engine, Store, Path],
) -> None:
    engine, store, raw_dir = archive
    ex = extraction(URL, body())
    old_text = ex.text + "\n" + EXTRA_LINE
    stale = replace(
        ex, text=old_text, content_hash=content_hash(old_text), title="旧标题", report_year=1999
    )
    doc_id = save(store, raw_dir, URL, body(), stale, T1)
    [ref] = [ref for ref, _ in iter_raw(raw_dir)]

    result = reextract.reextract(engine, raw_dir)
    assert (result.documents, result.versions_added, result.unchanged) == (1, 1, 0)
    old, new = all_versions(engine, doc_id)
    assert old.text == old_text
    assert new.text == ex.text
    assert new.content_hash == ex.content_hash
    assert new.tables == ex.tables
    assert new.raw_ref == ref == old.raw_ref
    assert new.fetched_at == T1  # the record's fetch time
    assert new.extractor_version == EXTRACTOR_VERSION
    with store.sessions() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.title, doc.report_year) == (ex.title, ex.report_year)
        assert doc.first_seen_at == T1

    # idempotent
    again = reextract.reextract(engine, raw_dir)
    assert (again.versions_added, again.unchanged) == (0, 1)
    assert len(all_versions(engine, doc_id)) == 2


def test_reextract_region_and_missing_raw(archive: tuple[Engine, Store, Path]) -> None:
    engine, store, raw_dir = archive
    page = body()
    first = save(store, raw_dir, URL, page, extraction(URL, page), T1)
    # a second document whose WARC file is gone
    page2 = page.replace("2021年".encode(), "2022年".encode()).replace(
        b"</p>", "。</p>".encode(), 3
    )
    other = raw_dir.parent / "other.raw"
    second = save(store, other, URL2, page2, extraction(URL2, page2), T2)
    assert first != second
    result = reextract.reextract(engine, raw_dir, "150783")
    assert (result.documents, result.unchanged, result.missing_raw) == (2, 1, 1)
    assert any(f"document {second}" in line for line in result.messages)
    # a document with no raw record at all
    with store.sessions.begin() as session:
        session.execute(update(DocumentVersion).values(raw_ref=None))
    assert reextract.reextract(engine, raw_dir).missing_raw == 2
    # the parent region covers its counties; another region has nothing here
    assert reextract.reextract(engine, raw_dir, "150700").documents == 2
    other_region = next(
        r for r in builtin_registry() if r.code not in ("150783", "150700", "150000")
    )
    assert reextract.reextract(engine, raw_dir, other_region.slug).documents == 0
    with pytest.raises(ValueError, match="unknown region"):
        reextract.reextract(engine, raw_dir, "atlantis")


def test_reextract_command(
    archive: tuple[Engine, Store, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    engine, store, raw_dir = archive
    save(store, raw_dir, URL, body(), extraction(URL, body()), T1)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    reextract.add_command(sub)
    db_url = str(engine.url)
    args = parser.parse_args(["reextract", "--region", "zhalantun", "--db", db_url])
    assert reextract.run_command(args) == 0  # the raw dir beside the SQLite file
    assert "1 documents: 0 new versions, 1 unchanged" in capsys.readouterr().out


# -- history ------------------------------------------------------------------------------------


def test_history_lists_versions_and_diffs_the_last_two(
    archive: tuple[Engine, Store, Path],
) -> None:
    engine, store, raw_dir = archive
    ex = extraction(URL, body())
    doc_id = save(store, raw_dir, URL, body(), ex, T1)
    assert history.diff(engine, doc_id) == ""  # one version
    lines = ex.text.split("\n")
    changed_text = "\n".join([*lines[:2], "新增的一行", *lines[3:]])
    changed = replace(ex, text=changed_text, content_hash=content_hash(changed_text))
    save(store, raw_dir, URL, body(), changed, T2)

    doc = history.find_document(engine, str(doc_id))
    assert doc is not None and doc.url == URL
    variant = URL.replace("http://www.", "HTTP://WWW.") + "?utm_source=x#top"
    found = history.find_document(engine, variant)
    assert found is not None and found.id == doc_id
    assert history.find_document(engine, "http://elsewhere.gov.cn/") is None
    assert history.find_document(engine, "99999") is None
    assert history.find_document(engine, "not a url") is None
    bare = history.find_document(engine, URL.removeprefix("http://"))
    assert bare is not None and bare.id == doc_id

    infos = history.versions(engine, doc_id)
    assert [v.fetched_at for v in infos] == [T1, T2]
    assert [v.chars for v in infos] == [len(ex.text), len(changed_text)]
    assert [v.content_hash for v in infos] == [ex.content_hash, changed.content_hash]
    assert all(v.raw_ref and v.extractor_version == EXTRACTOR_VERSION for v in infos)

    text = history.diff(engine, doc_id)
    a, b = infos
    assert text.startswith(
        f"--- version {a.id} (2026-01-01 08:00:00)\n+++ version {b.id} (2026-02-01 08:00:00)\n"
    )
    body_lines = text.splitlines()
    assert [line for line in body_lines if line.startswith("-") and not line.startswith("---")] == [
        "-" + lines[2]
    ]
    assert [line for line in body_lines if line.startswith("+") and not line.startswith("+++")] == [
        "+新增的一行"
    ]
    assert history.diff(engine, doc_id, b.id, a.id).count("+" + lines[2]) == 1
    with pytest.raises(ValueError, match="not a version"):
        history.diff(engine, doc_id, a.id, 12345)

    table = history.format_history(doc, infos)
    assert URL in table and (ex.title or "") in table
    assert "first seen:      2026-01-01 08:00:00" in table
    assert "last changed:    2026-02-01 08:00:00" in table
    ids = ([str(a.id)], [str(b.id)])
    rows = [line.split() for line in table.splitlines() if line.split()[:1] in ids]
    assert rows == [
        [
            str(v.id),
            f"{v.fetched_at:%Y-%m-%d}",
            "08:00:00",
            v.content_hash[:12],
            EXTRACTOR_VERSION,
            str(v.chars),
        ]
        for v in infos
    ]
    assert [v.content_hash[:12] for v in infos] == [ex.content_hash[:12], changed.content_hash[:12]]


def test_history_command(
    archive: tuple[Engine, Store, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    engine, store, raw_dir = archive
    ex = extraction(URL, body())
    doc_id = save(store, raw_dir, URL, body(), ex, T1)
    changed = replace(ex, text=ex.text + "\n尾行", content_hash=content_hash(ex.text + "\n尾行"))
    save(store, raw_dir, URL, body(), changed, T2)
    a, b = (v.id for v in history.versions(engine, doc_id))
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    history.add_command(sub)
    db = ["--db", str(engine.url)]

    assert history.run_command(parser.parse_args(["history", URL, *db])) == 0
    out = capsys.readouterr().out
    assert f"document {doc_id}:" in out and URL in out

    args = parser.parse_args(["history", str(doc_id), "--diff", str(a), str(b), *db])
    assert history.run_command(args) == 0
    assert "+尾行\n" in capsys.readouterr().out

    with pytest.raises(ValueError, match="no document"):
        history.run_command(parser.parse_args(["history", "http://nowhere.gov.cn/", *db]))
