"""The one URL normaliser, and the document identity built on it.

``normalise_url`` makes every spelling of one address the same string:
scheme and host lower-case, default ports dropped, fragment dropped,
tracking parameters dropped, remaining query parameters sorted,
``index.html``/``index.htm``/``index.shtml`` folded into the directory,
dot segments resolved, and percent-encoding made canonical.
``url_hash`` is the SHA-256 of that string; the document table is unique on it.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "utm_id",
        "spm",
        "from",
        "share_token",
        "isappinstalled",
        "scene",
        "clicktime",
        "enterid",
        "timestamp",
        "_t",
    }
)
_INDEX_RE = re.compile(r"(^|/)(index|default)\.(html?|shtml|jsp|php|aspx?)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped in a path / query (RFC 3986 pchar, minus what must be quoted).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*,;/?-._~"


class BadURL(ValueError):
    """A link that is not a fetchable http(s) URL."""


def _canon_path(path: str) -> str:
    if not path:
        return "/"
    trailing = path.endswith("/")
    path = posixpath.normpath(unquote(path))
    if path in (".", "//"):
        path = "/"
    if not path.startswith("/"):
        path = "/" + path
    if trailing and not path.endswith("/"):
        path += "/"
    path = _INDEX_RE.sub(r"\1", path)
    return quote(path, safe=_PATH_SAFE) or "/"


@functools.lru_cache(maxsize=16384)  # pure; a URL is normalised at several steps of a crawl
def normalise_url(url: str, base: str | None = None) -> str:
    """Return the canonical spelling of `url` (resolved against `base` if relative)."""
    url = url.strip().replace("\\", "/")
    try:
        if base is not None:
            url = urljoin(base.strip().replace("\\", "/"), url)
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL" and kin: brackets that close nothing
        raise BadURL(f"malformed URL: {url!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise BadURL(f"not an http(s) URL: {url!r}")
    try:
        host = (parts.hostname or "").rstrip(".")
    except ValueError as exc:
        raise BadURL(f"URL has an invalid host: {url!r}") from exc
    if not host:
        raise BadURL(f"URL has no host: {url!r}")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise BadURL(f"URL has an invalid host: {url!r}") from exc
    try:
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"URL has an invalid port: {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query_pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS
    ]
    query = urlencode(sorted(query_pairs), quote_via=quote, safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, _canon_path(parts.path), query, ""))


def url_hash(url: str) -> str:
    """SHA-256 (hex) of the normalised URL: a document's identity."""
    return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    """The URL's host, lower-case ("" for a URL too malformed to have one)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
