"""Near-copies between annual reports: MinHash over character shingles, LSH banding,
exact Jaccard for the pairs that matter.

What is compared (annual reports only, each by its current text):

* a report and the **same jurisdiction's reports of the previous year** (always, exactly:
  a jurisdiction has a handful of reports a year; one with its departments' reports too has
  dozens, and then the ``MAX_MEASURED`` with the highest MinHash estimates are measured);
* a report and **other jurisdictions' reports of the same year**, through MinHash LSH: every
  report gets a 128-value one-permutation MinHash signature; reports sharing one band of it
  are candidates, candidates whose estimated similarity comes near the threshold are
  verified exactly, at most ``MAX_MEASURED`` earlier ones per report (the best estimates).
  No quadratic loop: 50,000 reports of one year cost 50,000 signatures, and a cohort of
  copies of one template a few measurements per report, not one per pair.

Reports of the same jurisdiction and year (a page and its attachment, a report and its
statistics table) are not compared with each other.

Similarity is the Jaccard index of the two texts' sets of 5-character shingles, after
removing whitespace and punctuation, NFKC and lower case (a report re-laid out or
re-punctuated is the same text; digits count, so changed statistics lower it). Measured:
a real 2013 report with its jurisdiction's name (five spellings) and eight figures changed,
0.91; the next year's report made from it (years moved on, figures changed), 0.94; the demo
portals' different reports written to the same national template, 0.03–0.70; real reports
written independently, 0.01–0.03. Texts under ``MIN_SHINGLES`` shingles (empty scans,
"见附件" pages) are not compared.

Stored per report (``document.similarity``, ``document.near_duplicate_of``):

* when the report is a near-copy (similarity >= threshold, default 0.9, setting
  ``GOVCRAWL_NEAR_DUPLICATE_THRESHOLD``) of an *earlier* report: ``near_duplicate_of`` = that
  report's id and ``similarity`` = their similarity. The copy points at the original;
  "earlier" means an earlier report year, then an earlier publication date (an undated
  report counts as later), then a lower document id (archived first).
* otherwise ``near_duplicate_of`` is empty and ``similarity`` is the highest similarity
  measured for the report: to the same jurisdiction's previous- or next-year report, or to
  another jurisdiction's report the LSH put near the threshold (so an original shows the
  similarity of its copy); empty when nothing was measured.

All hashing is deterministic (no Python ``hash()``): the same archive gives the same
result in every process.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, aliased

from govcrawl.config import Config
from govcrawl.db.models import Document, DocumentVersion, Jurisdiction
from govcrawl.runs import touched_years

SHINGLE = 5
BINS = 128  # one-permutation MinHash: the 64-bit shingle hash space cut into 128 bins
MIN_SHINGLES = 50
DEFAULT_THRESHOLD = 0.9
#: Candidates whose MinHash estimate is this far below the threshold are not verified
#: (the estimate's standard deviation at J = 0.9 is 0.027 with 128 bins: 5.6 sigma).
ESTIMATE_MARGIN = 0.15
#: Candidates measured exactly per report: the earlier reports with the highest estimates
#: (a cohort of near-identical reports would otherwise cost a measurement per pair, n**2/2).
MAX_MEASURED = 8
#: Wanted probability that a pair exactly at the threshold shares a band.
LSH_RECALL = 0.9995
TEXT_CHUNK = 400  # texts read per query
#: Shingle sets kept from pass 1 for pass 2 (bytes): within it, no text is read and
#: shingled twice (a nightly run's years fit; a whole large archive recomputes the rest).
KEEP_SHINGLES = 256 * 1024 * 1024

U64 = np.uint64
_M1, _M2 = U64(0xBF58476D1CE4E5B9), U64(0x94D049BB133111EB)
_PRIME = U64(0x9E3779B97F4A7C15)  # odd: multiplication by it is a bijection mod 2**64
_S30, _S27, _S31, _S57, _S25 = U64(30), U64(27), U64(31), U64(57), U64(25)
_NOT_TEXT = re.compile(r"[\W_]+")
_SENTINEL = np.uint32(0xFFFFFFFF)

Uint64Array = npt.NDArray[np.uint64]
Uint32Array = npt.NDArray[np.uint32]


def _mix(x: Uint64Array) -> Uint64Array:
    """splitmix64's finaliser (wrapping uint64 arithmetic): a well-spread 64-bit hash."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


