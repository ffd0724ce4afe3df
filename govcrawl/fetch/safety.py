"""Refuse destinations on loopback, private, link-local and other non-public
addresses, checked on the resolved address of every request (redirects are new
requests, so they are checked too), so a hacked page cannot point the crawler
at the machine's own network. ``--allow-loopback`` lifts this for 127.0.0.0/8
only (the local portal replicas of the demo and the tests)."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")


class BlockedDestination(IgnoreRequest):
    """A request to an address the crawler must not visit."""


@functools.lru_cache(maxsize=4096)  # pure; every request to a site asks it of one address
def refusal(ip: str, allow_loopback: bool) -> str | None:
    """Why `ip` may not be visited, or None when it may."""
    try:
        addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip)
    except ValueError:
        return f"{ip!r} is not an IP address"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.version == 4 and addr in LOOPBACK_V4:
        return None if allow_loopback else f"{addr} is a loopback address"
    if addr.is_loopback:
        return f"{addr} is a loopback address"
    if addr.is_link_local:
        return f"{addr} is a link-local address"
    if addr.is_private:
        return f"{addr} is a private address"
    if addr.is_multicast or addr.is_unspecified or addr.is_reserved or not addr.is_global:
        return f"{addr} is not a public address"
    return None


@functools.lru_cache(maxsize=4096)
def ip_literal(host: str) -> str | None:
    """`host` (brackets stripped) when it is an IP address, else None."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return host.strip("[]")


async def resolve(host: str, port: int) -> list[str]:
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class AddressGuardMiddleware:
    """Downloader middleware: checks the resolved address before each download."""

    def __init__(self, allow_loopback: bool):
        self.allow_loopback = allow_loopback

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler.settings.getbool("GOVCRAWL_ALLOW_LOOPBACK"))

    def process_request(self, request: Request) -> Coroutine[Any, Any, None] | None:
        """Checked at once when the URL names an address (no coroutine to make and await
        on every request); else a coroutine that resolves the host first."""
        parsed = request.url.split("://", 1)
        if len(parsed) != 2 or parsed[0] not in ("http", "https"):
            raise BlockedDestination(f"refused {request.url}: not an http(s) URL")
        parts = urlsplit(request.url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        literal = ip_literal(host)
        if literal is None:
            return self._check_resolved(request, host, port)
        reason = refusal(literal, self.allow_loopback)
        if reason:
            raise BlockedDestination(f"refused {request.url}: {host} resolves to {reason}")
        return None

    async def _check_resolved(self, request: Request, host: str, port: int) -> None:
        try:
            addresses = await resolve(host, port)
        except OSError:
            return  # DNS failure: the download itself reports it as a DNS error
        for ip in addresses:
            reason = refusal(ip, self.allow_loopback)
            if reason:
                raise BlockedDestination(f"refused {request.url}: {host} resolves to {reason}")


class GuardedResolver(CachingThreadedResolver):
    """Second line against DNS rebinding: the resolver the connection itself uses
    refuses the same addresses (the download then fails as a DNS error)."""

    allow_loopback = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_loopback = crawler.settings.getbool("GOVCRAWL_ALLOW_LOOPBACK")
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:
        d = super().getHostByName(name, timeout)

        def check(ip: str) -> str:
            reason = refusal(ip, self.allow_loopback)
            if reason:
                raise BlockedDestination(f"{name} resolves to {reason}")
            return ip

        d.addCallback(check)
        return d


class RedirectGuardMiddleware:
    """Checks where a redirect points before Scrapy follows it.

    Scrapy drops a redirect off the region's hosts silently (at scheduling); this
    turns it into a recorded failure: ``blocked`` when the target is a refused
    address, ``offsite`` when it leaves the region's hosts.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.allow_loopback = crawler.settings.getbool("GOVCRAWL_ALLOW_LOOPBACK")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Any) -> Any:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        host = (urlsplit(target).hostname or "").lower()
        try:
            ipaddress.ip_address(host.strip("[]"))
            reason = refusal(host.strip("[]"), self.allow_loopback)
        except ValueError:
            reason = None
        if reason:
            raise BlockedDestination(f"refused redirect to {target}: {reason}")
        spider = self.crawler.spider
        allowed = set(getattr(spider, "allowed_domains", None) or [])
        if allowed and host not in allowed:
            raise IgnoreRequest(f"offsite redirect to {target}")
        return response
