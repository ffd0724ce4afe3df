"""Near-copies between annual reports: the similarity, the flags the archive gets, the
command that lists them, and a crawl of the demo portals (genuinely different reports)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select, update

from govcrawl.db.engine import open_engine, upgrade
from govcrawl.db.models import Document
from govcrawl.db.store import Store
from govcrawl.extract.model import Extraction
from govcrawl.extract.page import content_hash
from govcrawl.items import FetchedPage
from govcrawl.neardup import (
    DEFAULT_THRESHOLD,
    candidate_pairs,
    flagged_pairs,
    lsh_shape,
    shingles,
    signature,
    similarity,
    touched_years,
    update_near_duplicates,
)
from govcrawl.regions import builtin_registry
from tests.conftest import query, run_govcrawl

SAMPLES = Path("/work/shared/samples")
REPORTS = ("kundulun-2013-report", "gzqz-2013-report", "wulajie-2012-report",
           "zhalantun-chengjisihan-2021-report")


def sample(name: str) -> str:
    return (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")


def change_numbers(text: str, every: int = 4, limit: int = 8) -> str:
    """Change every `every`-th number of the text (at most `limit` of them)."""
    seen = [0]

    def bump(match: re.Match[str]) -> str:
        seen[0] += 1
        if seen[0] % every or seen[0] > every * limit:
            return match.group()
        return str(int(match.group()) * 3 + 7)

    return re.sub(r"\d+", bump, text)


def copied_to_longtan(text: str) -> str:
    """昆都仑区's report passed off as 龙潭区's: the names changed, a few figures too."""
    for old, new in (("昆都仑区", "龙潭区"), ("昆都仑", "龙潭"), ("昆区", "龙潭区"),
                     ("包头", "吉林"), ("自治区", "省")):
        text = text.replace(old, new)
    return change_numbers(text)


def next_year_copy(text: str) -> str:
    """The same jurisdiction's next report, copied from this one: years moved on, a few
    figures changed."""
    text = text.replace("2014", "2015").replace("2013", "2014")
    return change_numbers(text, every=5)


# -- the similarity ------------------------------------------------------------------------------


def test_identical_text_is_one_and_layout_does_not_count() -> None:
    text = sample("kundulun-2013-report")
    assert similarity(text, text) == 1.0
    relaid = text.replace("\n", "  \n\n").replace(",", "，").replace("。", ". ")
    assert similarity(text, relaid) == 1.0


def test_copies_with_names_and_figures_changed_stay_above_the_threshold() -> None:
    text = sample("kundulun-2013-report")
    copy = copied_to_longtan(text)
    assert "昆都仑" not in copy and copy != text
    assert similarity(text, copy) >= DEFAULT_THRESHOLD
    later = next_year_copy(text)
    assert "2013年度" not in later
    assert similarity(text, later) >= DEFAULT_THRESHOLD


def test_unrelated_real_reports_are_far_below_the_threshold() -> None:
    texts = {name: sample(name) for name in REPORTS}
    for i, a in enumerate(REPORTS):
        for b in REPORTS[i + 1 :]:
            value = similarity(texts[a], texts[b])
            assert value < 0.1, (a, b, value)  # two reports of 2013 among them


def test_minhash_estimates_and_lsh_finds_the_copy_only() -> None:
    texts = [sample(name) for name in REPORTS]
    copy = copied_to_longtan(texts[0])
    sets = [shingles(t) for t in [*texts, copy]]
    sigs = np.stack([signature(s) for s in sets])
    exact = similarity(texts[0], copy)
    estimate = float((sigs[0] == sigs[-1]).mean())
    assert abs(estimate - exact) < 0.08
    bands, rows = lsh_shape(DEFAULT_THRESHOLD)
    assert bands * rows <= sigs.shape[1]
    assert [tuple(p) for p in candidate_pairs(sigs, bands, rows).tolist()] == [(0, len(texts))]


def test_hashing_is_the_same_in_another_process() -> None:
    text = sample("gzqz-2013-report")
    here = signature(shingles(text)).tolist()
    code = (
        "import sys, json; from govcrawl.neardup import shingles, signature; "
        "print(json.dumps(signature(shingles(sys.stdin.read())).tolist()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"}, timeout=60,
    )
    assert json.loads(out.stdout) == here


# -- an archive built by the store ---------------------------------------------------------------


def page(url: str, title: str, text: str, year: int, published: date, slug: str) -> FetchedPage:
    ex = Extraction(
        url=url,
        title=title,
        text=text,
        published_at=published,
        report_year=year,
        is_annual_report=True,
        content_hash=content_hash(text),
    )
    return FetchedPage(
        region_slug=slug, url=url, final_url=url, status=200, body=b"<html/>",
        fetched_at=datetime(2026, 1, 1), extraction=ex,
    )


Archive = tuple[Engine, Store, dict[str, int], str]  # engine, store, document ids, URL


@pytest.fixture()
def archive(tmp_path: Path) -> Archive:
    db_url = f"sqlite:///{tmp_path / 'archive.db'}"
    engine = open_engine(db_url)
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    run = store.start_run("manual", ["kundulun", "longtan", "qingzhen"])
    original = sample("kundulun-2013-report")
    docs = [  # (key, url, title, text, year, published, slug, code)
        # the copy is archived first (a lower id), but was published later
        ("copy", "http://www.longtan.gov.cn/zwgk/2014/0315/1.html",
         "龙潭区2013年政府信息公开年度报告", copied_to_longtan(original), 2013,
         date(2014, 3, 15), "longtan", "220203"),
        ("original", "http://www.kundulun.gov.cn/zwgk/2014/0130/1.html",
         "昆都仑区人民政府关于2013年度政府信息公开年度报告", original, 2013, date(2014, 1, 30),
         "kundulun", "150203"),
        ("next_year", "http://www.kundulun.gov.cn/zwgk/2015/0130/1.html",
         "昆都仑区人民政府关于2014年度政府信息公开年度报告", next_year_copy(original), 2014,
         date(2015, 1, 30), "kundulun", "150203"),
        ("unrelated", "http://www.gzqz.gov.cn/zwgk/2014/0120/1.html",
         "清镇市2013年政府信息公开年度报告", sample("gzqz-2013-report"), 2013,
         date(2014, 1, 20), "qingzhen", "520181"),
    ]
    ids = {}
    for key, url, title, text, year, published, slug, code in docs:
        saved = store.save_page(run, page(url, title, text, year, published, slug), code)
        assert saved.outcome == "stored"
        assert saved.document_id is not None
        ids[key] = saved.document_id
    assert ids["copy"] < ids["original"]
    return engine, store, ids, db_url


def values(engine: Engine) -> dict[int, tuple[int | None, float | None]]:
    with engine.connect() as con:
        rows = con.execute(select(Document.id, Document.near_duplicate_of, Document.similarity))
        return {int(i): (o, s) for i, o, s in rows}


def test_copies_point_at_their_originals(archive: Archive) -> None:
    engine, _, ids, _ = archive
    assert all(v == (None, None) for v in values(engine).values())  # nothing before the run
    result = update_near_duplicates(engine)
    assert result.flagged == 2
    got = values(engine)
    copy_of, copy_sim = got[ids["copy"]]
    assert copy_of == ids["original"]
    assert copy_sim is not None and copy_sim >= 0.9
    next_of, next_sim = got[ids["next_year"]]
    assert next_of == ids["original"]
    assert next_sim is not None and next_sim >= 0.9
    original_of, original_sim = got[ids["original"]]
    assert original_of is None  # the original points at nothing...
    assert original_sim == max(copy_sim, next_sim)  # ...but shows how close its copies are
    unrelated_of, unrelated_sim = got[ids["unrelated"]]
    assert unrelated_of is None
    assert unrelated_sim is None or unrelated_sim < 0.1

    pairs = flagged_pairs(engine)
    assert {(p.id, p.other_id) for p in pairs} == {
        (ids["copy"], ids["original"]), (ids["next_year"], ids["original"])
    }
    assert update_near_duplicates(engine).updated == 0  # idempotent


def test_a_copy_rewritten_on_the_site_is_unflagged_after_the_run(
    archive: Archive,
) -> None:
    engine, store, ids, _ = archive
    update_near_duplicates(engine)
    run = store.start_run("scheduled", ["longtan"])
    rewritten = page("http://www.longtan.gov.cn/zwgk/2014/0315/1.html",
                     "龙潭区2013年政府信息公开年度报告",
                     sample("wulajie-2012-report").replace("2012", "2013"), 2013,
                     date(2014, 3, 15), "longtan")
    assert store.save_page(run, rewritten, "220203").outcome == "changed"
    assert touched_years(engine, run) is None  # a changed text: every year is recomputed
    update_near_duplicates(engine, touched_years(engine, run))
    got = values(engine)
    assert got[ids["copy"]][0] is None
    assert got[ids["next_year"]][0] == ids["original"]
    assert got[ids["original"]] == (None, got[ids["next_year"]][1])


def test_a_new_report_is_compared_within_its_years(
    archive: Archive,
) -> None:
    engine, store, ids, _ = archive
    update_near_duplicates(engine)
    run = store.start_run("scheduled", ["qingzhen"])
    copy = page("http://www.gzqz.gov.cn/zwgk/2015/0120/1.html", "清镇市2014年政府信息公开年度报告",
                next_year_copy(sample("gzqz-2013-report")), 2014, date(2015, 1, 20), "qingzhen")
    saved = store.save_page(run, copy, "520181")
    assert saved.outcome == "stored"
    assert touched_years(engine, run) == {2014}
    result = update_near_duplicates(engine, touched_years(engine, run))
    assert result.years == [2013, 2014, 2015]  # its year and the two next to it
    got = values(engine)
    assert got[saved.document_id or 0][0] == ids["unrelated"]  # copied from its own 2013 report
    assert got[ids["copy"]][0] == ids["original"]  # the rest stays as it was


def test_cli_recomputes_and_prints_the_pairs(
    archive: Archive,
) -> None:
    _, _, ids, db_url = archive
    out = run_govcrawl("neardup", "--db", db_url)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "2 near-duplicate reports (similarity >= 0.9)"
    text = out.stdout
    assert f"龙潭区 (220203) 2013 #{ids['copy']} 龙潭区2013年政府信息公开年度报告" in text
    assert f"copies 昆都仑区 (150203) 2013 #{ids['original']}" in text
    assert f"昆都仑区 (150203) 2014 #{ids['next_year']}" in text
    assert "清镇市" not in text
    assert re.match(r"0\.9\d\d  ", lines[0])
    assert "2 flagged" in out.stderr

    year = run_govcrawl("neardup", "--year", "2014", "--json", "--db", db_url)
    assert year.returncode == 0, year.stderr
    pairs = json.loads(year.stdout)
    assert [(p["id"], p["other_id"], p["report_year"]) for p in pairs] == [
        (ids["next_year"], ids["original"], 2014)
    ]
    assert pairs[0]["similarity"] >= 0.9

    strict = run_govcrawl("neardup", "--threshold", "0.995", "--db", db_url)
    assert strict.returncode == 0
    assert strict.stdout.strip() == "no near-duplicate reports (similarity >= 0.995)"
    rows = query(Path(db_url.removeprefix("sqlite:///")),
                 "SELECT count(*) FROM document WHERE near_duplicate_of IS NOT NULL")
    assert rows == [(0,)]

    for bad in (["--threshold", "1.5"], ["--threshold", "0"]):
        wrong = run_govcrawl("neardup", *bad, "--db", db_url)
        assert wrong.returncode == 2
        assert wrong.stderr.count("\n") == 1 and "threshold" in wrong.stderr
    env = run_govcrawl("neardup", "--db", db_url, env={"GOVCRAWL_NEAR_DUPLICATE_THRESHOLD": "2"})
    assert env.returncode == 2 and env.stderr.startswith("govcrawl: error: ")


# -- a crawl of the demo portals -----------------------------------------------------------------


def test_demo_crawl_flags_no_genuinely_different_report(
    portals: object, tmp_path: Path
) -> None:
    regions = tmp_path / "all-portals.toml"
    regions.write_text(portals.regions_toml(("all",)), encoding="utf-8")  # type: ignore[attr-defined]
    db = tmp_path / "demo.db"
    slugs = [r.slug for r in portals.regions(("all",))]  # type: ignore[attr-defined]
    out = run_govcrawl("crawl", *slugs, "--regions-file", str(regions), "--db", f"sqlite:///{db}",
                       "--allow-loopback")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "near-duplicates: " in out.stderr and " 0 flagged" in out.stderr
    reports = query(db, "SELECT id, jurisdiction_code, report_year, near_duplicate_of, similarity "
                        "FROM document WHERE is_annual_report")
    assert len(reports) >= 40
    assert [r for r in reports if r[3] is not None] == []
    measured = [float(r[4]) for r in reports if r[4] is not None]  # type: ignore[arg-type]
    # every jurisdiction with two consecutive years has both measured (same template,
    # different reports: 0.03 to 0.70), none near the threshold
    assert len(measured) >= 30
    assert max(measured) < 0.8
    # the crawl measured what `neardup` measures from scratch
    again = run_govcrawl("neardup", "--db", f"sqlite:///{db}")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "no near-duplicate reports (similarity >= 0.9)"
    assert " 0 rows updated" in again.stderr
    # a re-crawl that stores nothing new leaves the near-copies alone
    recrawl = run_govcrawl("crawl", *slugs, "--regions-file", str(regions), "--db",
                           f"sqlite:///{db}", "--allow-loopback")
    assert recrawl.returncode == 0, recrawl.stderr[-2000:]
    assert "near-duplicates: " not in recrawl.stderr


def test_a_cohort_of_copies_costs_a_few_measurements_per_report(tmp_path: Path) -> None:
    """Every jurisdiction of the registry (22) publishes the same template report (names and
    figures changed): each copy points at an earlier one, with at most MAX_MEASURED exact
    measurements a report, not one per pair (22 * 21 / 2 = 231)."""
    from govcrawl.neardup import MAX_MEASURED

    engine = open_engine(f"sqlite:///{tmp_path / 'cohort.db'}")
    upgrade(engine)
    store = Store(engine)
    registry = builtin_registry()
    store.sync_jurisdictions(registry)
    run = store.start_run("manual", [])
    original = sample("kundulun-2013-report")
    places = sorted(registry, key=lambda r: r.code)
    n = len(places)
    assert n * MAX_MEASURED < n * (n - 1) // 2
    for k, place in enumerate(places):
        text = change_numbers(original.replace("昆都仑", place.name[:3]), every=3 + k % 5)
        url = f"http://www.example{k}.gov.cn/zwgk/2014/0130/1.html"
        title = f"{place.name}2013年政府信息公开年度报告"
        saved = store.save_page(run, page(url, title, text, 2013, date(2014, 1, 1 + k % 28),
                                          place.slug), place.code)
        assert saved.outcome == "stored"
    result = update_near_duplicates(engine)
    assert result.reports == n
    assert result.verified <= n * MAX_MEASURED
    flagged = {i: (o, s) for i, (o, s) in values(engine).items() if o is not None}
    assert len(flagged) == n - 1  # all but the earliest
    assert all(s is not None and s >= 0.9 for _, s in flagged.values())

    # pass 2 with no room for pass 1's shingle sets (a large archive): the same pairs
    import govcrawl.neardup as nd

    with engine.begin() as con:
        con.execute(update(Document).values(near_duplicate_of=None, similarity=None))
    room, nd.KEEP_SHINGLES = nd.KEEP_SHINGLES, 20_000  # a few reports' worth
    try:
        again = update_near_duplicates(engine)
    finally:
        nd.KEEP_SHINGLES = room
    assert (again.verified, again.flagged) == (result.verified, result.flagged)
    assert {i: (o, s) for i, (o, s) in values(engine).items() if o is not None} == flagged


def test_a_jurisdiction_with_many_reports_a_year_costs_a_few_measurements_each(
    tmp_path: Path,
) -> None:
    """One jurisdiction, 12 department reports in 2013 and their 12 copies in 2014: each 2014
    report is measured against its best MAX_MEASURED candidates of 2013, not all 12."""
    from govcrawl.neardup import MAX_MEASURED

    engine = open_engine(f"sqlite:///{tmp_path / 'departments.db'}")
    upgrade(engine)
    store = Store(engine)
    store.sync_jurisdictions(builtin_registry())
    run = store.start_run("manual", ["kundulun"])
    original = sample("kundulun-2013-report")
    n = 12
    for year in (2013, 2014):
        for k in range(n):
            text = change_numbers(original.replace("昆都仑区", f"昆都仑区第{k}局"), every=3 + k % 5)
            if year == 2014:
                text = text.replace("2013", "2014")
            url = f"http://www.kundulun.gov.cn/zwgk/{year}/{k}.html"
            title = f"昆都仑区第{k}局{year}年政府信息公开年度报告"
            saved = store.save_page(run, page(url, title, text, year, date(year + 1, 1, 1 + k),
                                              "kundulun"), "150203")
            assert saved.outcome == "stored"
    result = update_near_duplicates(engine)
    assert result.reports == 2 * n
    assert result.verified <= n * MAX_MEASURED < n * n
    flagged = [o for o, _ in values(engine).values() if o is not None]
    assert len(flagged) == n  # every 2014 report points at a 2013 one
