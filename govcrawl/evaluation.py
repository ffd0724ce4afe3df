"""Scoring extraction against the gold evaluation set (``tests/eval/``).

    govcrawl eval [--set DIR] [--json] [--engines govcrawl,trafilatura,...]

For every gold page and every engine: character-level precision, recall and F1
of the extracted text against the gold text (whitespace and the table separator
``|`` removed; matched characters = the matching blocks of
``difflib.SequenceMatcher(autojunk=False)``), chrome strings leaked, missing
must-contain strings, table cells found in their row, title exactness, date
accuracy, and (for govcrawl) the quality flags and rejects. Overall scores are
micro-averaged. The method is stated in ``tests/eval/README.md``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from govcrawl.extract import PageInput, extract_page

ENGINES = ("govcrawl", "trafilatura", "trafilatura_no_tables")
_SQUASH_RE = re.compile(r"[\s|]+")


def default_set() -> Path:
    """tests/eval of the source checkout govcrawl runs from (or of the working folder)."""
    here = Path(__file__).resolve().parents[1] / "tests" / "eval"
    return here if here.is_dir() else Path.cwd() / "tests" / "eval"


@dataclass(frozen=True)
class Gold:
    id: str
    root: Path
    page: str
    url: str
    origin: str
    status: int
    content_type: str | None
    kind: str
    title: str | None
    published: str | None
    text: str
    tables: list[list[list[str]]]
    must_contain: list[str]
    must_not_contain: list[str]
    flags: list[str]
    reject: str | None
    is_report: bool

    @property
    def body(self) -> bytes:
        return (self.root / self.page).read_bytes()


@dataclass
class Output:
    """What one engine made of one page."""

    text: str
    title: str | None = None
    published: str | None = None
    flags: list[str] = field(default_factory=list)
    reject: str | None = None
    is_report: bool | None = None
    seconds: float = 0.0


@dataclass
class PageScore:
    id: str
    engine: str
    matched: int
    extracted_chars: int
    gold_chars: int
    precision: float
    recall: float
    f1: float
    chrome_leaked: list[str]
    missing: list[str]
    cells_found: int
    cells_total: int
    title_exact: bool | None
    date_correct: bool | None
    flags: list[str]
    reject: str | None
    seconds: float


def load_gold(directory: Path) -> list[Gold]:
    root = directory.resolve().parents[1]
    golds: list[Gold] = []
    for path in sorted((directory / "gold").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        fields = {k: data.get(k) for k in Gold.__dataclass_fields__ if k != "root"}
        fields["tables"] = fields.get("tables") or []
        fields["must_contain"] = fields.get("must_contain") or []
        fields["must_not_contain"] = fields.get("must_not_contain") or []
        fields["flags"] = fields.get("flags") or []
        fields["text"] = fields.get("text") or ""
        fields["status"] = fields.get("status") or 200
        golds.append(Gold(root=root, **fields))
    return golds


def squash(text: str) -> str:
    return _SQUASH_RE.sub("", text)


def char_match(extracted: str, gold: str) -> int:
    a, b = squash(extracted), squash(gold)
    if not a or not b:
        return 0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def cells_in_rows(text: str, tables: Iterable[list[list[str]]]) -> tuple[int, int]:
    """(gold cells found in their row, gold cells): a row is the text line holding
    most of the gold row's cells."""
    lines = [squash(line) for line in text.splitlines() if line.strip()]
    found = total = 0
    for table in tables:
        for row in table:
            cells = [squash(c) for c in row if squash(c)]
            if not cells:
                continue
            total += len(cells)
            best = 0
            for line in lines:
                hits = sum(1 for c in cells if c in line)
                if hits > best:
                    best = hits
                    if best == len(cells):
                        break
            found += best
    return found, total


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score(gold: Gold, engine: str, out: Output) -> PageScore:
    matched = char_match(out.text, gold.text)
    ext, ref = len(squash(out.text)), len(squash(gold.text))
    precision = matched / ext if ext else (1.0 if not ref else 0.0)
    recall = matched / ref if ref else 1.0
    text_squashed = squash(out.text)
    found, total = cells_in_rows(out.text, gold.tables)
    return PageScore(
        id=gold.id,
        engine=engine,
        matched=matched,
        extracted_chars=ext,
        gold_chars=ref,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        chrome_leaked=[
            c for c in gold.must_not_contain if squash(c) and squash(c) in text_squashed
        ],
        missing=[c for c in gold.must_contain if squash(c) not in text_squashed],
        cells_found=found,
        cells_total=total,
        title_exact=None if gold.title is None else squash(out.title or "") == squash(gold.title),
        date_correct=None if gold.published is None else out.published == gold.published,
        flags=out.flags,
        reject=out.reject,
        seconds=out.seconds,
    )


# -- engines ---------------------------------------------------------------------
def run_govcrawl(gold: Gold) -> Output:
    start = time.perf_counter()
    ex = extract_page(
        PageInput(url=gold.url, body=gold.body, content_type=gold.content_type, status=gold.status)
    )
    seconds = time.perf_counter() - start
    return Output(
        text=ex.text,
        title=ex.title,
        published=ex.published_at.isoformat() if isinstance(ex.published_at, date) else None,
        flags=list(ex.flags),
        reject=ex.reject,
        is_report=ex.is_annual_report,
        seconds=seconds,
    )


