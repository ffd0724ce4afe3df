"""Request fingerprints from the one URL normaliser, so Scrapy's duplicate
filter treats every spelling of an address (tracking parameters, host case,
``index.html``, fragments, parameter order) as one request."""

from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.crawler import Crawler

from govcrawl.urls import BadURL, normalise_url


class NormalisedFingerprinter:
    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisedFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        try:
            url = normalise_url(request.url)
        except BadURL:
            url = request.url
        digest = hashlib.sha1()
        digest.update(request.method.encode("ascii"))
        digest.update(b"\0" + url.encode("utf-8") + b"\0")
        digest.update(request.body or b"")
        return digest.digest()
