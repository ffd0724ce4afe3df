#!/usr/bin/env python3
"""The generated world of the benchmark suite (issue 10): government portals on loopback.

    python benchmarks/world.py [--pages 4000] [--portals 20]   # serve it until Ctrl-C

N article pages (default 4,000) on P portals (default 20): half annual reports, half other
pages of the same column (notices 通知, announcements 公告, news 工作动态, work plans 工作要点).
Each portal is a TRS WCM replica on its own loopback address, 127.0.0.70 and up, and a
``cms = "trs"`` region of a generated regions file whose rows use real county codes (their
parents are in the shipped registry; the shipped crawlable rows become jurisdiction-only rows,
so ``govcrawl crawl --all`` crawls exactly this world).

* **Column.** ``/zwgk/zfxxgknb/index.html``, 20 links a page, paginated by the script call
  ``createPageHTML(total, cur, "index", "html")`` (``index_1.html``, ...). Reports and other
  pages are interleaved, newest first. The list template writes the link text cut to 29
  characters and an ellipsis, with no ``title`` attribute (as many TRS list templates do). The
  other pages' titles all start like a report's (publisher, year, 政府信息公开 / 政务公开) and
  say what they are only after the cut (``…有关事项的通知``), so no crawler can tell them from
  reports by the link: each must fetch every article and classify the page.
* **Pages.** The demo's chrome (``govcrawl/demo/render.py``): header, breadcrumb, the government
  ``<meta>`` tags (ArticleTitle, PubDate, ContentSource, ...), ``div.TRS_Editor``, 上一篇/下一篇,
  footer. Report bodies are the demo's report texts rewritten per jurisdiction, agency and year
  (``crawl_throughput.report_text``), both report formats (2019 format from 2020 on); their
  tables are plain ``<td>`` cells. Other pages are short generated texts. Mean article page about
  12 KiB (reports about 17, other pages about 7); every text differs.
* **Server.** The demo's threaded server (keep-alive, ETags and 304s, gzip, robots.txt) in a
  separate spawned process, so it never holds the crawler's GIL. Every response (robots.txt,
  columns, articles, 304s) waits 20-80 ms first, uniform and seeded by (site, path, how many
  times that path was asked for); the wait is a sleep in the connection's own thread, so it
  never holds up the server's other connections.

Used by ``suite.py``; importable (``build_world``, ``render_routes``, ``WorldServer``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import multiprocessing
import random
import signal
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from ipaddress import IPv4Address
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import crawl_throughput as ct  # a sibling script, not a package

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from govcrawl.demo.markup import Document
    from govcrawl.demo.render import Page
    from govcrawl.demo.sites import Article, Site

FIRST_ADDRESS = "127.0.0.70"  # .70-.89; tests use .2-.13, .40-.44, .100+; crawl_throughput .20+
PORTALS = 20
PAGES = 4000
SEED = 10
LATENCY_S = (0.020, 0.080)
COLUMN = ct.COLUMN  # /zwgk/zfxxgknb/
PER_PAGE = 20
LINK_CHARS = 30  # a longer title is cut to 29 characters and "…" in the column list
# The crawl_throughput counties and three more whose parents the shipped registry has.
COUNTIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    *ct.COUNTIES,
    ("hailaer", "150702", "海拉尔区", "海拉尔", "150700", "蒙"),
    ("jiaohe", "220281", "蛟河市", "蛟河", "220200", "吉"),
    ("kaiyang", "520121", "开阳县", "开阳", "520100", "黔"),
)
REPORT_CAPACITY = len(ct.AGENCIES) * len(ct.YEARS)  # (agency, year) pairs of one portal

# Other pages: title = publisher + year + 年 + context + phrase; the phrase says what the page
# is only after the column's cut (checked in build_world).
CONTEXTS = ("政府信息公开", "政务公开")
PHRASES: dict[str, tuple[str, ...]] = {
    "notice": (
        "工作领导小组成员及办公室组成人员调整有关事项的通知",
        "重点任务分工及各责任单位联络员名单有关事项的通知",
        "专栏栏目设置调整及内容发布审核流程有关事项的通知",
    ),
    "announcement": (
        "专栏网站系统升级改造期间暂停部分服务的公告",
        "依申请公开受理渠道及联系方式变更有关情况的公告",
        "线下查阅场所地址及开放时间调整有关情况的公告",
    ),
    "news": (
        "工作推进会在政务服务中心召开 部署全年重点任务",
        "专题业务交流活动在政务服务中心举行 各部门业务骨干参加",
        "工作人员深入基层走访调研 听取群众对公开工作的意见建议",
    ),
    "points": (
        "重点任务分解及各责任单位分工安排暨年度工作要点",
        "重点领域信息发布与平台建设任务清单及工作要点",
    ),
}
KINDS = ("notice", "news", "announcement", "points")
# Words that would tell a link's kind; none may show in an other page's link text.
_TELLING = ("通知", "公告", "通告", "要点", "计划", "方案", "会议", "培训", "动态")


# --- the world ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One article page of the world."""

    portal: str  # site key (the region slug)
    path: str
    title: str
    kind: str  # report, notice, announcement, news, points
    listed: date

    @property
    def is_report(self) -> bool:
        return self.kind == "report"