def normalise(text: str) -> str:
    """The text shingles are taken from: no whitespace or punctuation, NFKC (full-width
    letters and digits as ASCII), lower case. (Punctuation goes first: most of a report's
    full-width characters are punctuation, and NFKC of what is left is usually a no-op.)"""
    kept = _NOT_TEXT.sub("", text)
    if not unicodedata.is_normalized("NFKC", kept):
        kept = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", kept))
    return kept.lower()


def shingles(text: str) -> Uint64Array:
    """The sorted, distinct 64-bit hashes of the text's 5-character shingles."""
    norm = normalise(text)
    n = len(norm) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):
        h = h * _PRIME + points[k : k + n]
    h = np.sort(_mix(h))
    distinct = np.empty(n, dtype=bool)
    distinct[0] = True
    np.not_equal(h[1:], h[:-1], out=distinct[1:])
    return h[distinct]


def jaccard(a: Uint64Array, b: Uint64Array) -> float:
    """Exact Jaccard index of two shingle sets (as `shingles` returns them)."""
    if a.size == 0 or b.size == 0:
        return 1.0 if a.size == b.size else 0.0
    if a.size > b.size:
        a, b = b, a
    at = np.searchsorted(b, a)
    at[at == b.size] = 0
    inter = int(np.count_nonzero(b[at] == a))
    return inter / (a.size + b.size - inter)


def similarity(text_a: str, text_b: str) -> float:
    """Jaccard similarity of two texts' 5-character shingles (1.0: the same text)."""
    return jaccard(shingles(text_a), shingles(text_b))


def _probe_table() -> npt.NDArray[np.int64]:
    """For each bin, a fixed sequence of other bins an empty bin borrows from
    (densified one-permutation hashing; the same for every document)."""
    idx = np.arange(BINS * 64, dtype=np.uint64) + U64(0x5EED)
    return (_mix(idx) % U64(BINS)).astype(np.int64).reshape(BINS, 64)


_PROBES = _probe_table()
_BIN_STARTS = np.arange(BINS, dtype=np.uint64) << _S57


def signature(hashes: Uint64Array) -> Uint32Array:
    """128-value MinHash signature of a sorted shingle-hash set: the least hash of
    each bin (bits 25..56), empty bins filled from a fixed sequence of other bins."""
    sig = np.full(BINS, _SENTINEL, dtype=np.uint32)
    if hashes.size == 0:
        return sig
    at = np.searchsorted(hashes, _BIN_STARTS)
    inside = at < hashes.size
    first = hashes[np.minimum(at, hashes.size - 1)]
    filled = inside & ((first >> _S57) == np.arange(BINS, dtype=np.uint64))
    sig[filled] = ((first[filled] >> _S25) & U64(0xFFFFFFFF)).astype(np.uint32)
    if not filled.all():
        source = sig.copy()
        for j in np.flatnonzero(~filled):
            for c in _PROBES[j]:
                if filled[c]:
                    sig[j] = source[c]
                    break
    return sig


