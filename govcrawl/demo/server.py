"""Serve the replica portals on loopback, one address per site, like separate hosts.

::

    with PortalServer() as portals:
        portals.base_url("zhalantun")      # 'http://127.0.0.2:41235/'
        regions = portals.regions()        # registry rows pointing at the replicas
        Path("regions.toml").write_text(portals.regions_toml(), "utf-8")
        ...                                # crawl
        portals.requests                   # [(site, method, path, status), ...]
        portals.regions(["hanweb", "wall"])  # the family replicas (or ["all"])

Each site gets its own ``http.server.ThreadingHTTPServer`` bound to ``(127.0.0.N, 0)``
(all of 127.0.0.0/8 is loopback on Linux) in a daemon thread. Responses behave like
the nginx in front of the real portals: ``Server: nginx``, ``Content-Type`` with
charset, ``Last-Modified`` and nginx-style ``ETag`` (conditional GETs answer 304),
gzip when asked for, HEAD, 301 to the slash form of a directory, real 404 pages,
405 for other methods, HTTP/1.1 keep-alive.

The classic sites (``sites.SITES``) are at 127.0.0.2-6; the family replicas
(``sites.FAMILY_SITES``: zhejiang, yichun, wanzai, huaian, hongze, handan, jilinshi)
follow at 127.0.0.7-13. Their request-time behaviour (Hanweb ``dataproxy.jsp`` POSTs,
a JSON list API, cookie walls, endless calendar and search pages) is answered by
``families.dynamic_handler`` before the fixed pages; every request, POSTs included, is
in the request log with its method.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from types import TracebackType
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from govcrawl.demo.families import Handler, Request, dynamic_handler
from govcrawl.demo.render import HTML, NGINX_405, Page, render_site
from govcrawl.demo.sites import (
    ALL_SITES,
    REGION_ROWS,
    ColumnLink,
    Site,
    column_links,
    family_keys,
)
from govcrawl.regions import CMS_FAMILIES, Region, builtin_registry

log = logging.getLogger(__name__)
_GZIP_TYPES = ("text/", "application/javascript")
_GZIP_MIN = 1024


class RequestRecord(NamedTuple):
    """One request the server answered (compares equal to a plain tuple)."""

    site: str
    method: str
    path: str  # path and query as requested
    status: int


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def _etag(page: Page) -> str | None:
    if page.last_modified is None:
        return None
    return f'"{int(page.last_modified.timestamp()):x}-{len(page.body):x}"'


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, portal: PortalServer, site: Site, address: str) -> None:
        self.portal = portal
        self.site = site
        self.routes: dict[str, Page] = {}
        self.not_found = Page(404, b"", HTML)
        self.dynamic: Handler | None = None  # answers before the routes (family sites)
        self.gzipped: dict[bytes, bytes] = {}
        super().__init__((address, 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Log instead of printing a traceback (a client hanging up is routine)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            log.debug("demo %s: client %s went away: %s", self.site.key, client_address, exc)
        else:
            log.error("demo %s: error serving %s", self.site.key, client_address, exc_info=exc)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.socket.getsockname()[:2]
        return str(host), int(port)

    def compressed(self, page: Page) -> bytes:
        if page.body not in self.gzipped:
            if len(self.gzipped) >= 1024:  # endless generated pages (traps) must not pile up
                self.gzipped.clear()
            self.gzipped[page.body] = gzip.compress(page.body, mtime=0)
        return self.gzipped[page.body]


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    timeout = 15
    # As nginx's tcp_nodelay: headers and body go out in separate writes, and without it
    # Nagle's algorithm and the client's delayed ACK hold each keep-alive response 40 ms.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is ``PortalServer.requests``."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        page = self._dynamic(body)
        if page is None:
            self._not_allowed(read_body=False)
        else:
            self._send(page, head=False)

    def do_PUT(self) -> None:
        self._not_allowed()

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def _not_allowed(self, read_body: bool = True) -> None:
        body = NGINX_405.encode()
        length = int(self.headers.get("Content-Length") or 0)
        if length and read_body:
            self.rfile.read(length)
        self._record(405)
        self.send_response(405)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self, status: int) -> None:
        record = RequestRecord(self.server.site.key, self.command, self.path, status)
        conditional = {
            name: value
            for name in ("If-None-Match", "If-Modified-Since")
            if (value := self.headers.get(name))
        }
        if conditional and self.headers.get("Referer"):
            conditional["Referer"] = self.headers["Referer"]  # (a conditional request's)
        self.server.portal._log(record, conditional)

    def _lookup(self) -> tuple[Page | None, str | None]:
        """The page for the request target, or a redirect location."""
        parts = urlsplit(self.path)
        path = unquote(parts.path) or "/"
        routes = self.server.routes
        with self.server.portal._lock:
            if parts.query and f"{path}?{parts.query}" in routes:
                return routes[f"{path}?{parts.query}"], None
            if path in routes:
                return routes[path], None
            if path.startswith("/search/") and "/search/" in routes:
                return routes["/search/"], None
            if not path.endswith("/") and path + "/" in routes:
                location = self.server.portal.base_url(self.server.site.key).rstrip("/")
                location += path + "/" + (f"?{parts.query}" if parts.query else "")
                return None, location
        return self.server.not_found, None

    def _not_modified(self, page: Page, etag: str | None) -> bool:
        if page.status != 200 or page.last_modified is None:
            return False
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or (etag is not None and etag in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return page.last_modified.replace(microsecond=0) <= since
        return False

    def _dynamic(self, body: bytes = b"") -> Page | None:
        handler = self.server.dynamic
        if handler is None:
            return None
        parts = urlsplit(self.path)
        request = Request(
            self.command, unquote(parts.path) or "/", parts.query, tuple(self.headers.items()), body
        )
        return handler(request)

    def _serve(self, head: bool) -> None:
        dynamic = self._dynamic()
        if dynamic is not None:
            self._send(dynamic, head)
            return
        page, location = self._lookup()
        if page is None:
            body = (
                b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
                b"<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>"
                b"\r\n</body>\r\n</html>\r\n"
            )
            self._record(301)
            self.send_response(301)
            self.send_header("Content-Type", HTML)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Location", location or "/")
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        self._send(page, head)

    def _send(self, page: Page, head: bool) -> None:
        etag = _etag(page)
        if self._not_modified(page, etag):
            self._record(304)
            self.send_response(304)
            if page.last_modified is not None:
                self.send_header("Last-Modified", _http_date(page.last_modified))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            return
        body = page.body
        gzipped = (
            page.status == 200
            and "gzip" in (self.headers.get("Accept-Encoding") or "")
            and page.content_type.startswith(_GZIP_TYPES)
            and len(body) >= _GZIP_MIN
        )
        if gzipped:
            body = self.server.compressed(page)
        self._record(page.status)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(body)))
        if page.last_modified is not None:
            self.send_header("Last-Modified", _http_date(page.last_modified))
        if etag:
            self.send_header("ETag", f"W/{etag}" if gzipped else etag)
        if page.content_type.startswith(_GZIP_TYPES):
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if page.status == 200 and page.content_type == HTML:
            self.send_header("X-Frame-Options", "SAMEORIGIN")
        for name, value in page.headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


# Optional string fields of Region beyond the original format (render, walls): name -> default.
_OPTIONAL_FIELDS: dict[str, object] = {
    f.name: f.default for f in fields(Region) if f.name in ("render", "walls")
}


def _region_from_row(slug: str) -> Region:
    """A family region that the shipped registry does not have yet, from its demo row."""
    row = REGION_ROWS[slug]
    extra = {
        key: value
        for key, value in (("render", row.render), ("walls", row.walls))
        if key in _OPTIONAL_FIELDS and value is not None
    }
    return Region(
        slug=row.slug,
        code=row.code,
        name=row.name,
        level=row.level,
        parent=row.parent,
        portal=row.portal,
        cms=row.cms if row.cms in CMS_FAMILIES else "generic",
        report_columns=(row.column,) if row.column else (),
        **extra,
    )


class PortalServer:
    """All replica sites, each on its own loopback address; a context manager."""

    def __init__(self, first_address: str = "127.0.0.2") -> None:
        self.first_address = IPv4Address(first_address)
        self.requests: list[RequestRecord] = []
        #: requests that carried If-None-Match / If-Modified-Since, with those headers
        self.conditional_requests: list[tuple[RequestRecord, dict[str, str]]] = []
        self._lock = threading.RLock()
        self._servers: dict[str, _SiteServer] = {}
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> PortalServer:
        if self._servers:
            return self
        try:
            for offset, site in enumerate(ALL_SITES):
                address = str(self.first_address + offset)
                self._servers[site.key] = _SiteServer(self, site, address)
        except OSError:
            self._close_servers()
            raise
        bases = {key: self.base_url(key) for key in self._servers}
        for server in self._servers.values():
            server.routes, server.not_found = render_site(server.site, bases)
            server.dynamic = dynamic_handler(server.site, bases)
        for key, server in self._servers.items():
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"govcrawl-demo-{key}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._close_servers()

    def _close_servers(self) -> None:
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return bool(self._servers)

    # --- addresses -----------------------------------------------------------------------

    @property
    def site_keys(self) -> list[str]:
        return [site.key for site in ALL_SITES]

    def _server(self, site_key: str) -> _SiteServer:
        try:
            return self._servers[site_key]
        except KeyError:
            if not self._servers:
                raise RuntimeError("PortalServer is not running (call start())") from None
            known = ", ".join(self._servers)
            raise KeyError(f"no demo site {site_key!r} (sites: {known})") from None

    def address(self, site_key: str) -> tuple[str, int]:
        return self._server(site_key).address

    def base_url(self, site_key: str) -> str:
        host, port = self.address(site_key)
        return f"http://{host}:{port}/"

    def url(self, site_key: str, path: str = "/") -> str:
        return self.base_url(site_key).rstrip("/") + "/" + path.lstrip("/")

    def column_url(self, site_key: str) -> str:
        return self.url(site_key, self._server(site_key).site.column_path)

    def link_url(self, link: ColumnLink) -> str:
        """The absolute URL a resolved column link points to (fragment included)."""
        url = self.url(link.target_site, link.path)
        return f"{url}#{link.fragment}" if link.fragment else url

    def site_of(self, host: str) -> str | None:
        """The site key serving `host` (an address, or address:port)."""
        for key, server in self._servers.items():
            h, p = server.address
            if host in (h, f"{h}:{p}"):
                return key
        return None

    # --- registry ------------------------------------------------------------------------

    def regions(self, families: Iterable[str] | None = None) -> list[Region]:
        """The registry rows of the crawlable regions, pointed at the replicas.

        ``families``: names of ``sites.FAMILIES`` ("classic", "hanweb", "script", "gbk",
        "attachment", "wall", "discovery"), site keys, or "all"; None: the classic four
        (the old behaviour). Rows come in address order, the classic ones first. A family
        region not yet in the shipped registry is built from ``sites.REGION_ROWS``.
        """
        registry = builtin_registry()
        out: list[Region] = []
        for key in family_keys(families):
            site = self._server(key).site
            assert site.region is not None
            try:
                region = registry.get(site.region)
            except KeyError:
                region = _region_from_row(site.region)
            row = REGION_ROWS.get(site.region)
            columns = [] if row is not None and row.column is None else [self.column_url(key)]
            out.append(region.with_urls(self.base_url(key), columns))
        return out

    def regions_toml(self, families: Iterable[str] | None = None) -> str:
        """The same rows in the registry TOML format (for ``--regions-file``)."""
        lines = [
            "# govcrawl demo: the crawlable regions pointed at the local portal replicas.",
            "# Generated by govcrawl.demo.PortalServer.regions_toml(); valid while it runs.",
        ]
        for region in self.regions(families):
            lines += ["", "[[region]]"]
            for key in ("slug", "code", "name", "level", "parent", "portal", "cms"):
                value = getattr(region, key)
                if value is not None:
                    lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
            for key, default in _OPTIONAL_FIELDS.items():  # render, walls (when known)
                value = getattr(region, key)
                if value != default:
                    lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
            columns = ", ".join(json.dumps(u, ensure_ascii=False) for u in region.report_columns)
            lines.append(f"report_columns = [{columns}]")
        return "\n".join(lines) + "\n"

    # --- request log ---------------------------------------------------------------------

    def _log(self, record: RequestRecord, conditional: dict[str, str] | None = None) -> None:
        with self._lock:
            self.requests.append(record)
            if conditional:
                self.conditional_requests.append((record, conditional))

    def requests_for(self, site_key: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.site == site_key]

    def fetch_counts(self, method: str = "GET") -> dict[tuple[str, str], int]:
        """How often each (site, path) was requested with `method`."""
        counts: dict[tuple[str, str], int] = {}
        with self._lock:
            for r in self.requests:
                if r.method == method:
                    counts[(r.site, r.path)] = counts.get((r.site, r.path), 0) + 1
        return counts

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()
            self.conditional_requests.clear()

    # --- what is served ------------------------------------------------------------------

    def column_links(
        self, site_key: str | None = None, families: Iterable[str] | None = None
    ) -> list[ColumnLink]:
        """Every column link of the replicas, resolved (see ``sites.column_links``)."""
        return column_links(site_key, families)

    def body(self, site_key: str, path: str) -> bytes:
        """The bytes currently served at `path` (404 page if none)."""
        server = self._server(site_key)
        with self._lock:
            return server.routes.get(path, server.not_found).body

    def set_page(
        self,
        site_key: str,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = HTML,
        last_modified: datetime | None = None,
        validators: bool = True,
    ) -> None:
        """Serve other bytes at `path` from now on (a report revised, a page gone: 404/410);
        without ``validators``, with no Last-Modified or ETag (a dynamic page: no 304s)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        modified = last_modified or datetime.now(UTC).replace(microsecond=0)
        page = Page(status, data, content_type, modified if status == 200 and validators else None)
        server = self._server(site_key)
        with self._lock:
            server.routes[path] = page

    def reset_pages(self) -> None:
        """Undo every ``set_page``."""
        bases = {key: self.base_url(key) for key in self._servers}
        with self._lock:
            for server in self._servers.values():
                server.routes, server.not_found = render_site(server.site, bases)
                server.dynamic = dynamic_handler(server.site, bases)

    def __iter__(self) -> Iterator[str]:
        return iter(self._servers)
