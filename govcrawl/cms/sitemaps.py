"""sitemaps.org XML: page URLs (with lastmod) and nested sitemap URLs."""

from __future__ import annotations

from datetime import date

from lxml import etree

from govcrawl.discovery import parse_date


def read_sitemap(body: bytes) -> tuple[list[tuple[str, date | None]], list[str]]:
    """([(page URL, lastmod)], [child sitemap URL]) of a sitemap or sitemap index;
    ([], []) for anything that is not one."""
    try:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, recover=True, huge_tree=False
        )
        root = etree.fromstring(body.strip(), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return [], []
    if root is None:
        return [], []
    pages: list[tuple[str, date | None]] = []
    children: list[str] = []
    for node in root.iter("{*}url", "{*}sitemap"):
        loc = node.findtext("{*}loc")
        if not loc:
            continue
        lastmod = node.findtext("{*}lastmod")
        if etree.QName(node).localname == "sitemap":
            children.append(loc.strip())
        else:
            pages.append((loc.strip(), parse_date(lastmod[:10]) if lastmod else None))
    return pages, children