def lsh_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows): the most rows per band such that a pair at the threshold shares a
    band with probability >= LSH_RECALL (more rows: fewer chance candidates)."""
    best = (BINS, 1)
    for rows in range(1, 17):
        bands = BINS // rows
        if 1 - (1 - threshold**rows) ** bands >= LSH_RECALL:
            best = (bands, rows)
    return best


def candidate_pairs(sigs: Uint32Array, bands: int, rows: int) -> npt.NDArray[np.int64]:
    """Index pairs (i < j), one row each, of signatures equal on at least one band."""
    n = sigs.shape[0]
    found: list[npt.NDArray[np.int64]] = []
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    for b in range(bands):
        block = sigs[:, b * rows : (b + 1) * rows].astype(np.uint64)
        key = np.full(n, U64(b + 1), dtype=np.uint64)
        for col in range(rows):
            key = _mix(key * _PRIME + block[:, col])
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        boundaries = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
        starts = np.concatenate(([0], boundaries))
        ends = np.concatenate((boundaries, [n]))
        for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            members = np.sort(order[s:e])
            i, j = np.triu_indices(members.size, 1)
            found.append(np.stack((members[i], members[j]), axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    return np.unique(pairs, axis=0)


# -- the archive ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Report:
    id: int
    jurisdiction: str
    year: int
    published_at: date | None
    version_id: int

    @property
    def order(self) -> tuple[int, bool, date, int]:
        """Earlier sorts first: year, then dated before undated, then date, then id."""
        return (self.year, self.published_at is None, self.published_at or date.min, self.id)


@dataclass
class NearDupResult:
    years: list[int] = field(default_factory=list)  # report years recomputed
    reports: int = 0  # reports whose text was compared
    too_short: int = 0  # reports whose text is too short to compare
    verified: int = 0  # pairs whose exact similarity was computed
    flagged: int = 0  # reports (of those years) flagged as near-copies
    updated: int = 0  # document rows whose values changed
    seconds: float = 0.0

    def summary(self) -> str:
        years = _years_text(self.years)
        return (
            f"near-duplicates: {self.reports} reports of {years} compared "
            f"({self.verified} pairs measured), {self.flagged} flagged, "
            f"{self.updated} rows updated in {self.seconds:.1f} s"
        )


def _years_text(years: Sequence[int]) -> str:
    if not years:
        return "no year"
    if len(years) > 1 and list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def _reports(engine: Engine, years: set[int] | None) -> list[_Report]:
    latest = (
        select(
            DocumentVersion.document_id.label("doc"),
            func.max(DocumentVersion.id).label("vid"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    query = (
        select(
            Document.id,
            Document.jurisdiction_code,
            Document.report_year,
            Document.published_at,
            latest.c.vid,
        )
        .join(latest, latest.c.doc == Document.id)
        .where(Document.is_annual_report.is_(True), Document.report_year.is_not(None))
    )
    if years is not None:
        query = query.where(Document.report_year.in_(sorted(years)))
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [_Report(int(i), str(j), int(y), p, int(v)) for i, j, y, p, v in rows]


def _texts(engine: Engine, reports: Sequence[_Report]) -> Iterator[tuple[_Report, str]]:
    """The current text of each report, in the order given (read in chunks)."""
    with Session(engine) as session:
        for start in range(0, len(reports), TEXT_CHUNK):
            chunk = reports[start : start + TEXT_CHUNK]
            rows = session.execute(
                select(DocumentVersion.id, DocumentVersion.text).where(
                    DocumentVersion.id.in_([r.version_id for r in chunk])
                )
            ).all()
            texts = {int(vid): str(body or "") for vid, body in rows}
            for report in chunk:
                yield report, texts.get(report.version_id, "")


class _Pairs:
    """Measured pairs, by report index."""

    def __init__(self) -> None:
        self.of: dict[int, list[tuple[int, float]]] = defaultdict(list)
        self.count = 0

    def add(self, a: int, b: int, value: float) -> None:
        value = round(value, 4)  # as stored: the flag agrees with the value shown
        self.of[a].append((b, value))
        self.of[b].append((a, value))
        self.count += 1


def _choose(
    index: int, reports: Sequence[_Report], pairs: _Pairs, threshold: float
) -> tuple[int | None, float | None]:
    """(near_duplicate_of, similarity) of one report from its measured pairs: the most
    similar earlier report at or above the threshold (ties: the earliest), else no
    pointer and the highest similarity measured."""
    measured = pairs.of.get(index, [])
    if not measured:
        return None, None
    me = reports[index].order
    originals = [(v, o) for o, v in measured if v >= threshold and reports[o].order < me]
    if originals:
        value, other = min(originals, key=lambda p: (-p[0], reports[p[1]].order))
        return reports[other].id, value
    return None, max(v for _, v in measured)


def best_earlier(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    estimate: npt.NDArray[np.float64],
    place: npt.NDArray[np.int64],
    most: int,
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs (a[k], b[k]) to measure: for each report, the `most` pairs
    with an earlier report (by `place`) that have the highest estimates. A report points
    at the most similar earlier one, which is among them but for estimate noise; a pair
    none of whose reports needs it is not measured."""
    if a.size == 0:
        return np.zeros(0, dtype=bool)
    newer = np.where(place[a] > place[b], a, b)
    order = np.lexsort((-estimate, newer))  # by report, best estimate first
    grouped = newer[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, grouped.size])
    rank = np.arange(grouped.size) - np.repeat(starts, sizes)
    keep = np.zeros(a.size, dtype=bool)
    keep[order[rank < most]] = True
    return keep


