"""What a failed request was: the outcome recorded in the ``fetch`` table."""

from __future__ import annotations

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_error

from govcrawl.extract.decode import decode_body
from govcrawl.extract.flags import is_challenge, wall_kind
from govcrawl.fetch.limits import DecompressionBomb, RedirectLoop, RetryAfterRefused
from govcrawl.fetch.safety import BlockedDestination

_TIMEOUTS = (twisted_error.TimeoutError, twisted_error.TCPTimedOutError, DownloadTimeoutError)
_DNS_ERRORS = (twisted_error.DNSLookupError, CannotResolveHostError)
_CONNECTION_ERRORS = (
    twisted_error.ConnectionRefusedError,
    twisted_error.ConnectError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    ResponseDataLossError,
)


def challenge_of(body: bytes, content_type: str | None, status: int) -> str | None:
    """The wall's kind (ruishu, jiasule, cookie_redirect, script) if `body` is an
    anti-bot challenge page, else None."""
    html, _ = decode_body(body[:65536], content_type)
    if not is_challenge(html, "", status):
        return None
    return wall_kind(html, status)


def classify(exc: BaseException | None) -> tuple[str, str, int | None]:
    """(outcome, error message, HTTP status) of a failed request."""
    if isinstance(exc, HttpError):
        response = exc.response
        ctype = response.headers.get(b"Content-Type")
        kind = challenge_of(
            response.body, ctype.decode("latin-1") if ctype else None, response.status
        )
        if kind:
            return "challenge", f"{kind} wall (HTTP {response.status})", response.status
        return "http_error", f"HTTP {response.status}", response.status
    if isinstance(exc, BlockedDestination):
        return "blocked", str(exc), None
    if isinstance(exc, DecompressionBomb):
        return "decompression_bomb", str(exc), None
    if isinstance(exc, RedirectLoop):
        return "redirect_loop", str(exc), None
    if isinstance(exc, RetryAfterRefused):
        return "retry_after", str(exc), None
    if isinstance(exc, DownloadCancelledError):  # Scrapy cancels a body past DOWNLOAD_MAXSIZE
        return "too_large", f"too large: {_size_message(str(exc))}", None
    if isinstance(exc, ResponseDataLossError):
        return "truncated", "truncated: the connection closed before the body was complete", None
    if isinstance(exc, scrapy.exceptions.IgnoreRequest):
        message = str(exc) or "request ignored"
        lowered = message.lower()
        if "max redirections" in lowered:
            return "redirect_loop", f"too many redirects: {message}", None
        if "robots" in lowered:
            return "robots", f"not fetched: {message}", None
        if "offsite" in lowered:
            return "offsite", f"not fetched: {message}", None
        return "ignored", f"not fetched: {message}", None
    if isinstance(exc, _TIMEOUTS):
        return "timeout", f"timed out: {exc}", None
    if isinstance(exc, _DNS_ERRORS):
        return "dns_error", str(exc), None
    if isinstance(exc, _CONNECTION_ERRORS):
        return "connection_error", str(exc) or type(exc).__name__, None
    message = str(exc)
    if "BrowserType.launch" in message:
        first = message.strip().splitlines()[0] if message.strip() else message
        return (
            "browser_unavailable",
            f"{first} (install Debian's chromium, or set GOVCRAWL_CHROMIUM)",
            None,
        )
    return "error", f"{type(exc).__name__}: {exc}", None


def _size_message(message: str) -> str:
    """Scrapy's max-size message without the request repr ("Expected to receive N bytes
    which is larger than download max size (M)"); it says nothing when it cancels a
    body that grew past the limit while streaming."""
    if "max size" not in message:
        return "the body grew past the download max size (GOVCRAWL_MAX_DOWNLOAD_SIZE)"
    return message.split(" in request ", 1)[0] + " (GOVCRAWL_MAX_DOWNLOAD_SIZE)"
