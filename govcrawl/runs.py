"""``govcrawl runs``: the crawl runs, newest first, with their counts per outcome."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from govcrawl.db.models import CrawlRun, Document, Fetch


def recent_runs(engine: Engine, last: int) -> list[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(last)).all()
        return [
            {
                "id": run.id,
                "trigger": run.trigger,
                "regions": list(run.regions or []),
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "status": run.status,
                "reports": (run.stats or {}).get("reports"),
                "outcomes": (run.stats or {}).get("outcomes", {}),
                "failed_regions": {
                    slug: summary.get("failure")
                    for slug, summary in (run.stats or {}).get("regions", {}).items()
                    if summary.get("failure")
                },
            }
            for run in rows
        ]


def format_runs(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return "no crawl runs yet"
    lines = []
    for run in runs:
        started = run["started_at"].isoformat(sep=" ", timespec="seconds")
        finished = (
            run["finished_at"].isoformat(sep=" ", timespec="seconds") if run["finished_at"] else "-"
        )
        regions = ", ".join(run["regions"])
        if len(regions) > 60:
            regions = f"{len(run['regions'])} regions"
        outcomes = ", ".join(f"{k} {v}" for k, v in run["outcomes"].items()) or "-"
        lines.append(
            f"run {run['id']}  {run['status']:<8} {run['trigger']:<9} {started} .. {finished}  "
            f"reports {run['reports'] if run['reports'] is not None else '-'}  [{regions}]"
        )
        lines.append(f"    fetches: {outcomes}")
        for slug, failure in run["failed_regions"].items():
            lines.append(f"    FAILED {slug}: {failure}")
    return "\n".join(lines)


def touched_years(engine: Engine, run_id: int) -> set[int] | None:
    """The report years a crawl run's new documents belong to; None (every year) when
    the run changed a known document's text (its year may have moved)."""
    with Session(engine) as session:
        rows = session.execute(
            select(Fetch.outcome, Document.report_year)
            .join(Document, Document.id == Fetch.document_id)
            .where(
                Fetch.crawl_run_id == run_id,
                Fetch.outcome.in_(("stored", "changed")),
                Document.is_annual_report.is_(True),
            )
        ).all()
    if any(outcome == "changed" for outcome, _ in rows):
        return None
    return {int(year) for _, year in rows if year is not None}