def update_near_duplicates(
    engine: Engine,
    years: Iterable[int] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> NearDupResult:
    """Recompute `similarity` and `near_duplicate_of` of the annual reports of `years`
    (None: every year) and of the years next to them (their values depend on these
    years' texts), in one transaction."""
    if not 0 < threshold <= 1:
        raise ValueError(f"the near-duplicate threshold must be in (0, 1], got {threshold}")
    started = time.monotonic()
    result = NearDupResult()
    if years is None:
        target: set[int] | None = None
        load: set[int] | None = None
    else:
        given = {int(y) for y in years}
        target = {y + d for y in given for d in (-1, 0, 1)}
        load = {y + d for y in target for d in (-1, 0, 1)}
    reports = _reports(engine, load)
    if target is None:
        target = {r.year for r in reports}
    result.years = sorted(target)
    reports.sort(key=lambda r: (r.jurisdiction, r.year, r.id))

    # Pass 1: signatures of all; exact similarity with the same jurisdiction's previous year.
    sigs = np.full((len(reports), BINS), _SENTINEL, dtype=np.uint32)
    valid = np.zeros(len(reports), dtype=bool)
    pairs = _Pairs()
    current: str | None = None
    held: dict[int, list[tuple[int, Uint64Array, Uint32Array]]] = {}  # year -> reports
    kept: dict[int, Uint64Array] = {}  # pass 1's shingle sets of target years, for pass 2
    room = KEEP_SHINGLES
    for index, (report, body) in enumerate(_texts(engine, reports)):
        if report.jurisdiction != current:
            current, held = report.jurisdiction, {}
        hashes = shingles(body)
        if hashes.size < MIN_SHINGLES:
            if report.year in target:
                result.too_short += 1
            continue
        valid[index] = True
        sig = signature(hashes)
        if report.year in target:
            sigs[index] = sig
            result.reports += 1
            if hashes.nbytes <= room:
                kept[index] = hashes
                room -= hashes.nbytes
        previous = [
            (other, other_hashes, other_sig)
            for other, other_hashes, other_sig in held.get(report.year - 1, [])
            if report.year in target or reports[other].year in target
        ]
        if len(previous) > MAX_MEASURED:  # a jurisdiction with many reports a year
            previous.sort(key=lambda p: -float(np.count_nonzero(p[2] == sig)))
            previous = previous[:MAX_MEASURED]
        for other, other_hashes, _ in previous:
            pairs.add(index, other, jaccard(hashes, other_hashes))
        held.setdefault(report.year, []).append((index, hashes, sig))
        held.pop(report.year - 2, None)

    # Pass 2: other jurisdictions of the same year, through LSH, verified exactly.
    bands, rows = lsh_shape(threshold)
    wanted: list[tuple[int, int]] = []
    later = np.empty(len(reports), dtype=np.int64)  # each report's place in `order`
    later[sorted(range(len(reports)), key=lambda i: reports[i].order)] = np.arange(len(reports))
    by_year: dict[int, list[int]] = defaultdict(list)
    for index, report in enumerate(reports):
        if valid[index] and report.year in target:
            by_year[report.year].append(index)
    for year in sorted(by_year):
        members = np.array(by_year[year], dtype=np.int64)
        local = candidate_pairs(sigs[members], bands, rows)
        if local.size == 0:
            continue
        a, b = members[local[:, 0]], members[local[:, 1]]
        other_place = np.array(
            [reports[i].jurisdiction != reports[j].jurisdiction for i, j in zip(a, b, strict=True)],
            dtype=bool,
        )
        a, b = a[other_place], b[other_place]
        estimate = (sigs[a] == sigs[b]).mean(axis=1)
        near = estimate >= threshold - ESTIMATE_MARGIN
        a, b, estimate = a[near], b[near], estimate[near]
        keep = best_earlier(a, b, estimate, later, MAX_MEASURED)
        wanted.extend(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
    if wanted:
        needed = sorted({i for pair in wanted for i in pair} - kept.keys())
        cache = {
            needed[k]: shingles(body)
            for k, (_, body) in enumerate(_texts(engine, [reports[i] for i in needed]))
        }
        cache.update(kept)
        for i, j in wanted:
            pairs.add(i, j, jaccard(cache[i], cache[j]))
    result.verified = pairs.count

    # Write: the target years' reports, and stale values of documents no longer comparable.
    desired: dict[int, tuple[int | None, float | None]] = {}
    for index, report in enumerate(reports):
        if report.year not in target:
            continue
        other_id, value = _choose(index, reports, pairs, threshold)
        desired[report.id] = (other_id, value)
        if other_id is not None:
            result.flagged += 1
    with Session(engine) as session, session.begin():
        current_rows = session.execute(
            select(Document.id, Document.near_duplicate_of, Document.similarity).where(
                Document.report_year.in_(sorted(target))
            )
        ).all()
        changes = []
        for doc_id, other_id, value in current_rows:
            want = desired.get(int(doc_id), (None, None))
            have = (other_id, None if value is None else round(float(value), 4))
            if want != have:
                changes.append({"id": int(doc_id), "near_duplicate_of": want[0],
                                "similarity": want[1]})
        if changes:
            session.execute(update(Document), changes)
        stale = session.execute(
            update(Document)
            .where(
                (Document.near_duplicate_of.is_not(None)) | (Document.similarity.is_not(None)),
                (Document.is_annual_report.is_(False)) | (Document.report_year.is_(None)),
            )
            .values(near_duplicate_of=None, similarity=None)
            .execution_options(synchronize_session=False)
        )
        result.updated = len(changes) + int(getattr(stale, "rowcount", 0) or 0)
    result.seconds = time.monotonic() - started
    return result


# -- after a crawl, and the flagged pairs --------------------------------------------------------


def update_after_run(
    engine: Engine, run_id: int, threshold: float, lock_directory: Path
) -> NearDupResult | None:
    """Recompute the near-copies the run may have changed (nothing when it stored no
    new or changed report). Runs one at a time (a lock file beside the archive's region
    locks): a run that finishes later recomputes with everything the earlier one wrote."""
    years = touched_years(engine, run_id)
    if years is not None and not years:
        return None
    lock_directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_directory / "neardup.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return update_near_duplicates(engine, years, threshold)
    finally:
        os.close(fd)


def after_run(config: Config, engine: Engine, run_id: int) -> None:
    """The end of a crawl run: recompute what it touched and say so on stderr. A failure
    here leaves the crawl's archive as it is and is reported in one line."""
    from govcrawl.locks import lock_dir

    try:
        result = update_after_run(
            engine, run_id, config.near_duplicate_threshold, lock_dir(config.db_url)
        )
    except Exception as exc:  # the crawl itself succeeded; `govcrawl neardup` retries
        print(f"near-duplicate detection failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return
    if result is not None:
        print(result.summary(), file=sys.stderr)


@dataclass(frozen=True)
class FlaggedPair:
    id: int
    jurisdiction_code: str
    jurisdiction_name: str
    report_year: int | None
    title: str | None
    similarity: float
    other_id: int
    other_jurisdiction_code: str
    other_jurisdiction_name: str
    other_report_year: int | None
    other_title: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def flagged_pairs(engine: Engine, year: int | None = None) -> list[FlaggedPair]:
    """The reports flagged as near-copies (of `year`, if given), most similar first."""
    other = aliased(Document)
    place, other_place = aliased(Jurisdiction), aliased(Jurisdiction)
    query = (
        select(
            Document.id,
            Document.jurisdiction_code,
            place.name,
            Document.report_year,
            Document.title,
            Document.similarity,
            other.id,
            other.jurisdiction_code,
            other_place.name,
            other.report_year,
            other.title,
        )
        .join(other, other.id == Document.near_duplicate_of)
        .join(place, place.code == Document.jurisdiction_code, isouter=True)
        .join(other_place, other_place.code == other.jurisdiction_code, isouter=True)
        .order_by(Document.similarity.desc(), Document.report_year, Document.id)
    )
    if year is not None:
        query = query.where(Document.report_year == year)
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [
        FlaggedPair(
            int(r[0]), str(r[1]), str(r[2] or r[1]), r[3], r[4], float(r[5] or 0.0),
            int(r[6]), str(r[7]), str(r[8] or r[7]), r[9], r[10],
        )
        for r in rows
    ]


def format_pairs(pairs: Sequence[FlaggedPair], threshold: float) -> str:
    if not pairs:
        return f"no near-duplicate reports (similarity >= {threshold:g})"
    lines = []
    for p in pairs:
        lines.append(
            f"{p.similarity:.3f}  {p.jurisdiction_name} ({p.jurisdiction_code}) "
            f"{p.report_year or '-'} #{p.id} {p.title or '(untitled)'}"
        )
        lines.append(
            f"       copies {p.other_jurisdiction_name} ({p.other_jurisdiction_code}) "
            f"{p.other_report_year or '-'} #{p.other_id} {p.other_title or '(untitled)'}"
        )
    lines.append(f"{len(pairs)} near-duplicate reports (similarity >= {threshold:g})")
    return "\n".join(lines)
