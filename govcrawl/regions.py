"""The registry of jurisdictions: who publishes reports, where, on which CMS.

The TOML format is a contract (tests outside the project rely on it)::

    [[region]]
    slug = "zhalantun"            # unique; also the spider name
    code = "150783"               # GB/T 2260 administrative division code
    name = "扎兰屯市"
    level = "county"              # province | prefecture | county | township | department
    parent = "150700"             # optional
    portal = "http://www.zhalantun.gov.cn/"
    cms = "trs"                   # a CMS family the project supports, or "generic"
    report_columns = ["http://www.zhalantun.gov.cn/zwgk/zfxxgknb/index.html"]

Optional fields: ``render = "browser"`` (the report columns are empty shells
filled by JavaScript: render them in Chromium; default ``"auto"``: only when a
column page looks like an empty shell) and ``walls = "browser"`` (anti-bot walls
on this portal yield to a real browser: retry a walled page once through
Chromium; default ``"record"``).

A row without ``portal`` is a jurisdiction only (a parent, or a town whose
reports its county's column carries); it is not crawled. A row with a portal
but no ``report_columns`` is crawled by discovery: its ``sitemap.xml`` and the
信息公开 landing page reached from its home page.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LEVELS = ("province", "prefecture", "county", "township", "department")
CMS_FAMILIES = ("generic", "trs", "hanweb")
RENDER_MODES = ("auto", "browser", "never")
WALL_MODES = ("record", "browser")
_FIELDS = {
    "slug": str,
    "code": str,
    "name": str,
    "level": str,
    "parent": str,
    "portal": str,
    "cms": str,
    "report_columns": list,
    "render": str,
    "walls": str,
}
_REQUIRED = ("slug", "code", "name", "level")
_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")
# Suffixes stripped to get the short name a title uses (乌拉街满族镇 -> 乌拉街).
_NAME_SUFFIXES = (
    "满族镇",
    "蒙古族乡",
    "民族乡",
    "街道办事处",
    "街道",
    "镇",
    "乡",
    "苏木",
    "自治县",
    "自治州",
    "自治旗",
    "市",
    "区",
    "县",
    "旗",
    "州",
    "盟",
)


class RegionsError(ValueError):
    """A regions file that cannot be used; the message names file, region and field."""


@dataclass(frozen=True)
class Region:
    slug: str
    code: str
    name: str
    level: str
    parent: str | None = None
    portal: str | None = None
    cms: str = "generic"
    report_columns: tuple[str, ...] = ()
    render: str = "auto"
    walls: str = "record"
    source: str = "<builtin>"

    @property
    def crawlable(self) -> bool:
        return bool(self.portal)

    @property
    def province(self) -> str:
        return self.code[:2] + "0000"

    @property
    def short_name(self) -> str:
        for suffix in _NAME_SUFFIXES:
            if self.name.endswith(suffix) and len(self.name) > len(suffix) + 1:
                return self.name[: -len(suffix)]
        return self.name

    @property
    def hosts(self) -> tuple[str, ...]:
        """Hosts this region's crawl may visit (portal and column hosts)."""
        urls = [self.portal or "", *self.report_columns]
        seen: dict[str, None] = {}
        for url in urls:
            host = urlsplit(url).hostname
            if host:
                seen[host.lower()] = None
        return tuple(seen)

    def with_urls(self, portal: str, report_columns: Sequence[str]) -> Region:
        return replace(self, portal=portal, report_columns=tuple(report_columns))


@dataclass
class Registry:
    regions: dict[str, Region] = field(default_factory=dict)

    def __iter__(self) -> Any:
        return iter(self.regions.values())

    def __len__(self) -> int:
        return len(self.regions)

    def get(self, key: str) -> Region:
        """Find a region by slug or by code; KeyError names what was asked."""
        if key in self.regions:
            return self.regions[key]
        for region in self.regions.values():
            if region.code == key:
                return region
        raise KeyError(f"unknown region {key!r} (not a slug or code in the registry)")

    def by_code(self, code: str) -> Region | None:
        for region in self.regions.values():
            if region.code == code:
                return region
        return None

    def crawlable(self) -> list[Region]:
        return [r for r in self.regions.values() if r.crawlable]

    def children(self, code: str) -> list[Region]:
        return [r for r in self.regions.values() if r.parent == code]

    def ancestors(self, code: str) -> list[Region]:
        out: list[Region] = []
        region = self.by_code(code)
        while region is not None and region.parent and len(out) < 8:
            region = self.by_code(region.parent)
            if region is not None:
                out.append(region)
        return out

    def jurisdiction_for(self, region: Region, *names: str | None) -> Region:
        """The jurisdiction a document listed in `region`'s column belongs to.

        County portals carry their towns' reports in one column; a document whose
        title (or agency) names a registered child of the region belongs to it.
        """
        text = " ".join(n for n in names if n)
        for child in self.children(region.code):
            if child.name in text or child.short_name in text:
                return child
        return region

    def merged(self, other: Iterable[Region]) -> Registry:
        """This registry with `other`'s rows added; a row with a known slug replaces it."""
        regions = dict(self.regions)
        for region in other:
            regions[region.slug] = region
        return Registry(regions)


