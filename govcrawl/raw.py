"""The raw archive: every successful response body as fetched, in WARC files.

One WARC file per crawl run and process (several crawler processes may write at
once, each to its own file), gzip per record, a ``request`` and a ``response``
record per fetch. The response record holds the HTTP status line and headers as
received and the body bytes the crawler was given. A body the crawler already
decompressed or de-chunked keeps its original ``Content-Encoding`` /
``Transfer-Encoding`` / ``Content-Length`` headers renamed ``X-Crawler-...``, so
each record is consistent with its payload.

A document version points at its raw record with ``raw_ref``:
``"<WARC file name>#<byte offset of the response record>"``, relative to the
raw directory (``default_raw_dir``). ``read_raw`` seeks straight to it;
``iter_raw`` walks every response record. A file cut short by a killed crawl
still reads up to its last complete record.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from govcrawl import __version__

RAW_DIR_ENV = "GOVCRAWL_RAW_DIR"
DEFAULT_RAW_DIR = "govcrawl-raw"
WARC_SUFFIX = ".warc.gz"
#: WARC/1.1: WARC-Date keeps microseconds, so ``fetched_at`` round-trips exactly.
WARC_VERSION = "1.1"
#: Per-record gzip level (9, warcio's default, costs twice the CPU for ~2% smaller files).
GZIP_LEVEL = 6
#: Extension WARC header fields carrying what the crawler knew about the page
#: (``info`` of ``RawArchive.write``): ``Govcrawl-Container: div.TRS_Editor`` ...
INFO_PREFIX = "Govcrawl-"
RENAMED_PREFIX = "X-Crawler-"

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_READ_ERRORS = (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError)


class RawError(ValueError):
    """A raw_ref that does not name a readable, complete response record."""


@dataclass
class RawRecord:
    url: str
    status: int
    #: As stored: latin-1 strings of the bytes received (``headers_from_scrapy``), the
    #: renamed ``X-Crawler-*`` headers included.
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime  # naive UTC
    #: What the crawler knew about the page (``RawArchive.write(info=...)``): container,
    #: listing_title, listing_date, jurisdiction_name, region ...
    info: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """The first header called `name` (case-insensitive), if any."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")


# -- writing ------------------------------------------------------------------------------------


def headers_from_scrapy(headers: Any) -> list[tuple[str, str]]:
    """A Scrapy ``Headers`` object (bytes names, lists of bytes values) as the
    ``(name, value)`` list ``RawArchive.write`` takes, every value decoded as
    latin-1 so the bytes on the wire round-trip exactly."""
    out: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = _latin1(name)
        if isinstance(values, (bytes, str)):
            values = [values]
        for value in values or ():
            out.append((key, _latin1(value)))
    return out


