"""The ``govcrawl`` command line (a contract: commands and flags stay as named).

    govcrawl crawl [SLUG ...] [--all] [--regions-file F] [--db URL] [--allow-loopback] [--force]
    govcrawl recrawl SLUG|CODE [--force]
    govcrawl runs [--last N]
    govcrawl search QUERY [--region SLUG|CODE] [--level L] [--province CODE] [--year Y]
                          [--reports-only] [--limit N] [--json]
    govcrawl history URL|DOCUMENT_ID [--diff A B]
    govcrawl reextract [--region SLUG]
    govcrawl stats [--region SLUG|CODE] [--year Y] [--format table|csv|json] [--db URL] [--rebuild]
    govcrawl coverage [--province CODE] [--format html|csv|png] [-o FILE] [--db URL]
    govcrawl neardup [--threshold F] [--year Y] [--json] [--db URL]
    govcrawl serve [--db URL] [--host H] [--port N]
    govcrawl regions [--regions-file F]
    govcrawl export --format jsonl|csv [-o FILE] [--db URL] [--reports-only]
    govcrawl extract FILE [--url URL] [--json]
    govcrawl demo [--db URL]
    govcrawl db upgrade [--db URL]
    govcrawl crawl|recrawl ... --frontier redis://HOST:PORT/DB   (seed a run for the workers)
    govcrawl worker --frontier URL --db URL [--idle-timeout S] [--regions N]

Exit status: 0 ok, 1 a region failed, 2 bad input (URL, file, arguments).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govcrawl import coverage, history, neardup_cli, reextract, serve, startup
from govcrawl.config import DEFAULT_DB, Config, ConfigError
from govcrawl.db.engine import DatabaseError
from govcrawl.frontier import cli as frontier
from govcrawl.regions import Region, RegionsError, Registry, load_registry
from govcrawl.stats import cli as stats

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"archive database URL (default: $GOVCRAWL_DB or {DEFAULT_DB})",
    )


def _regions_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--regions-file", metavar="FILE", help="TOML file of extra or overriding [[region]] rows"
    )


def _filter_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", metavar="SLUG|CODE", help="a jurisdiction and all under it")
    parser.add_argument(
        "--level", choices=("province", "prefecture", "county", "township", "department")
    )
    parser.add_argument("--province", metavar="CODE", help="province code, e.g. 150000")
    parser.add_argument("--year", type=int, metavar="Y", help="report year")
    parser.add_argument("--reports-only", action="store_true", help="only annual reports")


def _filters(args: argparse.Namespace, engine: Any) -> Any:
    from govcrawl.search import Filters, region_codes

    return Filters(
        region_codes=region_codes(engine, args.region) if args.region else None,
        level=args.level,
        province=args.province,
        year=args.year,
        reports_only=args.reports_only,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govcrawl",
        description="Crawl and archive Chinese government information-disclosure annual reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl regions into the archive")
    crawl.add_argument("slugs", nargs="*", metavar="SLUG", help="region slugs or codes")
    crawl.add_argument("--all", action="store_true", help="crawl every crawlable region")
    _regions_arg(crawl)
    _db_arg(crawl)
    crawl.add_argument(
        "--allow-loopback",
        action="store_true",
        help="allow destinations on 127.0.0.0/8 (local portal replicas); other private "
        "addresses stay refused",
    )
    crawl.add_argument("--trigger", choices=("manual", "scheduled", "on-demand"), default="manual")
    crawl.add_argument("--log-level", default=None, help="Scrapy log level (default WARNING)")
    crawl.add_argument(
        "--force",
        action="store_true",
        help="ignore If-None-Match/If-Modified-Since: fetch and re-extract everything",
    )
    frontier.frontier_arg(crawl)

    recrawl = sub.add_parser("recrawl", help="re-crawl one jurisdiction now (on demand)")
    recrawl.add_argument("region", metavar="SLUG|CODE")
    recrawl.add_argument("--force", action="store_true", help="fetch and re-extract everything")
    recrawl.add_argument(
        "--trigger", choices=("manual", "scheduled", "on-demand"), default="on-demand"
    )
    recrawl.add_argument("--allow-loopback", action="store_true", help=argparse.SUPPRESS)
    recrawl.add_argument("--log-level", default=None, help="Scrapy log level (default WARNING)")
    frontier.frontier_arg(recrawl)
    _regions_arg(recrawl)
    _db_arg(recrawl)

    search = sub.add_parser("search", help="full-text search (Chinese) over the archive")
    search.add_argument("query", metavar="QUERY")
    _filter_args(search)
    search.add_argument("--limit", type=int, default=20, metavar="N")
    search.add_argument("--json", action="store_true")
    _db_arg(search)

    runs = sub.add_parser("runs", help="list crawl runs")
    runs.add_argument("--last", type=int, default=10, metavar="N", help="the last N runs")
    runs.add_argument("--json", action="store_true")
    _db_arg(runs)

    regions = sub.add_parser("regions", help="list the registry")
    _regions_arg(regions)

    export = sub.add_parser("export", help="export documents as JSON lines or CSV")
    export.add_argument("--format", choices=("jsonl", "csv", "parquet"), required=True)
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.add_argument(
        "--with-versions", action="store_true", help="one row per version, not per document"
    )
    _filter_args(export)
    _db_arg(export)

    extract = sub.add_parser("extract", help="extract one saved page")
    extract.add_argument("file", metavar="FILE")
    extract.add_argument("--url", help="the URL the page was fetched from")
    extract.add_argument("--json", action="store_true", help="print JSON")

    evaluate = sub.add_parser("eval", help="score extraction on the gold evaluation set")
    evaluate.add_argument("--set", metavar="DIR", help="evaluation set (default: tests/eval)")
    evaluate.add_argument("--json", action="store_true", help="print JSON (with per-page scores)")
    evaluate.add_argument(
        "--engines",
        default="govcrawl,trafilatura,trafilatura_no_tables",
        help="comma-separated: govcrawl, trafilatura, trafilatura_no_tables",
    )

    demo = sub.add_parser("demo", help="crawl the bundled local portal replicas")
    _db_arg(demo)

    history.add_command(sub)
    reextract.add_command(sub)
    stats.add_command(sub)
    coverage.add_command(sub)
    neardup_cli.add_command(sub)
    serve.add_command(sub)
    frontier.add_command(sub)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations")
    _db_arg(upgrade)
    return parser


def _config(args: argparse.Namespace, **overrides: Any) -> Config:
    return Config.from_env(
        db_url=getattr(args, "db", None),
        regions_file=getattr(args, "regions_file", None),
        **overrides,
    )


def _registry(config: Config) -> Registry:
    return load_registry(config.regions_file)


def _select(registry: Registry, slugs: Sequence[str], all_: bool) -> list[Region]:
    if all_ and slugs:
        raise UsageError("give region slugs or --all, not both")
    if all_:
        regions = registry.crawlable()
        if not regions:
            raise UsageError("the registry has no crawlable regions")
        return regions
    if not slugs:
        raise UsageError("name the regions to crawl (slugs or codes), or pass --all")
    chosen: list[Region] = []
    for key in slugs:
        try:
            region = registry.get(key)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
        if not region.crawlable:
            raise UsageError(f"region {region.slug!r} has no portal/report_columns to crawl")
        if region not in chosen:
            chosen.append(region)
    return chosen


def cmd_crawl(args: argparse.Namespace) -> int:
    from govcrawl.runner import report, run_crawl

    config = _config(
        args,
        allow_loopback=args.allow_loopback or None,
        trigger=args.trigger,
        log_level=args.log_level,
        frontier=args.frontier,
    )
    registry = _registry(config)
    regions = _select(registry, args.slugs, args.all)
    if config.frontier:  # only seed the run: `govcrawl worker`s crawl it (govcrawl/frontier/)
        startup.settle()
        return frontier.seed(config, registry, regions, force=args.force)
    result = run_crawl(config, registry, regions, force=args.force)
    report(result)
    return result.exit_code


def cmd_recrawl(args: argparse.Namespace) -> int:
    args.slugs, args.all = [args.region], False
    return cmd_crawl(args)


def cmd_search(args: argparse.Namespace) -> int:
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.search import SearchError, format_hits, search

    engine = open_engine(_config(args).db_url)
    upgrade(engine)
    try:
        hits = search(engine, args.query, _filters(args, engine), args.limit)
    except SearchError as exc:
        raise UsageError(str(exc)) from exc
    if args.json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=1))
    else:
        print(format_hits(hits))
    return EXIT_OK


def cmd_runs(args: argparse.Namespace) -> int:
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.runs import format_runs, recent_runs

    if args.last < 1:
        raise UsageError("--last must be at least 1")
    engine = open_engine(_config(args).db_url)
    upgrade(engine)
    runs = recent_runs(engine, args.last)
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=1, default=str))
    else:
        print(format_runs(runs))
    return EXIT_OK


def cmd_regions(args: argparse.Namespace) -> int:
    registry = _registry(_config(args))
    for region in registry:
        columns = " ".join(region.report_columns) if region.crawlable else "(not crawled)"
        parent = region.parent or "-"
        print(
            f"{region.slug}\t{region.code}\t{region.name}\t{region.level}\t{parent}\t"
            f"{region.cms}\t{columns}"
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from govcrawl import export
    from govcrawl.db.engine import open_engine, upgrade
    from govcrawl.search import SearchError

    config = _config(args)
    engine = open_engine(config.db_url)
    upgrade(engine)
    try:
        filters = _filters(args, engine)
    except SearchError as exc:
        raise UsageError(str(exc)) from exc
    options = {"filters": filters, "with_versions": args.with_versions}
    if args.format == "parquet" and not args.output:
        raise UsageError("--format parquet needs -o FILE (it is a binary format)")
    if args.output:
        mode = "wb" if args.format == "parquet" else "w"
        encoding = None if args.format == "parquet" else "utf-8"
        with open(
            args.output, mode, encoding=encoding, newline=None if encoding is None else ""
        ) as out:
            count = export.write(engine, args.format, out, **options)
        print(f"wrote {count} rows to {args.output}", file=sys.stderr)
    else:
        export.write(engine, args.format, sys.stdout, **options)
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from govcrawl.export import extraction_record
    from govcrawl.extract import PageInput, extract_page

    path = Path(args.file)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    url = args.url or path.resolve().as_uri()
    ex = extract_page(PageInput(url=url, body=body))
    record = extraction_record(url, ex)
    record.update(reject=ex.reject, encoding=ex.encoding, meta=ex.meta, tables=ex.tables)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return EXIT_OK
    for key, value in record.items():
        if key not in ("text", "tables", "meta"):
            print(f"{key}: {value}")
    print(f"tables: {len(ex.tables)}")
    print()
    print(ex.text)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from govcrawl import evaluation

    directory = Path(args.set) if args.set else evaluation.default_set()
    if not (directory / "gold").is_dir():
        raise UsageError(
            f"{directory}: no gold/ folder (an evaluation set, see tests/eval/README.md)"
        )
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in evaluation.RUNNERS]
    if unknown:
        raise UsageError(f"unknown engine(s): {', '.join(unknown)}")
    result = evaluation.evaluate(directory, engines)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(evaluation.format_report(result))
    return EXIT_OK


def _lookup_command(run: Any) -> Any:
    """A command whose lookups fail with ValueError (unknown document, region)."""

    def command(args: argparse.Namespace) -> int:
        try:
            return int(run(args))
        except ValueError as exc:
            raise UsageError(str(exc)) from exc

    return command


def cmd_demo(args: argparse.Namespace) -> int:
    from govcrawl.demo.run import run_demo

    return run_demo(_config(args))


def cmd_db(args: argparse.Namespace) -> int:
    from govcrawl.db.engine import current_revision, open_engine, upgrade

    config = _config(args)
    engine = open_engine(config.db_url)
    upgrade(engine)
    print(f"{config.db_url}: schema at revision {current_revision(engine)}")
    return EXIT_OK


COMMANDS: dict[str, Any] = {
    "crawl": cmd_crawl,
    "recrawl": cmd_recrawl,
    "runs": cmd_runs,
    "search": cmd_search,
    "regions": cmd_regions,
    "export": cmd_export,
    "extract": cmd_extract,
    "eval": cmd_eval,
    "history": _lookup_command(history.run_command),
    "reextract": _lookup_command(reextract.run_command),
    "stats": _lookup_command(stats.run_command),
    "coverage": _lookup_command(coverage.run_command),
    "neardup": _lookup_command(neardup_cli.run_command),
    "serve": serve.run_command,
    "worker": _lookup_command(frontier.run_command),
    "demo": cmd_demo,
    "db": cmd_db,
}


#: The commands that run crawlers: they end the start-up themselves once the crawlers
#: are made (``govcrawl.startup``; the others as soon as their arguments are read), and
#: their process ends without tearing its modules down (``_end``).
_CRAWLS = frozenset({"crawl", "recrawl"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in _CRAWLS:
        startup.settle()
    code = _run(args)
    if argv is None and args.command in _CRAWLS:
        _end(code)
    return code


def _end(code: int) -> None:
    """End the process now: the exit handlers run (logging, multiprocessing's clean-up of
    its children and temporary files), output is flushed, and the interpreter's teardown
    of a crawl's many objects (~0.25 CPU-s, a twentieth of a nightly re-crawl) is skipped.
    Everything the crawl wrote is in the archive by then."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(COMMANDS[args.command](args))
    except (UsageError, RegionsError, DatabaseError, ConfigError) as exc:
        print(f"govcrawl: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
