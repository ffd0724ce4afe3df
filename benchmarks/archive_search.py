"""Search and export on a large generated archive (a benchmark, not a test).

    python benchmarks/archive_search.py                    # 50,000 reports
    python benchmarks/archive_search.py --reports 1000000 --workdir /tmp/big --skip-export

Builds an archive of N annual reports (about 2 KB of text each, made of sentences of
the demo's real report texts, with each report's own jurisdiction, year and figures)
through the project's own schema and migrations, indexes it the way the store does
(the FTS5 trigram table, one row per document), then times, in this process:

* ``govcrawl.search.search`` for a rare and a common four/five-character term, a
  two-character term (the LIKE fallback) and a filtered query: median and p90 of
  `--repeat` runs after one warm-up;
* ``govcrawl search`` as a command (process start-up included), median of 5;
* ``govcrawl.export.write`` to JSON lines, CSV and Parquet: seconds and rows/s.

The archive is kept with ``--workdir`` and reused when it already holds N reports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl.db.engine import open_engine, upgrade  # noqa: E402
from govcrawl.export import write as export_write  # noqa: E402
from govcrawl.search import Filters, search  # noqa: E402

DATA = ROOT / "govcrawl" / "demo" / "data"
BATCH = 5000


def sentences() -> list[str]:
    """Sentences of the demo's report texts (real published reports)."""
    out: list[str] = []
    for path in sorted(DATA.glob("*.txt")):
        if "contentfarm" in path.name:
            continue
        text = path.read_text(encoding="utf-8")
        for part in re.split(r"(?<=[。；！？])", text):
            part = re.sub(r"\s+", "", part)
            if 8 <= len(part) <= 160:
                out.append(part)
    return out


def jurisdictions(n: int) -> list[tuple[str, str, str, str]]:
    """(code, slug, name, province) for n synthetic counties in 31 provinces."""
    rng = random.Random(7)
    syllables = "安宁平和兴隆昌盛永定新华东西南北江山河湖石林泉城阳"
    out = []
    for i in range(n):
        province = f"{11 + i % 31:02d}0000"
        name = "".join(rng.choice(syllables) for _ in range(2)) + ("县" if i % 3 else "区")
        out.append((f"{province[:2]}{i:07d}", f"j{i}", name, province))
    return out


def report_text(rng: random.Random, pool: list[str], name: str, year: int, chars: int) -> str:
    parts = [f"{name}{year}年政府信息公开工作年度报告"]
    size = len(parts[0])
    while size < chars:
        sentence = rng.choice(pool)
        sentence = re.sub(r"\d+", lambda _m: str(rng.randint(0, 999)), sentence)
        parts.append(sentence)
        size += len(sentence)
    return "\n".join(parts)


