#!/usr/bin/env python3
"""CPU per page of the extraction worker (``govcrawl.worker.process_page``), in one process.

    python benchmarks/extract_cpu.py [--set world|demo|fixtures] [--pages 4000] [--repeat 3]
                                     [--profile] [--save FILE | --compare FILE] [--full]

Pages (built in this process, nothing is served or crawled):

* ``world``: the benchmark world's article pages (``benchmarks/world.py``: half annual reports,
  half notices, announcements, news and work plans of the same column, TRS CMS), as the crawl
  hands them to the worker (``govcrawl.pipelines.page_input``): the TRS spider's content
  container, the column's link text (the title cut to 29 characters and an ellipsis) and date,
  ``text/html; charset=utf-8``, status 200, no attachment links.
* ``demo``: every HTML article of the demo portals (``govcrawl/demo``), with the site's
  container and the article's title as its link text; ``has_attachments`` when the page links
  a report file (the spider's test, approximated by a regular expression).
* ``fixtures``: every ``*.html`` under ``tests/fixtures`` and ``tests/eval`` (real captures,
  spider fixtures, the evaluation set's pages), no container, status 200.

CPU is ``time.process_time()`` around each ``process_page`` call, after one warm-up pass; the
pass is repeated and the fastest pass counts (the machine is shared). govcrawl's own
``lru_cache``s are cleared before every pass, so a pass does not profit from the previous one.

``--save FILE`` pickles every page's (Extraction, StatRows); ``--compare FILE`` compares this
run to a saved one and lists the pages whose output differs, with the first differing field.
A page the worker did not extract the text of (its title says it is no report: see
``govcrawl.extract.page``) is compared on the fields it keeps. ``--full`` runs the worker
without that shortcut (every output comparable field by field).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import pickle
import pstats
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from govcrawl.extract.model import Extraction, PageInput  # noqa: E402
from govcrawl.stats.record import StatRows  # noqa: E402
from govcrawl.worker import process_page  # noqa: E402

HTML = "text/html; charset=utf-8"
TRS_CONTAINER = "div.TRS_Editor"  # govcrawl.cms.trs: the TRS spider's content_container
# What the spider's attachment test looks for (a link to a report file).
_FILE_LINK_RE = re.compile(rb"""href\s*=\s*["']?[^"'\s>]+\.(?:pdf|docx?|xlsx?|wps|et)\b""", re.I)
# Fields a page whose text was not extracted keeps (see govcrawl.extract.page).
KEPT_FIELDS = ("url", "title", "published_at", "agency", "is_annual_report", "encoding", "kind")

Page = tuple[str, PageInput]  # (group: report / other, the worker's input)
Result = tuple[Extraction, StatRows | None]


# --- pages -----------------------------------------------------------------------------------


def world_pages(pages: int, portals: int, seed: int) -> list[Page]:
    import world as w

    built = w.build_world(pages, portals, seed)
    by_key = {c[0]: c for c in w.COUNTIES}
    out: list[Page] = []
    for offset, site in enumerate(built.sites):
        routes, _ = w.render_routes(built, site)
        base = f"http://127.0.0.{70 + offset}:8000"
        for item in (i for i in built.items if i.portal == site.key):
            job = PageInput(
                url=base + item.path,
                body=routes[item.path].body,
                content_type=HTML,
                container=TRS_CONTAINER,
                listing_title=w.link_text(item.title),
                listing_date=item.listed,
                jurisdiction_name=by_key[site.key][2],
                status=200,
            )
            out.append(("report" if item.is_report else "other", job))
    return out


def demo_pages() -> list[Page]:
    from govcrawl.demo.render import render_site
    from govcrawl.demo.sites import ALL_SITES

    bases = {s.key: f"http://127.0.0.{2 + n}:8000/" for n, s in enumerate(ALL_SITES)}
    out: list[Page] = []
    for s in ALL_SITES:
        routes, _ = render_site(s, bases)
        for art in s.articles:
            page = routes.get(art.path)
            if page is None or page.status != 200 or not page.content_type.startswith("text/html"):
                continue
            job = PageInput(
                url=bases[s.key].rstrip("/") + art.path,
                body=page.body,
                content_type=page.content_type,
                container=s.container or None,
                listing_title=art.title,
                listing_date=art.published.date(),
                status=200,
                **_attachments(page.body),
            )
            out.append(("report" if art.is_report else "other", job))
    return out


def fixture_pages() -> list[Page]:
    out: list[Page] = []
    tests = ROOT / "tests"
    paths = sorted((tests / "fixtures").rglob("*.html")) + sorted((tests / "eval").rglob("*.html"))
    for path in paths:
        name = path.relative_to(tests).as_posix()
        body = path.read_bytes()
        job = PageInput(url=f"http://fixtures.example.gov.cn/{name}", body=body, status=200,
                        **_attachments(body))
        out.append(("report" if "report" in name or "nb" in name else "other", job))
    return out


def _attachments(body: bytes) -> dict[str, Any]:
    """``has_attachments`` where PageInput has the field (it was added with the shortcut)."""
    if "has_attachments" not in {f.name for f in dataclasses.fields(PageInput)}:
        return {}
    return {"has_attachments": _FILE_LINK_RE.search(body) is not None}


# --- measuring -------------------------------------------------------------------------------


def clear_caches() -> None:
    """Every ``lru_cache`` of govcrawl's modules, emptied."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("govcrawl") or module is None:
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and getattr(value, "__module__", "") == name:
                clear()


def run(pages: list[Page], worker: Callable[[PageInput], Result]
        ) -> tuple[dict[str, float], dict[str, Result]]:
    """One pass: CPU seconds by group, and every page's result by URL."""
    cpu = {"report": 0.0, "other": 0.0}
    results: dict[str, Result] = {}
    clock = time.process_time
    for group, job in pages:
        start = clock()
        result = worker(job)
        cpu[group] += clock() - start
        results[job.url] = result
    return cpu, results


def report_cpu(pages: list[Page], passes: list[dict[str, float]]) -> None:
    if not passes:
        return
    counts = {g: sum(1 for group, _ in pages if group == g) for g in ("report", "other")}
    best = min(passes, key=lambda p: p["report"] + p["other"])
    total = best["report"] + best["other"]
    print(f"{len(pages)} pages ({counts['report']} reports, {counts['other']} others), "
          f"{len(passes)} passes, fastest pass:")
    for group in ("report", "other"):
        if counts[group]:
            print(f"  {group + 's':8} {1000 * best[group] / counts[group]:7.2f} ms CPU/page")
    print(f"  {'all':8} {1000 * total / len(pages):7.2f} ms CPU/page  ({total:.2f} s)")
    every = ", ".join(f"{p['report'] + p['other']:.2f}" for p in passes)
    print(f"  passes: {every} s")


def profile(pages: list[Page], worker: Callable[[PageInput], Result], top: int) -> None:
    profiler = cProfile.Profile()
    clear_caches()
    profiler.enable()
    for _, job in pages:
        worker(job)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        text = out.getvalue()
        print(f"\n=== top {top} by {order} ===")
        print(text[text.find("   ncalls"):].rstrip())


# --- comparing -------------------------------------------------------------------------------


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _first_difference(old: Any, new: Any, names: Iterable[str]) -> str | None:
    for name in names:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            return f"{name}: {_short(a)} -> {_short(b)}"
    return None


def _skipped(ex: Extraction) -> bool:
    from govcrawl.extract import model

    marker = getattr(model, "TEXT_NOT_EXTRACTED", None)
    return marker is not None and ex.reason == marker


def compare(saved: dict[str, Result], current: dict[str, Result], show: int = 20) -> int:
    """Print the pages whose output differs; the number of them."""
    differing: list[str] = []
    skipped = was_empty = 0
    missing = sorted(set(saved) ^ set(current))
    for url in sorted(set(saved) & set(current)):
        (old_ex, old_stats), (new_ex, new_stats) = saved[url], current[url]
        if _skipped(new_ex):
            skipped += 1
            kept = KEPT_FIELDS
            if old_ex.reject == "near_empty":
                # Extracted in full, nothing was left: a reject, which names no agency.
                # Without its text the page is no report, with the agency its metadata name.
                was_empty += 1
                kept = tuple(name for name in KEPT_FIELDS if name != "agency")
            diff = _first_difference(old_ex, new_ex, kept)
            if diff is None and old_ex.reject not in (None, "near_empty"):
                diff = f"reject: {old_ex.reject!r} -> not extracted"
            if diff is None and old_stats is not None:
                diff = "stats: a report's statistics are gone"
        else:
            diff = _first_difference(old_ex, new_ex, [f.name for f in dataclasses.fields(old_ex)])
            if diff is None and (old_stats is None) != (new_stats is None):
                diff = f"stats: {_short(old_stats)} -> {_short(new_stats)}"
            elif diff is None and old_stats is not None and new_stats is not None:
                diff = _first_difference(old_stats, new_stats, ("cells", "summary", "inconsistent"))
                diff = f"stats.{diff}" if diff else None
        if diff is not None:
            differing.append(f"{url}\n    {diff}")
    print(f"compared {len(set(saved) & set(current))} pages: {len(differing)} differ"
          f" ({skipped} without their text extracted, compared on {', '.join(KEPT_FIELDS)})")
    if was_empty:
        print(f"  {was_empty} of those were near_empty rejects when extracted in full (no text"
              " left): now pages that are no report, with the agency their metadata name")
    if missing:
        print(f"  {len(missing)} pages are in only one of the two runs, e.g. {missing[0]}")
    for line in differing[:show]:
        print("  " + line)
    if len(differing) > show:
        print(f"  ... and {len(differing) - show} more")
    return len(differing) + len(missing)


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", choices=("world", "demo", "fixtures"), default="world")
    parser.add_argument("--pages", type=int, default=4000, help="world pages (default 4000)")
    parser.add_argument("--portals", type=int, default=20)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (default 3)")
    parser.add_argument("--profile", action="store_true", help="cProfile one pass instead")
    parser.add_argument("--top", type=int, default=40, help="functions the profile lists")
    parser.add_argument("--save", type=Path, help="pickle every page's output to FILE")
    parser.add_argument("--compare", type=Path, help="compare every page's output to FILE")
    parser.add_argument("--full", action="store_true",
                        help="no shortcut: extract the text of every page")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    if args.set == "world":
        pages = world_pages(args.pages, args.portals, args.seed)
    elif args.set == "demo":
        pages = demo_pages()
    else:
        pages = fixture_pages()
    print(f"{args.set}: {len(pages)} pages built in {time.perf_counter() - start:.1f} s")

    worker: Callable[[PageInput], Result] = process_page
    if args.full:
        def worker(job: PageInput) -> Result:
            return process_page(job, skip_non_report_text=False)  # type: ignore[call-arg,unused-ignore]

    if args.profile:
        run(pages, worker)  # warm-up: lazy imports, dateparser's languages
        profile(pages, worker, args.top)
        return 0
    _, results = run(pages, worker)  # warm-up, and the outputs
    passes: list[dict[str, float]] = []
    for _ in range(args.repeat):
        clear_caches()
        gc.collect()
        cpu, _ = run(pages, worker)
        passes.append(cpu)
    report_cpu(pages, passes)
    status = 0
    if args.save:
        with open(args.save, "wb") as f:
            pickle.dump(results, f, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"saved {len(results)} outputs to {args.save}")
    if args.compare:
        with open(args.compare, "rb") as f:
            saved = pickle.load(f)
        status = 1 if compare(saved, results) else 0
    return status


if __name__ == "__main__":
    sys.exit(main())
