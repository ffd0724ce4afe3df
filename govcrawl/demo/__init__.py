"""Local replicas of real government portals, served on loopback for tests and the demo.

``PortalServer`` serves them; ``sites`` declares what they carry (and what a crawl of
them must find): the classic sites (``SITES``) and the replicas of the common CMS
families (``FAMILY_SITES``, see ``FAMILIES``); ``markup`` reads the page bodies shipped
in ``data/``; ``families`` renders the family sites and answers their dynamic requests.
"""

from __future__ import annotations

from govcrawl.demo.server import PortalServer, RequestRecord
from govcrawl.demo.sites import (
    ALL_SITES,
    CRAWLABLE,
    FAMILIES,
    FAMILY_SITES,
    REGION_ROWS,
    SITES,
    ColumnLink,
    Site,
    column_links,
    family_keys,
    site,
)

__all__ = [
    "ALL_SITES",
    "CRAWLABLE",
    "FAMILIES",
    "FAMILY_SITES",
    "REGION_ROWS",
    "SITES",
    "ColumnLink",
    "PortalServer",
    "RequestRecord",
    "Site",
    "column_links",
    "family_keys",
    "site",
]