@dataclass
class World:
    pages: int
    portals: int
    seed: int
    sites: list[Site]
    docs: dict[str, Document]
    items: list[Item]

    @property
    def reports(self) -> int:
        return sum(item.is_report for item in self.items)


def link_text(title: str) -> str:
    """The text a column list shows for `title`."""
    return title if len(title) <= LINK_CHARS else title[: LINK_CHARS - 1] + "…"


def per_portal(total: int, portals: int) -> list[int]:
    return ct.per_site(total, portals)


def _other_text(kind: str, title: str, org: str, published: date, seed: str) -> str:
    """The body markup of a non-report page (title first, as the reports have theirs)."""
    from govcrawl.demo.texts import cn_date, short_text

    rng = random.Random(seed)
    lines = [f"{{center}}{title}"]
    if kind == "announcement":
        lines += [
            f"为进一步做好{org}政府信息公开工作，方便公众获取政府信息，现将有关情况公告如下：",
            f"一、自{cn_date(published)}起，相关服务按调整后的安排办理，"
            f"咨询电话0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}。",
            "二、调整期间，公众可通过门户网站“政府信息公开”专栏在线提交申请，"
            "也可通过信函方式提出申请，受理时限不变。",
            "三、由此带来的不便，敬请谅解。",
            "特此公告。",
            "{right}" + org,
            "{right}" + cn_date(published),
        ]
    else:
        short_kind = "news" if kind == "news" else kind
        lines.append(short_text(short_kind, org, title, published, seed))
        if kind == "news":
            lines += [
                f"{org}有关负责同志在讲话中指出，要把政务公开作为转变政府职能、"
                "建设法治政府的重要抓手，做到公开内容全面、公开程序规范、公开形式便民。",
                "各单位要对照年度任务清单逐项梳理，建立工作台账，"
                f"于{published.year}年{rng.randint(6, 12)}月底前完成阶段性目标。",
            ]
    return "\n".join(lines) + "\n"


