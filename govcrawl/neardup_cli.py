"""``govcrawl neardup``: recompute the near-copy flags and list the flagged pairs.

Kept apart from ``govcrawl.neardup`` (numpy, imported when the command runs) so that the
command line, and the crawler that shares it, start without numpy.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from govcrawl.config import Config


def add_command(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "neardup",
        help="find annual reports that are near-copies of another (recompute and list)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        metavar="F",
        help="similarity at which a report is a near-copy "
        f"(default: $GOVCRAWL_NEAR_DUPLICATE_THRESHOLD or {Config.near_duplicate_threshold})",
    )
    parser.add_argument("--year", type=int, metavar="Y", help="only this report year")
    parser.add_argument("--json", action="store_true", help="print the pairs as JSON")
    parser.add_argument("--db", metavar="URL", help="archive database URL")


def run_command(args: argparse.Namespace) -> int:
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.neardup import flagged_pairs, format_pairs, update_near_duplicates

    config = Config.from_env(db_url=getattr(args, "db", None))
    threshold = config.near_duplicate_threshold if args.threshold is None else args.threshold
    if not 0 < threshold <= 1:
        raise ValueError(f"--threshold must be in (0, 1], got {threshold:g}")
    engine = open_engine(config.db_url)
    upgrade(engine)
    try:
        result = update_near_duplicates(
            engine, None if args.year is None else {args.year}, threshold
        )
        pairs = flagged_pairs(engine, args.year)
    finally:
        engine.dispose()
    print(result.summary(), file=sys.stderr)
    if args.json:
        print(json.dumps([p.as_dict() for p in pairs], ensure_ascii=False, indent=1))
    else:
        print(format_pairs(pairs, threshold))
    return 0