def _check_field(source: str, label: str, key: str, value: Any) -> None:
    expected = _FIELDS[key]
    if not isinstance(value, expected):
        raise RegionsError(
            f"{source}: region {label}: field {key!r} must be a "
            f"{'list of URLs' if expected is list else 'string'}, got {value!r}"
        )


def _check_url(source: str, label: str, key: str, url: Any) -> str:
    if not isinstance(url, str):
        raise RegionsError(f"{source}: region {label}: field {key!r}: {url!r} is not a URL string")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegionsError(
            f"{source}: region {label}: field {key!r}: {url!r} is not an http(s) URL"
        )
    return url


def parse_regions(data: dict[str, Any], source: str) -> list[Region]:
    rows = data.get("region")
    if rows is None:
        raise RegionsError(f"{source}: no [[region]] tables found")
    if not isinstance(rows, list):
        raise RegionsError(f"{source}: 'region' must be an array of tables ([[region]])")
    unknown_top = set(data) - {"region"}
    if unknown_top:
        raise RegionsError(f"{source}: unknown top-level key(s): {', '.join(sorted(unknown_top))}")
    regions: list[Region] = []
    slugs: set[str] = set()
    for index, row in enumerate(rows, start=1):
        label = f"#{index}"
        if not isinstance(row, dict):
            raise RegionsError(f"{source}: region {label} is not a table")
        if isinstance(row.get("slug"), str):
            label = f"#{index} ({row['slug']})"
        for key in row:
            if key not in _FIELDS:
                raise RegionsError(f"{source}: region {label}: unknown field {key!r}")
        for key in _REQUIRED:
            if key not in row:
                raise RegionsError(f"{source}: region {label}: missing field {key!r}")
        for key, value in row.items():
            _check_field(source, label, key, value)
        slug, code, level = row["slug"], row["code"], row["level"]
        if not _SLUG_RE.match(slug):
            raise RegionsError(
                f"{source}: region {label}: field 'slug': {slug!r} must be lower-case "
                "ASCII letters, digits or _, starting with a letter"
            )
        if slug in slugs:
            raise RegionsError(f"{source}: region {label}: field 'slug': {slug!r} is not unique")
        slugs.add(slug)
        if not _CODE_RE.match(code):
            raise RegionsError(
                f"{source}: region {label}: field 'code': {code!r} is not a 6, 9 or 12 digit "
                "administrative division code"
            )
        parent = row.get("parent")
        if parent is not None and not _CODE_RE.match(parent):
            raise RegionsError(
                f"{source}: region {label}: field 'parent': {parent!r} is not a division code"
            )
        if level not in LEVELS:
            raise RegionsError(
                f"{source}: region {label}: field 'level': {level!r} is not one of "
                f"{', '.join(LEVELS)}"
            )
        cms = row.get("cms", "generic")
        if cms not in CMS_FAMILIES:
            raise RegionsError(
                f"{source}: region {label}: field 'cms': {cms!r} is not a supported CMS family "
                f"({', '.join(CMS_FAMILIES)})"
            )
        for key, allowed in (("render", RENDER_MODES), ("walls", WALL_MODES)):
            if key in row and row[key] not in allowed:
                raise RegionsError(
                    f"{source}: region {label}: field {key!r}: {row[key]!r} is not one of "
                    f"{', '.join(allowed)}"
                )
        portal = row.get("portal")
        if portal is not None:
            _check_url(source, label, "portal", portal)
        columns = tuple(
            _check_url(source, label, "report_columns", url)
            for url in row.get("report_columns", [])
        )
        if columns and portal is None:
            raise RegionsError(
                f"{source}: region {label}: missing field 'portal' (needed with report_columns)"
            )
        regions.append(
            Region(
                slug=slug,
                code=code,
                name=row["name"],
                level=level,
                parent=parent,
                portal=portal,
                cms=cms,
                report_columns=columns,
                render=row.get("render", "auto"),
                walls=row.get("walls", "record"),
                source=source,
            )
        )
    return regions


def load_regions_file(path: str | Path) -> list[Region]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegionsError(f"{path}: cannot read regions file: {exc.strerror or exc}") from exc
    # every crawler of a run reads the file (one per region): parsed once while unchanged
    return list(_parsed(str(path), raw))


@functools.lru_cache(maxsize=16)
def _parsed(path: str, raw: bytes) -> tuple[Region, ...]:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RegionsError(f"{path}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegionsError(f"{path}: not valid TOML: {exc}") from exc
    return tuple(parse_regions(data, path))


def builtin_registry() -> Registry:
    return Registry({r.slug: r for r in _builtin_regions()})


@functools.lru_cache(maxsize=1)
def _builtin_regions() -> tuple[Region, ...]:
    text = resources.files("govcrawl").joinpath("data/regions.toml").read_text("utf-8")
    return tuple(parse_regions(tomllib.loads(text), "govcrawl/data/regions.toml"))


def load_registry(regions_file: str | Path | None = None) -> Registry:
    """The shipped registry, plus the rows of a user's regions file if given."""
    registry = builtin_registry()
    if regions_file is not None:
        registry = registry.merged(load_regions_file(regions_file))
    return registry
