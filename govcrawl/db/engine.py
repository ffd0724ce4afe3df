"""Open the archive database and bring its schema up to date."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

import migrations


class DatabaseError(RuntimeError):
    """The archive database URL cannot be used; the message says why, in one line."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(db_url: str) -> Engine:
    """An engine for `db_url`, checked by connecting once."""
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"bad database URL {db_url!r}: expected e.g. sqlite:///archive.db"
        ) from exc
    try:
        if url.get_backend_name() == "sqlite":
            if url.database and url.database != ":memory:":
                folder = Path(url.database).expanduser().resolve().parent
                if not folder.is_dir():
                    raise DatabaseError(
                        f"bad database URL {db_url!r}: folder {folder} does not exist"
                    )
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        elif url.get_backend_name() == "postgresql":
            # a server that drops packets: fail in seconds, not minutes (URL may override)
            timeout = {} if "connect_timeout" in url.query else {"connect_timeout": 10}
            engine = create_engine(url, pool_pre_ping=True, connect_args=timeout)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(
            f"bad database URL {db_url!r}: unsupported database driver ({exc})"
        ) from exc
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        shown = url.render_as_string(hide_password=True)  # never a password on stderr
        raise DatabaseError(f"cannot open database {shown!r}: {reason}") from exc
    return engine


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.attributes["connection_engine"] = engine
    return cfg


#: PostgreSQL advisory lock key taken while migrating (any constant the app owns).
MIGRATION_LOCK = 0x676F7663726177  # "govcraw"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision` (the crawl does this on a new DB).
    On PostgreSQL, processes on several machines may start at once (workers): one
    migrates at a time, the others then find the schema up to date."""
    if revision == "head" and current_revision(engine) in script_heads():
        return  # up to date: no migration run, no whole-archive check after one (no alembic)
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    if revision == "head" and current_revision(engine) in ScriptDirectory.from_config(
        cfg
    ).get_heads():
        return
    if engine.dialect.name != "postgresql":
        command.upgrade(cfg, revision)
        return
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            command.upgrade(cfg, revision)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})


_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w.-]+|None)['\"]?\s*$", re.M
)


@functools.cache
def script_heads() -> frozenset[str]:
    """The revisions no migration script revises, read off the scripts' ``revision`` /
    ``down_revision`` lines (what alembic's ``get_heads`` says, without importing alembic
    and every script: a third of a second at every command's start)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (Path(migrations.__file__).parent / "versions").glob("*.py"):
        found = dict(
            (m.group(1), m.group(2))
            for m in _REVISION_LINE.finditer(script.read_text(encoding="utf-8"))
        )
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision", "None") != "None":
                revised.add(found["down_revision"])
    return frozenset(revisions - revised)


def current_revision(engine: Engine) -> str | None:
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return row[0] if row else None