def build(db: Path, reports: int, chars: int) -> float:
    start = time.perf_counter()
    db.unlink(missing_ok=True)
    engine = open_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    pool = sentences()
    places = jurisdictions(max(100, reports // 10))
    rng = random.Random(2026)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = OFF")
    con.executemany(
        "INSERT INTO jurisdiction (code, slug, name, level, parent_code, province, portal_url) "
        "VALUES (?, ?, ?, 'county', ?, ?, NULL)",
        [(c, s, n, p, p) for c, s, n, p in places],
    )
    con.executemany(
        "INSERT OR IGNORE INTO jurisdiction (code, slug, name, level, parent_code, province, "
        "portal_url) VALUES (?, ?, ?, 'province', NULL, ?, NULL)",
        [(p, f"p{p}", f"省{p}", p) for p in sorted({p for *_, p in places})],
    )
    now = datetime(2026, 11, 1)

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        batch = []
        for i in range(1, reports + 1):
            code, _slug, name, _p = places[i % len(places)]
            year = 2008 + (i // len(places)) % 18
            body = report_text(rng, pool, name, year, chars)
            batch.append((i, code, name, year, body))
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    for batch in batches():
        docs, versions, fts = [], [], []
        for i, code, name, year, body in batch:
            url = f"http://www.{code}.gov.cn/zwgk/zfxxgknb/{year + 1}01/t{year + 1}0125_{i}.html"
            title = f"{name}{year}年政府信息公开工作年度报告"
            published = date(year + 1, 1, 1) + timedelta(days=i % 120)
            due = date(year + 1, 3, 31)
            docs.append((i, hashlib.sha256(url.encode()).hexdigest(), url, code, title, year,
                         published.isoformat(), name + "人民政府", now, now, due.isoformat(),
                         published <= due))
            digest = hashlib.sha256(body.encode()).hexdigest()
            versions.append((i, i, digest, body, now))
            fts.append((i, title, body))
        con.executemany(
            "INSERT INTO document (id, url_hash, url, jurisdiction_code, kind, title, "
            "report_year, published_at, agency, is_annual_report, flags, first_seen_at, "
            "last_seen_at, deadline, on_time) VALUES (?, ?, ?, ?, 'html', ?, ?, ?, ?, 1, '[]', "
            "?, ?, ?, ?)",
            docs,
        )
        con.executemany(
            "INSERT INTO document_version (id, document_id, content_hash, text, tables, raw_ref, "
            "extractor_version, fetched_at) VALUES (?, ?, ?, ?, '[]', NULL, '3', ?)",
            versions,
        )
        con.executemany("INSERT INTO document_fts (rowid, title, text) VALUES (?, ?, ?)", fts)
        con.commit()
    con.execute("INSERT INTO document_fts (document_fts) VALUES ('optimize')")
    con.commit()
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    return time.perf_counter() - start


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    result = fn()  # warm-up (page cache, statement cache)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], result


def count_docs(db: Path) -> int:
    try:
        con = sqlite3.connect(db)
        try:
            return int(con.execute("SELECT count(*) FROM document").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/govcrawl-archive-bench"))
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--chars", type=int, default=2000,
                        help="characters of text per report (default 2000; 700 = ~2 KB UTF-8)")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / f"archive-{args.reports}-{args.chars}.db"
    figures: dict[str, Any] = {"reports": args.reports}
    if count_docs(db) != args.reports:
        print(f"building an archive of {args.reports} reports ...", file=sys.stderr)
        figures["build_s"] = round(build(db, args.reports, args.chars), 1)
    figures["db_mib"] = round(db.stat().st_size / 2**20, 1)
    engine = open_engine(f"sqlite:///{db}")
    con = sqlite3.connect(db)
    year = 2015
    queries: list[tuple[str, str, Filters | None]] = [
        ("rare 4-char", "保密审查", None),
        ("common 5-char", "依申请公开", None),
        ("common 4-char", "政府信息", None),
        ("2-char (LIKE)", "复议", None),
        ("4-char + year", "保密审查", Filters(year=year)),
        ("4-char + province", "保密审查", Filters(province="110000")),
    ]
    lines = [f"archive: {args.reports} reports, {figures['db_mib']} MiB"]
    figures["search"] = {}
    for label, term, filters in queries:
        matches = con.execute(
            "SELECT count(*) FROM document_fts WHERE document_fts MATCH ?", (f'"{term}"',)
        ).fetchone()[0] if len(term) >= 3 else None
        median, p90, hits = timed(lambda t=term, f=filters: search(engine, t, f, 20), args.repeat)
        figures["search"][label] = {"term": term, "median_ms": round(median * 1000, 1),
                                    "p90_ms": round(p90 * 1000, 1), "hits": len(hits),
                                    "matching_documents": matches}
        lines.append(f"  search {label:18} {term:6} median {median * 1000:7.1f} ms  "
                     f"p90 {p90 * 1000:7.1f} ms  ({matches if matches is not None else '?'} "
                     f"documents match; {len(hits)} shown)")
    con.close()
    cli = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "govcrawl", "search", "保密审查", "--db",
                        f"sqlite:///{db}", "--limit", "20"], check=True, capture_output=True)
        cli.append(time.perf_counter() - t0)
    figures["cli_search_median_s"] = round(statistics.median(cli), 3)
    lines.append(f"  `govcrawl search 保密审查` as a command: median "
                 f"{statistics.median(cli):.2f} s (process start-up included)")
    if not args.skip_export:
        figures["export"] = {}
        for fmt in ("jsonl", "csv", "parquet"):
            out_path = args.workdir / f"export.{fmt}"
            t0 = time.perf_counter()
            mode = "wb" if fmt == "parquet" else "w"
            with open(out_path, mode, **({} if fmt == "parquet" else {"encoding": "utf-8"})) as out:
                rows = export_write(engine, fmt, out)
            seconds = time.perf_counter() - t0
            figures["export"][fmt] = {"seconds": round(seconds, 1), "rows": rows,
                                      "mib": round(out_path.stat().st_size / 2**20, 1)}
            mib = out_path.stat().st_size / 2**20
            lines.append(f"  export {fmt:8} {rows} rows in {seconds:5.1f} s "
                         f"({rows / seconds:,.0f} rows/s, {mib:.0f} MiB)")
    print(json.dumps(figures, ensure_ascii=False, indent=1) if args.json else "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