def build_world(pages: int = PAGES, portals: int = PORTALS, seed: int = SEED) -> World:
    """The sites (demo ``Site`` specs), their page bodies and the article list; deterministic.

    ``pages // 2`` reports and the rest other pages, spread evenly over the portals.
    """
    from govcrawl.demo.markup import parse
    from govcrawl.demo.sites import Article, Link, Site

    if not 1 <= portals <= len(COUNTIES):
        raise ValueError(f"portals must be 1..{len(COUNTIES)}")
    if pages < 2 * portals:
        raise ValueError(f"at least 2 pages a portal: pages must be >= {2 * portals}")
    report_counts = per_portal(pages // 2, portals)
    other_counts = per_portal(pages - pages // 2, portals)
    if max(report_counts) > REPORT_CAPACITY:
        raise ValueError(
            f"at most {REPORT_CAPACITY} reports a portal: at most "
            f"{2 * REPORT_CAPACITY * portals} pages on {portals} portals"
        )
    world = World(pages, portals, seed, [], {}, [])
    for i in range(portals):
        county = COUNTIES[i]
        slug, code, full, short, _parent, prov = county
        rng = random.Random(f"{seed}/{slug}")
        serial = 4_000_000 + 100_000 * i
        articles: list[Article] = []
        kinds: dict[str, str] = {}
        for j in range(report_counts[i]):
            # Every year before every agency: both report formats on every portal.
            year, agency = ct.YEARS[j % len(ct.YEARS)], ct.AGENCIES[j // len(ct.YEARS)]
            text_rng = random.Random(f"{seed}/{slug}/{year}/{agency}")
            publisher = f"{full}{agency}"
            title = f"{publisher}{year}年政府信息公开工作年度报告"
            pool = ct.TEMPLATES_2019 if year >= 2020 else ct.TEMPLATES_2008
            template = pool[(j + i) % len(pool)]
            name = f"world/{slug}/r{j}"
            world.docs[name] = parse(
                ct.report_text(county, agency, year, title, template, text_rng), name
            )
            published = datetime(year + 1, text_rng.randint(1, 3), text_rng.randint(1, 28),
                                 text_rng.randint(8, 17), text_rng.randint(0, 59))
            serial += rng.randint(3, 400)
            path = f"{COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{serial}.html"
            articles.append(Article(
                f"r{j}", title, path, published, publisher, name, True, year, code,
                hits=text_rng.randint(120, 9000), publisher=publisher,
            ))
            kinds[f"r{j}"] = "report"
        for k in range(other_counts[i]):
            kind = KINDS[k % len(KINDS)]
            year = rng.choice(ct.YEARS)
            agency = rng.choice(ct.AGENCIES)
            publisher = f"{full}{agency}"
            title = f"{publisher}{year}年{rng.choice(CONTEXTS)}{rng.choice(PHRASES[kind])}"
            shown = link_text(title)
            if shown == title or any(word in shown for word in _TELLING) or "年度报告" in title:
                raise AssertionError(f"an other page's link text gives it away: {title}")
            published = datetime(year, rng.randint(2, 12), rng.randint(1, 28),
                                 rng.randint(8, 17), rng.randint(0, 59))
            serial += rng.randint(3, 400)
            path = f"{COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{serial}.html"
            name = f"world/{slug}/o{k}"
            world.docs[name] = parse(
                _other_text(kind, title, publisher, published.date(), f"{seed}/{slug}/o{k}"),
                name,
            )
            articles.append(Article(
                f"o{k}", title, path, published, publisher, name, False, None, code,
                hits=rng.randint(50, 3000), publisher=publisher,
            ))
            kinds[f"o{k}"] = kind
        articles.sort(key=lambda a: (a.published, a.path), reverse=True)
        links = [Link(a.title, a.published.date(), a.key) for a in articles]
        column_pages = tuple(
            tuple(links[n:n + PER_PAGE]) for n in range(0, len(links), PER_PAGE)
        )
        name = f"{full}人民政府"
        world.sites.append(Site(
            key=slug, region=slug, name=name, short=short, domain=f"www.{slug}.gov.cn",
            cms="trs", pagination="trs", column_path=COLUMN + "index.html",
            column_name="政府信息公开年报", container="div.TRS_Editor",
            list_selector="ul.list li", sponsor=f"{name}办公室",
            undertaker=f"{full}政务服务与数据管理局", site_code=f"{code}0001",
            icp=f"{prov}ICP备{code}号-1", police=f"{prov}公网安备 {code}02000{i + 101}号",
            related=(("中国政府网", "http://www.gov.cn/"),),
            articles=tuple(articles), pages=column_pages,
        ))
        world.items += [
            Item(slug, a.path, a.title, kinds[a.key], a.published.date()) for a in articles
        ]
    return world


# --- HTML ------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return escape(text, quote=True)


def body_html(doc: Document, styled: bool) -> str:
    """The article body as a TRS editor writes it (`styled`: with the editor's style block,
    as pasted reports have it); tables with plain cells."""
    from govcrawl.demo import markup

    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, markup.Paragraph):
            parts.append(markup._paragraph_html(block, "trs"))
            continue
        rows = "\n".join(
            "<tr>" + "".join(
                f"<td{markup._cell_attrs(c)}>{escape(c.text, quote=False) or '&nbsp;'}</td>"
                for c in row
            ) + "</tr>"
            for row in block.rows
        )
        parts.append('<table border="1" cellspacing="0" cellpadding="0" width="100%">\n'
                     f"<tbody>\n{rows}\n</tbody>\n</table>")
    style = markup._TRS_STYLE + "\n" if styled else ""
    return f'{style}<div class="Custom_UnionStyle">\n' + "\n".join(parts) + "\n</div>"


def detail_html(s: Site, art: Article, doc: Document, prev: Article | None,
                nxt: Article | None) -> str:
    """A TRS detail page (the demo's chrome and <meta> tags around `doc`)."""
    from govcrawl.demo import render

    published = art.published.strftime("%Y-%m-%d %H:%M")
    paragraphs = doc.paragraphs
    first = next((p for p in paragraphs[1:] if len(p) > 30), paragraphs[0])
    metas = [
        ("SiteName", s.name), ("SiteDomain", s.domain), ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name), ("ColumnType", s.column_name),
        ("ArticleTitle", art.title), ("PubDate", published), ("ContentSource", art.source),
        ("keywords", "政府信息公开,年度报告" if art.is_report else "政务公开"),
        ("description", first[:120]),
    ]
    info = (
        f'<div class="article-info">发布日期：{published}　　发布单位：{_e(art.source)}　　'
        f'来源：{_e(art.source)}　　点击量：<span id="hits">{art.clicks}</span>　　'
        f"{render._font_tools()}　　{render._print_close()}</div>\n"
    )

    def neighbour(label: str, a: Article | None) -> str:
        if a is None:
            return f"<p>{label}：没有了</p>"
        return f'<p>{label}：<a href="{_e(a.path)}" title="{_e(a.title)}">{_e(a.title)}</a></p>'

    return (
        render._head(s, f"{art.title}_{s.name}", metas)
        + render._header(s)
        + render._breadcrumb(s, column=False)
        + '<div class="main"><div class="wrap"><div class="article">\n'
        + f'<div class="article-title"><h1>{_e(art.title)}</h1></div>\n{info}'
        + '<div class="article-content" id="zoomcon">\n<div class="TRS_Editor">'
        + body_html(doc, styled=art.is_report)
        + "</div>\n</div>\n"
        + '<div class="prev-next">' + neighbour("上一篇", prev) + neighbour("下一篇", nxt)
        + "</div>\n"
        + render._related(s)
        + "</div></div></div>\n"
        + render._footer(s)
    )


def column_html(s: Site, index: int) -> str:
    """Column page `index`: truncated link texts, no title attribute, the TRS pager."""
    from govcrawl.demo import render

    metas = [
        ("SiteName", s.name), ("SiteDomain", s.domain), ("SiteIDCode", s.site_code),
        ("ColumnName", s.column_name), ("ColumnType", s.column_name),
        ("ColumnKeywords", "政府信息公开年报"),
        ("ColumnDescription", f"{s.name}政府信息公开工作年度报告"),
    ]
    by_key = {a.key: a for a in s.articles}
    rows = []
    for link in s.pages[index]:
        assert link.article is not None
        href = "./" + by_key[link.article].path.removeprefix(COLUMN)
        rows.append(f'<li><a href="{_e(href)}" target="_blank">{_e(link_text(link.title))}</a>'
                    f"<span>{link.listed.isoformat()}</span></li>")
    return (
        render._head(s, f"{s.column_name}_{s.name}", metas,
                     f'<script type="text/javascript">{render.TRS_PAGER_JS}</script>\n')
        + render._header(s)
        + render._breadcrumb(s, column=True)
        + '<div class="main"><div class="wrap">\n'
        + render._sidebar(s)
        + f'<div class="list-right"><div class="list-title"><span>{_e(s.column_name)}'
        + "</span></div>\n"
        + '<ul class="list">\n' + "\n".join(rows) + "\n</ul>\n"
        + render._pager_html(s, index)
        + "</div>\n</div></div>\n"
        + render._footer(s)
    )


def render_routes(world: World, site: Site) -> tuple[dict[str, Page], Page]:
    """Every path a portal serves, and its 404 page."""
    from govcrawl.demo import render

    def html(text: str, modified: datetime | None) -> Page:
        return render.Page(200, text.encode("utf-8"), render.HTML, modified)

    routes: dict[str, Page] = dict(render.assets())
    routes["/robots.txt"] = render.Page(200, render.ROBOTS.encode(), "text/plain; charset=utf-8",
                                        datetime(2021, 3, 1, 9, 0, tzinfo=render.CST))
    latest = max(render._cst(a.published) for a in site.articles)
    routes["/"] = routes["/index.html"] = html(render.home_page(site), latest)
    for index in range(len(site.pages)):
        routes[site.page_path(index)] = html(column_html(site, index), latest)
    arts = site.articles
    for k, art in enumerate(arts):
        assert art.body is not None
        prev = arts[k - 1] if k else None
        nxt = arts[k + 1] if k + 1 < len(arts) else None
        routes[art.path] = html(detail_html(site, art, world.docs[art.body], prev, nxt),
                                render._cst(art.published))
    not_found = render.Page(404, render.not_found_page(site).encode("utf-8"), render.HTML)
    return routes, not_found


def regions_toml(world: World, bases: dict[str, str]) -> str:
    """The portals as trs regions; the shipped crawlable rows become jurisdictions only,
    so that ``--all`` crawls exactly this world."""
    from govcrawl.regions import builtin_registry

    def row(**values: Any) -> list[str]:
        return ["", "[[region]]"] + [
            f"{key} = {json.dumps(value, ensure_ascii=False)}"
            for key, value in values.items() if value is not None
        ]

    lines = ["# govcrawl benchmark suite: a generated world on loopback (valid while served)."]
    for region in builtin_registry().crawlable():
        lines += row(slug=region.slug, code=region.code, name=region.name,
                     level=region.level, parent=region.parent)
    by_slug = {c[0]: c for c in COUNTIES}
    for site in world.sites:
        _, code, name, _short, parent, _ = by_slug[site.key]
        base = bases[site.key]
        lines += row(slug=site.key, code=code, name=name, level="county", parent=parent,
                     portal=base, cms="trs",
                     report_columns=[base.rstrip("/") + COLUMN + "index.html"])
    return "\n".join(lines) + "\n"


# --- the server (runs in its own process) ----------------------------------------------------


def _portal_server_class() -> type:
    from govcrawl.demo.server import PortalServer, _Handler, _SiteServer

    class SlowHandler(_Handler):
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK add 40 ms to every keep-alive response.
        disable_nagle_algorithm = True

        def _serve(self, head: bool) -> None:
            portal = self.server.portal
            assert isinstance(portal, WorldPortalServer)
            time.sleep(portal.delay(self.server.site.key, self.path))
            super()._serve(head)

    class WorldSiteServer(_SiteServer):
        """Every page gzipped once at start-up, so that no crawler's run pays for it; a
        listen backlog like nginx's (socketserver's 5 drops connections beyond it)."""

        request_queue_size = 511

        def compressed(self, page: Page) -> bytes:
            if page.body not in self.gzipped:
                self.gzipped[page.body] = gzip.compress(page.body, mtime=0)
            return self.gzipped[page.body]

    class WorldPortalServer(PortalServer):
        """The demo's server over the world's portals, every response delayed."""

        def __init__(self, world: World, first_address: str) -> None:
            super().__init__(first_address)
            self.world = world
            self._asked: Counter[tuple[str, str]] = Counter()
            self._delay_lock = threading.Lock()
            self._seen = 0  # requests already counted by take_stats
            self._cpu = time.process_time()

        @property
        def site_keys(self) -> list[str]:
            return [s.key for s in self.world.sites]

        def delay(self, site: str, path: str) -> float:
            with self._delay_lock:
                n = self._asked[(site, path)]
                self._asked[(site, path)] = n + 1
            digest = hashlib.blake2b(f"{self.world.seed}/{site}/{path}/{n}".encode(),
                                     digest_size=8).digest()
            low, high = LATENCY_S
            return low + (high - low) * int.from_bytes(digest, "big") / 2**64

        def start(self) -> WorldPortalServer:
            for offset, site in enumerate(self.world.sites):
                server = WorldSiteServer(self, site, str(self.first_address + offset))
                server.RequestHandlerClass = SlowHandler
                server.routes, server.not_found = render_routes(self.world, site)
                for page in server.routes.values():
                    if page.status == 200 and page.content_type.startswith(("text/", "appl")):
                        server.compressed(page)
                self._servers[site.key] = server
            for key, site_server in self._servers.items():
                # New connections wake the server at once; the interval is for shutdown only
                # (20 servers waking 20 times a second would cost the crawler CPU).
                thread = threading.Thread(target=site_server.serve_forever,
                                          kwargs={"poll_interval": 0.5},
                                          name=f"world-{key}", daemon=True)
                thread.start()
                self._threads.append(thread)
            return self

        def take_stats(self) -> dict[str, Any]:
            """What was served since the last call."""
            articles = {(i.portal, i.path): i.is_report for i in self.world.items}
            with self._lock:
                records = self.requests[self._seen:]
                self._seen = len(self.requests)
            statuses: Counter[str] = Counter(str(r.status) for r in records)
            ok = {(r.site, r.path) for r in records if r.status == 200}
            fetched = [key for key in ok if key in articles]
            cpu = time.process_time()
            stats = {
                "requests": len(records),
                "statuses": dict(statuses),
                "articles_200": len(fetched),
                "reports_200": sum(articles[key] for key in fetched),
                "articles_304": len({(r.site, r.path) for r in records
                                     if r.status == 304 and (r.site, r.path) in articles}),
                "article_requests": sum((r.site, r.path) in articles for r in records),
                "server_cpu_s": cpu - self._cpu,
            }
            self._cpu = cpu
            return stats

    return WorldPortalServer


def dump_bodies(world: World, routes: dict[str, dict[str, Page]], bases: dict[str, str],
                path: Path) -> dict[str, Any]:
    """The article pages as served, to `path`: records of (URL, body), length-prefixed."""
    count = size = 0
    with open(path, "wb") as f:
        for item in world.items:
            url = bases[item.portal].rstrip("/") + item.path
            body = routes[item.portal][item.path].body
            encoded = url.encode("utf-8")
            f.write(struct.pack("<II", len(encoded), len(body)) + encoded + body)
            count += 1
            size += len(body)
    return {"pages": count, "bytes": size}


def read_bodies(path: Path) -> list[tuple[str, bytes]]:
    """What ``dump_bodies`` wrote."""
    out: list[tuple[str, bytes]] = []
    with open(path, "rb") as f:
        while header := f.read(8):
            n_url, n_body = struct.unpack("<II", header)
            out.append((f.read(n_url).decode("utf-8"), f.read(n_body)))
    return out


def _summary(world: World, routes: dict[str, dict[str, Page]]) -> dict[str, Any]:
    sizes = {"report": [], "other": []}  # type: dict[str, list[int]]
    for item in world.items:
        sizes["report" if item.is_report else "other"].append(
            len(routes[item.portal][item.path].body))
    columns = [len(routes[s.key][s.page_path(i)].body)
               for s in world.sites for i in range(len(s.pages))]
    every = sizes["report"] + sizes["other"]
    return {
        "pages": len(every), "reports": len(sizes["report"]), "others": len(sizes["other"]),
        "portals": len(world.sites), "column_pages": len(columns),
        "page_bytes_mean": sum(every) / len(every),
        "report_bytes_mean": sum(sizes["report"]) / max(1, len(sizes["report"])),
        "other_bytes_mean": sum(sizes["other"]) / max(1, len(sizes["other"])),
        "column_bytes_mean": sum(columns) / len(columns),
        "kinds": dict(Counter(item.kind for item in world.items)),
        "latency_ms": [int(LATENCY_S[0] * 1000), int(LATENCY_S[1] * 1000)],
    }


def _serve(pages: int, portals: int, seed: int, first_address: str, conn: Connection) -> None:
    """The server process: build, render and serve the world; answer the parent's commands."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        world = build_world(pages, portals, seed)
        server = _portal_server_class()(world, first_address).start()
    except Exception as exc:
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
        return
    routes = {key: s.routes for key, s in server._servers.items()}
    bases = {s.key: server.base_url(s.key) for s in world.sites}
    conn.send({"bases": bases, "summary": _summary(world, routes),
               "regions_toml": regions_toml(world, bases)})
    server.take_stats()
    while True:
        try:
            command, arg = conn.recv()
        except EOFError:  # the parent is gone
            break
        if command == "stats":
            conn.send(server.take_stats())
        elif command == "items":  # (URL, is_report) of every article page
            conn.send([(bases[i.portal].rstrip("/") + i.path, i.is_report) for i in world.items])
        elif command == "dump":
            conn.send(dump_bodies(world, routes, bases, Path(arg)))
        elif command == "stop":
            break
    server.stop()
    conn.send("stopped")
    conn.close()


class WorldServer:
    """The world served from a separate (spawned) process; a context manager."""

    def __init__(self, pages: int = PAGES, portals: int = PORTALS, seed: int = SEED,
                 first_address: str = FIRST_ADDRESS, start_timeout: float = 900) -> None:
        if not 1 <= portals <= len(COUNTIES):
            raise ValueError(f"portals must be 1..{len(COUNTIES)}")
        last = IPv4Address(first_address) + portals - 1
        if not (IPv4Address(first_address).is_loopback and last.is_loopback):
            raise ValueError("the world must be served on loopback addresses")
        self.pages, self.portals, self.seed = pages, portals, seed
        self.first_address = first_address
        self.start_timeout = start_timeout
        self.bases: dict[str, str] = {}
        self.summary: dict[str, Any] = {}
        self.regions_toml = ""
        self.startup_s = 0.0
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None

    def start(self) -> WorldServer:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, daemon=True, name="benchmark-world",
                              args=(self.pages, self.portals, self.seed, self.first_address,
                                    child))
        started = time.perf_counter()
        process.start()
        child.close()
        self._conn, self._process = parent, process
        if not parent.poll(self.start_timeout):
            self.stop()
            raise RuntimeError("the world server did not come up")
        try:
            hello: dict[str, Any] = parent.recv()
        except EOFError:
            hello = {"error": "its process ended before it served (see its traceback above)"}
        if "error" in hello:
            self.stop()
            raise RuntimeError(f"the world server failed: {hello['error']}")
        self.bases, self.summary = hello["bases"], hello["summary"]
        self.regions_toml = hello["regions_toml"]
        self.startup_s = time.perf_counter() - started
        return self

    def _ask(self, command: str, arg: object = None, timeout: float = 120) -> Any:
        if self._conn is None:
            raise RuntimeError("the world server is not running")
        self._conn.send((command, arg))
        if not self._conn.poll(timeout):
            raise RuntimeError(f"the world server did not answer {command!r}")
        return self._conn.recv()

    def stats(self) -> dict[str, Any]:
        """Requests, statuses, article pages answered 200 / 304 and server CPU since the
        last call (or since start)."""
        result: dict[str, Any] = self._ask("stats")
        return result

    def dump_bodies(self, path: Path) -> dict[str, Any]:
        """Write the article pages as served (URL, bytes) to `path` (see ``read_bodies``)."""
        result: dict[str, Any] = self._ask("dump", str(path), timeout=600)
        return result

    def items(self) -> list[tuple[str, bool]]:
        """(URL, is it a report) of every article page."""
        result: list[tuple[str, bool]] = self._ask("items")
        return result

    def column_urls(self) -> list[str]:
        return [base.rstrip("/") + COLUMN + "index.html" for base in self.bases.values()]

    def stop(self) -> None:
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            try:
                conn.send(("stop", None))
                if conn.poll(30):
                    conn.recv()
            except (OSError, EOFError):
                pass
            conn.close()
        if process is not None:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join(5)

    def __enter__(self) -> WorldServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the benchmark world until Ctrl-C.")
    parser.add_argument("--pages", type=int, default=PAGES, help=f"default {PAGES}")
    parser.add_argument("--portals", type=int, default=PORTALS, help=f"default {PORTALS}")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--first-address", default=FIRST_ADDRESS)
    parser.add_argument("--regions-file", type=Path, default=Path("world-regions.toml"),
                        help="write the regions file here (default ./world-regions.toml)")
    args = parser.parse_args(argv)
    try:
        server = WorldServer(args.pages, args.portals, args.seed, args.first_address).start()
    except (ValueError, RuntimeError) as exc:
        print(f"world: {exc}", file=sys.stderr)
        return 2
    args.regions_file.write_text(server.regions_toml, encoding="utf-8")
    print(json.dumps(server.summary, ensure_ascii=False))
    print(f"serving {len(server.bases)} portals; regions file {args.regions_file}; "
          f"first column {server.column_urls()[0]}; Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
