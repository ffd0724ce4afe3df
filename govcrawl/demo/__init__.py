"""Local replicas of real government portals, served on loopback for tests and the demo.

``PortalServer`` serves them; ``sites`` declares what they carry (and what a crawl of
them must find); ``markup`` reads the page bodies shipped in ``data/``.
"""

from __future__ import annotations

from govcrawl.demo.server import PortalServer, RequestRecord
from govcrawl.demo.sites import CRAWLABLE, SITES, ColumnLink, Site, column_links, site

__all__ = [
    "CRAWLABLE",
    "SITES",
    "ColumnLink",
    "PortalServer",
    "RequestRecord",
    "Site",
    "column_links",
    "site",
]
