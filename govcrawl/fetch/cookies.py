"""Cookies without network access.

Scrapy's cookie middleware asks tldextract whether a cookie domain is a public
suffix; on first use tldextract downloads the public suffix list (offline:
tracebacks, and a crawler that phones out). This middleware uses the suffix
list snapshot that ships inside tldextract instead, and never fetches it.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares import cookies as _scrapy_cookies
from tldextract import TLDExtract

_scrapy_cookies._split_domain = TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


class HermeticCookiesMiddleware(_scrapy_cookies.CookiesMiddleware):
    """Scrapy's CookiesMiddleware, with the bundled public suffix list."""
