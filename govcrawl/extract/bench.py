"""Pages per second of ``extract_page`` against bare ``trafilatura.extract``.

    python -m govcrawl.extract.bench DIR [--rounds N]

Both run in this one process over the same ``*.html`` files under DIR, after
one warm-up pass each (dateparser and trafilatura load lazily).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from govcrawl.extract.model import PageInput
from govcrawl.extract.page import extract_page


def _rate(pages: list[bytes], fn: Callable[[bytes], object], rounds: int) -> float:
    for body in pages:
        fn(body)
    start = time.perf_counter()
    for _ in range(rounds):
        for body in pages:
            fn(body)
    return len(pages) * rounds / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    pages = [p.read_bytes() for p in sorted(args.directory.rglob("*.html"))]
    if not pages:
        raise SystemExit(f"no *.html under {args.directory}")
    bare = _rate(pages, lambda b: trafilatura.extract(b, include_tables=True), args.rounds)
    ours = _rate(pages, lambda b: extract_page(PageInput(url="http://bench/", body=b)), args.rounds)
    print(f"{len(pages)} pages x {args.rounds} rounds, one process")
    print(f"trafilatura.extract(include_tables=True): {bare:7.1f} pages/s")
    print(f"extract_page:                             {ours:7.1f} pages/s ({ours / bare:.2f}x)")


if __name__ == "__main__":
    main()