def _trafilatura(include_tables: bool) -> Callable[[Gold], Output]:
    def run(gold: Gold) -> Output:
        import trafilatura

        start = time.perf_counter()
        raw = trafilatura.extract(
            gold.body,
            url=gold.url,
            output_format="json",
            with_metadata=True,
            include_tables=include_tables,
        )
        seconds = time.perf_counter() - start
        data = json.loads(raw) if raw else {}
        return Output(
            text=data.get("text") or "",
            title=data.get("title"),
            published=data.get("date"),
            seconds=seconds,
        )

    return run


RUNNERS: dict[str, Callable[[Gold], Output]] = {
    "govcrawl": run_govcrawl,
    "trafilatura": _trafilatura(True),  # trafilatura 2.x's default: include_tables=True
    "trafilatura_no_tables": _trafilatura(False),
}


# -- the whole set ----------------------------------------------------------------
def summarise(scores: list[PageScore], golds: list[Gold]) -> dict[str, Any]:
    matched = sum(s.matched for s in scores)
    ext = sum(s.extracted_chars for s in scores)
    ref = sum(s.gold_chars for s in scores)
    precision = matched / ext if ext else 0.0
    recall = matched / ref if ref else 0.0
    cells_found = sum(s.cells_found for s in scores)
    cells_total = sum(s.cells_total for s in scores)
    titles = [s.title_exact for s in scores if s.title_exact is not None]
    dates = [s.date_correct for s in scores if s.date_correct is not None]
    by_id = {g.id: g for g in golds}
    flag_stats: dict[str, dict[str, int]] = {}
    for s in scores:
        gold = by_id[s.id]
        expected = set(gold.flags) | ({gold.reject} if gold.reject else set())
        got = set(s.flags) | ({s.reject} if s.reject else set())
        for flag in expected | got:
            stat = flag_stats.setdefault(flag, {"tp": 0, "fp": 0, "fn": 0})
            if flag in expected and flag in got:
                stat["tp"] += 1
            elif flag in got:
                stat["fp"] += 1
            else:
                stat["fn"] += 1
    return {
        "pages": len(scores),
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "chrome_leaked": sum(len(s.chrome_leaked) for s in scores),
        "must_contain_missing": sum(len(s.missing) for s in scores),
        "table_cell_accuracy": cells_found / cells_total if cells_total else 1.0,
        "title_exact": sum(titles) / len(titles) if titles else 1.0,
        "date_accuracy": sum(dates) / len(dates) if dates else 1.0,
        "seconds_per_page": sum(s.seconds for s in scores) / len(scores) if scores else 0.0,
        "flags": dict(sorted(flag_stats.items())),
    }


def evaluate(directory: Path | None = None, engines: Iterable[str] = ENGINES) -> dict[str, Any]:
    golds = load_gold(directory or default_set())
    result: dict[str, Any] = {
        "set": str(directory or default_set()),
        "pages": len(golds),
        "real_pages": sum(g.origin == "real" for g in golds),
        "engines": {},
    }
    for engine in engines:
        runner = RUNNERS[engine]
        scores = [score(g, engine, runner(g)) for g in golds]
        result["engines"][engine] = {
            "overall": summarise(scores, golds),
            "per_page": [asdict(s) for s in scores],
        }
    return result


def format_report(result: dict[str, Any]) -> str:
    engines = list(result["engines"])
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("pages", lambda o: f"{o['pages']}"),
        ("precision", lambda o: f"{o['precision']:.4f}"),
        ("recall", lambda o: f"{o['recall']:.4f}"),
        ("F1", lambda o: f"{o['f1']:.4f}"),
        ("chrome strings leaked", lambda o: f"{o['chrome_leaked']}"),
        ("must-contain missing", lambda o: f"{o['must_contain_missing']}"),
        ("table cell accuracy", lambda o: f"{o['table_cell_accuracy']:.4f}"),
        ("title exact", lambda o: f"{o['title_exact']:.4f}"),
        ("date accuracy", lambda o: f"{o['date_accuracy']:.4f}"),
        ("ms per page", lambda o: f"{o['seconds_per_page'] * 1000:.1f}"),
    ]
    width = max(len(e) for e in engines) + 2
    lines = [
        f"evaluation set {result['set']}: {result['pages']} pages "
        f"({result['real_pages']} real captures)",
        "",
    ]
    lines.append(f"{'':24}" + "".join(f"{e:>{width}}" for e in engines))
    for label, fmt in rows:
        lines.append(
            f"{label:24}"
            + "".join(f"{fmt(result['engines'][e]['overall']):>{width}}" for e in engines)
        )
    if "govcrawl" in result["engines"]:
        flags = result["engines"]["govcrawl"]["overall"]["flags"]
        lines.append("")
        lines.append(
            "govcrawl flags and rejects (tp/fp/fn): "
            + ", ".join(f"{k} {v['tp']}/{v['fp']}/{v['fn']}" for k, v in flags.items())
        )
        worst = sorted(result["engines"]["govcrawl"]["per_page"], key=lambda s: s["f1"])[:5]
        lines.append(
            "lowest F1 (govcrawl): " + ", ".join(f"{s['id']} {s['f1']:.3f}" for s in worst)
        )
        leaks = [
            (s["id"], s["chrome_leaked"])
            for s in result["engines"]["govcrawl"]["per_page"]
            if s["chrome_leaked"]
        ]
        if leaks:
            lines.append("chrome leaked (govcrawl): " + "; ".join(f"{i}: {c}" for i, c in leaks))
    return "\n".join(lines)