def _latin1(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _clean(value: str) -> str:
    """No CR/LF inside a header line (they would end the line early)."""
    return value.replace("\r", " ").replace("\n", " ")


def _encode_line(line: str) -> bytes:
    try:
        return line.encode("latin-1")  # the bytes as received (headers_from_scrapy)
    except UnicodeEncodeError:
        return line.encode("utf-8")


def _still_encoded(coding: str, body: bytes) -> bool:
    """Does `body` still look compressed with `coding` (the outermost content coding)?"""
    if coding in ("gzip", "x-gzip"):
        return body[:2] == _GZIP_MAGIC
    if coding == "zstd":
        return body[:4] == _ZSTD_MAGIC
    if coding == "deflate":
        for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            try:
                zlib.decompressobj(wbits).decompress(body[:4096])
                return True
            except zlib.error:
                continue
        return False
    if coding == "br":
        try:
            import brotli
        except ImportError:
            return True  # the crawler could not have decoded it either
        try:
            brotli.Decompressor().process(body[:4096])
            return True
        except Exception:
            return False
    return True  # an unknown coding: nobody decoded it


def consistent_headers(headers: Iterable[tuple[str, str]], body: bytes) -> list[tuple[str, str]]:
    """`headers` with those that no longer describe `body` renamed ``X-Crawler-...``:
    a ``Content-Encoding`` the body is no longer in, ``Transfer-Encoding`` (the
    body is de-chunked) and a ``Content-Length`` other than the body's length."""
    headers = [(_clean(k).strip(), _clean(v).strip()) for k, v in headers]
    codings = [
        c.strip().lower()
        for k, v in headers
        if k.lower() == "content-encoding"
        for c in v.split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    decoded = bool(codings) and not _still_encoded(codings[-1], body)
    out: list[tuple[str, str]] = []
    for key, value in headers:
        lowered = key.lower()
        rename = (
            (lowered == "content-encoding" and (decoded or not codings))
            or lowered == "transfer-encoding"
            or (lowered == "content-length" and value != str(len(body)))
        )
        out.append((RENAMED_PREFIX + key if rename else key, value))
    return out


class _HeaderBlock(StatusAndHeaders):  # type: ignore[misc]
    """An HTTP head written exactly as given (warcio would %-encode non-ASCII values)."""

    def __init__(self, first_line: str, headers: list[tuple[str, str]]):
        protocol, _, rest = first_line.partition(" ")
        super().__init__(rest, headers, protocol=protocol)
        lines = [first_line, *(f"{k}: {v}" for k, v in headers)]
        self._block = b"".join(_encode_line(line) + b"\r\n" for line in lines) + b"\r\n"

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self._block


class _GzipMember:
    """One gzip member per record (warcio's own wrapper compresses at level 9)."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


def _naive_utc(when: datetime) -> datetime:
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


def _status_line(status: int) -> str:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"HTTP/1.1 {status} {reason}".rstrip()


def _request_line(method: str, url: str) -> str:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return f"{method.upper()} {target} HTTP/1.1"


class RawArchive:
    """Appends fetched responses to this process's WARC file of one crawl run.

    Thread-safe; the file is created on the first write and flushed after each
    record, so a killed crawl loses at most the record being written.
    """

    def __init__(self, directory: Path, run_id: int | None):
        self.directory = Path(directory)
        self.run_id = run_id
        self.path: Path | None = None
        self.records = 0
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._closed = False

    def __enter__(self) -> RawArchive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> tuple[IO[bytes], WARCWriter]:
        if self._file is not None and self._writer is not None:
            return self._file, self._writer
        self.directory.mkdir(parents=True, exist_ok=True)
        run = self.run_id if self.run_id is not None else "x"
        stamp = datetime.now(UTC)
        while True:
            name = f"govcrawl-run{run}-{os.getpid()}-{stamp:%Y%m%d%H%M%S%f}{WARC_SUFFIX}"
            try:
                handle = open(self.directory / name, "xb")  # noqa: SIM115 (kept open)
                break
            except FileExistsError:  # another archive of this run and process, same µs
                stamp = stamp.replace(microsecond=(stamp.microsecond + 1) % 1_000_000)
        writer = WARCWriter(handle, gzip=False, warc_version=WARC_VERSION)
        self._file, self._writer, self.path = handle, writer, self.directory / name
        info = {
            "software": f"govcrawl/{__version__} (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "govcrawl-run-id": str(run),
        }
        self._emit(writer.create_warcinfo_record(name, info))
        return handle, writer

    def _emit(self, record: Any) -> int:
        """Write one record as its own gzip member; its byte offset in the file."""
        assert self._file is not None and self._writer is not None
        offset = self._file.tell()
        member = _GzipMember(self._file)
        self._writer.out = member
        try:
            self._writer.write_record(record)  # ends with member.flush()
        finally:
            self._writer.out = self._file
        return offset

    def write(
        self,
        url: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        request_headers: list[tuple[str, str]] | None = None,
        method: str = "GET",
        *,
        info: Mapping[str, str | None] | None = None,
    ) -> str:
        """Archive one fetch (a request and a response record); its raw_ref.

        `headers` are the response headers as received (``headers_from_scrapy``);
        `info` (optional) is what the crawler knew about the page and re-extraction
        needs again: ``container``, ``listing_title``, ``listing_date``,
        ``jurisdiction_name`` ... stored as ``Govcrawl-*`` WARC header fields.
        """
        when = datetime_to_iso_date(_naive_utc(fetched_at), use_micros=True)
        extra = [
            (INFO_PREFIX + key.replace("_", "-").title(), _clean(str(value)))
            for key, value in (info or {}).items()
            if value is not None and str(value) != ""
        ]
        with self._lock:
            if self._closed:
                raise RuntimeError("RawArchive is closed")
            _, writer = self._open()
            response_headers = _HeaderBlock(_status_line(status), consistent_headers(headers, body))
            response = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                warc_headers_dict={"WARC-Date": when, **dict(extra)},
                http_headers=response_headers,
            )
            sent = [(_clean(k).strip(), _clean(v).strip()) for k, v in request_headers or ()]
            if not any(k.lower() == "host" for k, _ in sent):
                sent.insert(0, ("Host", urlsplit(url).netloc))
            request = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                warc_headers_dict={
                    "WARC-Date": when,
                    "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                },
                http_headers=_HeaderBlock(_request_line(method, url), sent),
            )
            self._emit(request)
            offset = self._emit(response)
            self.records += 1
            assert self.path is not None
            return f"{self.path.name}#{offset}"

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._file is not None:
                self._file.close()
            self._file = self._writer = None


# -- reading ------------------------------------------------------------------------------------


def parse_ref(raw_ref: str) -> tuple[str, int]:
    """``"name.warc.gz#1234"`` -> ``("name.warc.gz", 1234)``."""
    name, sep, offset = raw_ref.rpartition("#")
    if not sep or not name or not offset.isdigit():
        raise RawError(f"bad raw_ref {raw_ref!r}: expected '<file>.warc.gz#<offset>'")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise RawError(f"bad raw_ref {raw_ref!r}: the file must be in the raw directory")
    return name, int(offset)


def _parse_http(block: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        raise RawError("response record without an HTTP head")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise RawError(f"bad HTTP status line {lines[0]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # a continuation line
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {line.strip()}")
            continue
        key, colon, value = line.partition(":")
        if colon:
            headers.append((key.strip(), value.strip()))
    return int(parts[1]), headers, body


def _record(record: Any) -> RawRecord:
    """A parsed response record (read with no_record_parse=True)."""
    block = record.raw_stream.read()
    declared = int(record.rec_headers.get_header("Content-Length") or -1)
    if len(block) != declared:
        raise RawError(f"incomplete record: {len(block)} of {declared} bytes")
    status, headers, body = _parse_http(block)
    info = {
        key[len(INFO_PREFIX) :].lower().replace("-", "_"): value
        for key, value in record.rec_headers.headers
        if key.startswith(INFO_PREFIX)
    }
    return RawRecord(
        url=record.rec_headers.get_header("WARC-Target-URI") or "",
        status=status,
        headers=headers,
        body=body,
        fetched_at=iso_date_to_datetime(record.rec_headers.get_header("WARC-Date")),
        info=info,
    )


def read_raw(directory: Path, raw_ref: str) -> RawRecord:
    """The response record `raw_ref` names (FileNotFoundError when its file is gone,
    RawError when the reference or the record is bad)."""
    name, offset = parse_ref(raw_ref)
    with open(Path(directory) / name, "rb") as handle:
        handle.seek(offset)
        try:
            record = next(iter(ArchiveIterator(handle, no_record_parse=True)), None)
            if record is None:
                raise RawError(f"{raw_ref}: no record at this offset")
            if record.rec_type != "response":
                raise RawError(f"{raw_ref}: a {record.rec_type} record, not a response")
            return _record(record)
        except RawError:
            raise
        except _READ_ERRORS as exc:
            raise RawError(f"{raw_ref}: unreadable record ({type(exc).__name__}: {exc})") from exc


def warc_files(directory: Path) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.endswith(WARC_SUFFIX) and p.is_file())


def iter_raw(directory: Path) -> Iterator[tuple[str, RawRecord]]:
    """Every complete response record of every WARC file: ``(raw_ref, record)``.
    A file cut short (a killed crawl, or one being written) ends at its last
    complete record."""
    for path in warc_files(directory):
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle, no_record_parse=True)
            with contextlib.suppress(*_READ_ERRORS):
                for record in iterator:
                    if record.rec_type != "response":
                        continue
                    try:
                        parsed = _record(record)
                    except RawError:
                        break  # the cut-off last record
                    yield f"{path.name}#{iterator.get_record_offset()}", parsed


def default_raw_dir(db_url: str, env: Mapping[str, str] | None = None) -> Path:
    """Where the raw archive of `db_url` lives: beside an SQLite file
    (``sqlite:///path/archive.db`` -> ``path/archive.raw``), else
    ``$GOVCRAWL_RAW_DIR`` or ``./govcrawl-raw``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    env = os.environ if env is None else env
    try:
        url = make_url(db_url)
    except ArgumentError:
        url = None
    if url is not None and url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database).expanduser()
            return path.with_name(path.stem + ".raw")
    return Path(env.get(RAW_DIR_ENV) or DEFAULT_RAW_DIR)
