#!/usr/bin/env python3
"""Crawl throughput of govcrawl against a generated TRS portal on loopback.

    python benchmarks/crawl_throughput.py [--pages 2000] [--sites 8] [--json]

In one run, over the same N annual-report detail pages:

(a) end to end: ``govcrawl crawl --all --regions-file F --db sqlite:///TMP/bench.db
    --allow-loopback`` as a subprocess (GOVCRAWL_START_DELAY=0.01, GOVCRAWL_MAX_DELAY=1):
    wall time, reports archived per second (the archive must hold exactly N reports),
    peak RSS of the crawler's process tree (main process + forkserver + extraction
    workers, polled from /proc) and its CPU time;
(b) bare ``trafilatura.extract(html)`` (default settings), one process, pages/s;
(c) ``govcrawl.extract.extract_page`` with the crawler's inputs, one process, pages/s.

The portal: S sites (default 8), each a TRS WCM replica on its own loopback address
(127.0.0.20, .21, ...) and a region with ``cms = "trs"`` in a generated regions file.
Pages use the demo's templates (``govcrawl/demo/render.py``) and the demo's report
bodies (``govcrawl/demo/data/``) with the jurisdiction, the agency (county departments
and towns), the years and the counts in the sentences varied, so every text and its
content hash differ. Columns are paginated by ``createPageHTML(total, cur, "index",
"html")`` with 20 links a page; details are ``/zwgk/zfxxgknb/YYYYMM/tYYYYMMDD_N.html``
with ``div.TRS_Editor`` and the government ``<meta>`` tags; robots.txt is served.

The server (the demo's threaded HTTP server) runs in a separate process so it does not
take the crawler's GIL, but it shares the machine's cores with the crawler.
This is a script, not a test: nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata
import json
import multiprocessing
import os
import random
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from ipaddress import IPv4Address
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from govcrawl.demo.markup import Document
    from govcrawl.demo.sites import Site

ROOT = Path(__file__).resolve().parent.parent
COLUMN = "/zwgk/zfxxgknb/"
PER_PAGE = 20
CRAWL_ENV = {"GOVCRAWL_START_DELAY": "0.01", "GOVCRAWL_MAX_DELAY": "1"}

# Real county-level divisions (GB/T 2260) whose parents the shipped registry has, and
# none of which it crawls: (slug, code, name, short name, parent, province abbreviation).
COUNTIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("manzhouli", "150781", "满洲里市", "满洲里", "150700", "蒙"),
    ("yakeshi", "150782", "牙克石市", "牙克石", "150700", "蒙"),
    ("erguna", "150784", "额尔古纳市", "额尔古纳", "150700", "蒙"),
    ("genhe", "150785", "根河市", "根河", "150700", "蒙"),
    ("donghe", "150202", "东河区", "东河", "150200", "蒙"),
    ("qingshan", "150204", "青山区", "青山", "150200", "蒙"),
    ("shiguai", "150205", "石拐区", "石拐", "150200", "蒙"),
    ("jiuyuan", "150207", "九原区", "九原", "150200", "蒙"),
    ("nanming", "520102", "南明区", "南明", "520100", "黔"),
    ("yunyan", "520103", "云岩区", "云岩", "520100", "黔"),
    ("huaxi", "520111", "花溪区", "花溪", "520100", "黔"),
    ("wudang", "520112", "乌当区", "乌当", "520100", "黔"),
    ("baiyun", "520113", "白云区", "白云", "520100", "黔"),
    ("guanshanhu", "520115", "观山湖区", "观山湖", "520100", "黔"),
    ("changyi", "220202", "昌邑区", "昌邑", "220200", "吉"),
    ("chuanying", "220204", "船营区", "船营", "220200", "吉"),
    ("fengman", "220211", "丰满区", "丰满", "220200", "吉"),
)
# Who publishes a report in a county's column: the government, its departments, its towns.
AGENCIES: tuple[str, ...] = (
    "人民政府", "发展和改革委员会", "教育局", "科学技术和工业信息化局", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境分局",
    "住房和城乡建设局", "交通运输局", "水利局", "农牧和科技局", "商务局", "文化旅游体育局",
    "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局",
    "医疗保障局", "林业和草原局",
    "城关镇人民政府", "新华街道办事处", "友谊街道办事处", "兴华街道办事处", "胜利街道办事处",
    "东山街道办事处", "西城街道办事处", "站前街道办事处", "北新街道办事处", "和平镇人民政府",
    "红旗镇人民政府", "新民乡人民政府", "团结乡人民政府", "光明镇人民政府", "建设镇人民政府",
    "前进镇人民政府", "永安镇人民政府", "河西街道办事处", "富民镇人民政府", "长青街道办事处",
)
YEARS = tuple(range(2022, 2007, -1))  # newest first: a column lists the newest on top
# Report bodies of the demo (not the notices, plans, 要点 or the spam sample):
# (file, year it reports on, names to replace: full name first, then short forms).
TEMPLATES_2019 = (  # the 2019 report format (years 2020 on)
    ("zhalantun-2022", 2022, ("扎兰屯市", "扎兰屯")),
    ("zhalantun-2021", 2021, ("扎兰屯市", "扎兰屯")),
    ("zhalantun-2020", 2020, ("扎兰屯市", "扎兰屯")),
)
TEMPLATES_2008 = (  # the earlier format
    ("kundulun-2014", 2014, ("昆都仑区", "昆都仑", "昆区")),
    ("kundulun-2013", 2013, ("昆都仑区", "昆都仑", "昆区")),
    ("kundulun-2012", 2012, ("昆都仑区", "昆都仑", "昆区")),
    ("qingzhen-2014", 2014, ("清镇市", "清镇")),
    ("qingzhen-2013", 2013, ("清镇市", "清镇")),
    ("qingzhen-2012", 2012, ("清镇市", "清镇")),
    ("longtan-2014", 2014, ("龙潭区", "龙潭")),
    ("longtan-2013", 2013, ("龙潭区", "龙潭")),
    ("wulajie-2012", 2012, ("乌拉街满族镇", "乌拉街镇", "乌拉街", "我镇")),
)
_YEAR_RE = re.compile(r"(?<![〔\[\d])(20\d\d)(?!\d)")
_COUNT_RE = re.compile(r"(?<![\d.〔])(\d{1,5})(?=余?(?:件|条|次|人|个|场|期|篇|项|份|家|批))")


# --- the generated portal ---------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """One generated report and where it is served (what (b) and (c) read)."""

    site: str
    path: str
    title: str
    listed: date
    jurisdiction: str  # the region's name


@dataclass
class Portal:
    sites: list[Site]
    docs: dict[str, Document]
    reports: list[Report] = field(default_factory=list)


@cache
def _template(name: str) -> str:
    return resources.files("govcrawl.demo").joinpath("data", f"{name}.txt").read_text("utf-8")


def report_text(county: tuple[str, ...], agency: str, year: int, title: str,
                template: tuple[str, int, tuple[str, ...]], rng: random.Random) -> str:
    """A demo report body rewritten for another jurisdiction, agency and year."""
    name, ty, names = template
    full, short = county[2], county[3]
    lines: list[str] = [f"{{center}}{title}"]
    in_table = False
    for line in _template(name).splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if stripped.startswith("{center}") and ("报告" in stripped or "年报" in stripped):
            continue  # the template's own title: ours is the first line
        for i, old in enumerate(names):
            new = full if i == 0 else ("我区" if old == "我镇" else short)
            stripped = stripped.replace(old, new)
        stripped = _YEAR_RE.sub(
            lambda m: str(int(m.group(1)) + year - ty)
            if ty - 4 <= int(m.group(1)) <= ty + 2 else m.group(1),
            stripped,
        )
        if agency != "人民政府":
            stripped = stripped.replace(f"{full}人民政府办公室", f"{full}{agency}")
        if stripped == "{table}":
            in_table = True
        elif stripped == "{/table}":
            in_table = False
        elif not in_table:  # vary the counts in the sentences (tables stay as they are)
            stripped = _COUNT_RE.sub(
                lambda m: str(max(0, int(m.group(1)) + rng.randint(-int(m.group(1)) // 4,
                                                                   int(m.group(1)) // 4))),
                stripped,
            )
        lines.append(stripped)
    return "\n".join(lines) + "\n"


def per_site(pages: int, sites: int) -> list[int]:
    return [pages // sites + (1 if i < pages % sites else 0) for i in range(sites)]


def build_portal(pages: int, sites: int) -> Portal:
    """The sites (demo ``Site`` specs) and report bodies; deterministic."""
    from govcrawl.demo.markup import parse
    from govcrawl.demo.sites import Article, Link, Site

    if not 1 <= sites <= len(COUNTIES):
        raise SystemExit(f"--sites must be 1..{len(COUNTIES)}")
    capacity = len(AGENCIES) * len(YEARS)
    counts = per_site(pages, sites)
    if max(counts) > capacity:
        raise SystemExit(f"at most {capacity} reports a site: use more --sites")
    portal = Portal([], {})
    serial = 3_000_000
    for i, count in enumerate(counts):
        county = COUNTIES[i]
        slug, code, full, short, _parent, prov = county
        articles: list[Article] = []
        for j in range(count):
            year, agency = YEARS[j // len(AGENCIES)], AGENCIES[j % len(AGENCIES)]
            rng = random.Random(f"{slug}/{year}/{agency}")
            publisher = f"{full}{agency}"
            title = f"{publisher}{year}年政府信息公开工作年度报告"
            pool = TEMPLATES_2019 if year >= 2020 else TEMPLATES_2008
            template = pool[(j + i) % len(pool)]
            doc_name = f"bench/{slug}/{j}"
            portal.docs[doc_name] = parse(
                report_text(county, agency, year, title, template, rng), doc_name
            )
            published = datetime(year + 1, rng.randint(1, 3), rng.randint(1, 28),
                                 rng.randint(8, 17), rng.randint(0, 59))
            serial += rng.randint(3, 400)
            path = f"{COLUMN}{published:%Y%m}/t{published:%Y%m%d}_{serial}.html"
            articles.append(Article(
                f"r{j}", title, path, published, publisher, doc_name, True, year, code,
                hits=rng.randint(120, 9000),
            ))
        articles.sort(key=lambda a: a.published, reverse=True)
        links = [Link(a.title, a.published.date(), a.key) for a in articles]
        pages_ = tuple(tuple(links[k:k + PER_PAGE]) for k in range(0, len(links), PER_PAGE))
        name = f"{full}人民政府"
        site = Site(
            key=slug, region=slug, name=name, short=short, domain=f"www.{slug}.gov.cn",
            cms="trs", pagination="trs", column_path=COLUMN + "index.html",
            column_name="政府信息公开年报", container="div.TRS_Editor",
            list_selector="ul.list li", sponsor=f"{name}办公室",
            undertaker=f"{full}政务服务与数据管理局", site_code=f"{code}0001",
            icp=f"{prov}ICP备{code}号-1", police=f"{prov}公网安备 {code}02000{i + 101}号",
            related=(("中国政府网", "http://www.gov.cn/"),),
            articles=tuple(articles), pages=pages_,
        )
        portal.sites.append(site)
        portal.reports += [
            Report(slug, a.path, a.title, a.published.date(), full) for a in articles
        ]
    return portal


def install_bodies(portal: Portal) -> None:
    """Make the demo renderer read our generated bodies (and find neighbours in O(1))."""
    import govcrawl.demo.markup as markup
    import govcrawl.demo.render as render

    docs = portal.docs

    def load(name: str) -> Document:
        return docs[name] if name in docs else markup.load(name)

    index: dict[tuple[str, str], tuple[Any, Any]] = {}
    for s in portal.sites:
        live = [a for a in s.articles if a.status == 200]
        for k, a in enumerate(live):
            index[(s.key, a.key)] = (live[k - 1] if k else None,
                                     live[k + 1] if k + 1 < len(live) else None)

    def neighbours(s: Site, art: Any) -> tuple[Any, Any]:
        return index[(s.key, art.key)]

    # render.py imported `load` by name and keeps `_neighbours` private: patch both there.
    setattr(render, "load", load)  # noqa: B010
    setattr(render, "_neighbours", neighbours)  # noqa: B010


def render_detail(portal: Portal, report: Report) -> bytes:
    from govcrawl.demo.render import detail_page

    site = next(s for s in portal.sites if s.key == report.site)
    art = next(a for a in site.articles if a.path == report.path)
    return detail_page(site, art).encode("utf-8")


# --- the server process ----------------------------------------------------------------


def _server_class() -> type:
    from govcrawl.demo.render import render_site
    from govcrawl.demo.server import PortalServer, _SiteServer

    class BenchPortalServer(PortalServer):
        """The demo's server (nginx-like, threaded) over the generated sites."""

        def __init__(self, sites: Sequence[Site], first_address: str) -> None:
            super().__init__(first_address)
            self.sites = list(sites)

        @property
        def site_keys(self) -> list[str]:
            return [s.key for s in self.sites]

        def start(self) -> BenchPortalServer:
            for offset, site in enumerate(self.sites):
                address = str(self.first_address + offset)
                self._servers[site.key] = _SiteServer(self, site, address)
            bases = {key: self.base_url(key) for key in self._servers}
            for server in self._servers.values():
                server.routes, server.not_found = render_site(server.site, bases)
            for key, server in self._servers.items():
                thread = threading.Thread(target=server.serve_forever,
                                          kwargs={"poll_interval": 0.05},
                                          name=f"bench-{key}", daemon=True)
                thread.start()
                self._threads.append(thread)
            return self

    return BenchPortalServer


def serve(pages: int, sites: int, first_address: str, conn: Connection) -> None:
    """Server process: build and serve the portal; report bases, then stats at the end."""
    portal = build_portal(pages, sites)
    install_bodies(portal)
    server = _server_class()(portal.sites, first_address).start()
    conn.send({s.key: server.base_url(s.key) for s in portal.sites})
    cpu0 = time.process_time()
    conn.recv()  # "stop"
    cpu = time.process_time() - cpu0
    statuses: dict[str, int] = {}
    for record in server.requests:
        statuses[str(record.status)] = statuses.get(str(record.status), 0) + 1
    server.stop()
    conn.send({"cpu_s": cpu, "requests": len(server.requests), "statuses": statuses})


def regions_toml(bases: dict[str, str]) -> str:
    """Our sites as trs regions; the shipped crawlable rows become jurisdictions only,
    so that ``--all`` crawls exactly the generated portal."""
    from govcrawl.regions import builtin_registry

    def row(**values: Any) -> list[str]:
        out = ["", "[[region]]"]
        for key, value in values.items():
            if value is not None:
                out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        return out

    lines = ["# govcrawl benchmark: generated TRS portals on loopback (valid while served)."]
    for region in builtin_registry().crawlable():
        lines += row(slug=region.slug, code=region.code, name=region.name,
                     level=region.level, parent=region.parent)
    by_slug = {c[0]: c for c in COUNTIES}
    for slug, base in bases.items():
        _, code, name, _short, parent, _ = by_slug[slug]
        lines += row(slug=slug, code=code, name=name, level="county", parent=parent,
                     portal=base, cms="trs",
                     report_columns=[base.rstrip("/") + COLUMN + "index.html"])
    return "\n".join(lines) + "\n"


# --- (a) the crawl, with its process tree watched -------------------------------------

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, utime+stime ticks) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size: shared pages split between the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


@dataclass
class TreeWatch:
    """Polls /proc for the process tree under `root`: peak RSS and CPU per process."""

    root: int
    interval: float = 0.1
    peak_sum: int = 0
    peak_pss: int = 0
    peak_main: int = 0
    peak_procs: int = 0
    peak_by_pid: dict[int, int] = field(default_factory=dict)
    cpu_by_pid: dict[int, int] = field(default_factory=dict)
    role: dict[int, str] = field(default_factory=dict)
    samples: int = 0

    def poll(self) -> None:
        parents: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                st = _stat(int(entry))
                if st is not None:
                    parents[int(entry)], ticks[int(entry)] = st
        children: dict[int, list[int]] = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        tree = [self.root] if self.root in parents else []  # parents before children
        for pid in tree:
            tree += [child for child in children.get(pid, []) if child not in tree]
        total = pss = 0
        for pid in tree:
            rss = _rss(pid)
            total += rss
            pss += _pss(pid)
            self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0), rss)
            self.cpu_by_pid[pid] = ticks[pid]
            if pid not in self.role:
                self.role[pid] = self._role(pid, parents[pid])
        self.peak_sum = max(self.peak_sum, total)
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_main = max(self.peak_main, self.peak_by_pid.get(self.root, 0))
        self.peak_procs = max(self.peak_procs, len(tree))
        self.samples += 1

    def _role(self, pid: int, ppid: int) -> str:
        """main; its forkserver / resource tracker; the workers the forkserver forks."""
        if pid == self.root:
            return "main"
        if ppid == self.root:
            cmd = _cmdline(pid)
            return ("forkserver" if "forkserver" in cmd else "resource_tracker"
                    if "resource_tracker" in cmd else "other")
        return "worker" if self.role.get(ppid) == "forkserver" else "other"

    def by_role(self, values: dict[int, int]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for pid, value in values.items():
            out.setdefault(self.role.get(pid, "?"), []).append(value)
        return out


def _session(sid: int) -> list[int]:
    """Live (not zombie) processes of session `sid`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != b"Z":
            out.append(int(entry))
    return out


def run_crawl(regions_file: Path, db: Path, log_dir: Path, timeout: float,
              profile: Path | None = None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(CRAWL_ENV)
    cmd = [sys.executable, "-m", "govcrawl", "crawl", "--all", "--regions-file",
           str(regions_file), "--db", f"sqlite:///{db}", "--allow-loopback"]
    if profile is not None:  # py-spy's collapsed stacks of the main process
        cmd = [str(Path(sys.executable).with_name("py-spy")), "record", "--gil", "--format", "raw", "--rate", "200", "-o", str(profile),
               "--", *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_dir / "crawl.stdout", "wb") as out, open(log_dir / "crawl.stderr", "wb") as err:
        start = time.perf_counter()
        # A session of its own: whatever the crawl leaves behind can be found and ended.
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=log_dir, env=env,
                                start_new_session=True)
        watch = TreeWatch(proc.pid)
        timed_out = False
        try:
            while proc.poll() is None:
                watch.poll()
                if time.perf_counter() - start > timeout:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    break
                time.sleep(watch.interval)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    time.sleep(0.5)
    leftover = _session(proc.pid)  # e.g. extraction workers that outlived the crawl
    if leftover:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    roles = watch.by_role({pid: ticks for pid, ticks in watch.cpu_by_pid.items()})
    peaks = watch.by_role(watch.peak_by_pid)
    mib = 1024 * 1024
    return {
        "command": " ".join(["govcrawl", *cmd[3:]]),
        "exit_code": proc.returncode,
        "timed_out": timed_out,
        "leftover_processes": len(leftover),
        "wall_s": wall,
        "peak_rss_tree_mib": watch.peak_sum / mib,
        "peak_pss_tree_mib": watch.peak_pss / mib,
        "peak_rss_main_mib": watch.peak_main / mib,
        "peak_rss_worker_max_mib": max(peaks.get("worker", [0])) / mib,
        "peak_processes": watch.peak_procs,
        "maxrss_reaped_child_mib": after.ru_maxrss / 1024,  # KiB on Linux; largest one
        "cpu_s": {role: sum(t) / _TICK for role, t in roles.items()},
        "cpu_s_reaped": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "samples": watch.samples,
    }


def recrawl(regions_file: Path, workdir: Path, timeout: float, first: dict[str, Any],
            profile: Path | None = None) -> dict[str, Any]:
    """The same crawl again over the unchanged portal: what it costs beside the first."""
    db = workdir / "bench.db"

    def count(sql: str) -> int:
        con = sqlite3.connect(db)
        try:
            return int(con.execute(sql).fetchone()[0])
        finally:
            con.close()

    versions_before = count("SELECT count(*) FROM document_version")
    second = run_crawl(regions_file, db, workdir, timeout, profile)
    new_versions = count("SELECT count(*) FROM document_version") - versions_before
    runs = count("SELECT max(id) FROM crawl_run")
    fetches_first = count("SELECT count(*) FROM fetch WHERE crawl_run_id = 1")
    fetches_second = count(f"SELECT count(*) FROM fetch WHERE crawl_run_id = {runs}")
    not_modified = count(f"SELECT count(*) FROM fetch WHERE crawl_run_id = {runs} "
                         "AND outcome = 'unchanged' AND http_status = 304")
    cpu_first = sum(first["cpu_s"].values())
    cpu_second = sum(second["cpu_s"].values())
    lines = [
        "",
        "re-crawl of the unchanged portal (second run, same archive):",
        f"  wall {second['wall_s']:.1f}s vs {first['wall_s']:.1f}s; "
        f"CPU {cpu_second:.1f}s vs {cpu_first:.1f}s = {cpu_second / cpu_first:.1%} of the first",
        f"  requests recorded {fetches_second} vs {fetches_first}; "
        f"{not_modified} answered 304 Not Modified (conditional requests)",
        f"  new versions: {new_versions}; exit {second['exit_code']}",
        "  CPU by process, first vs second: " + ", ".join(
            f"{role} {first['cpu_s'].get(role, 0):.1f}s vs {second['cpu_s'].get(role, 0):.1f}s"
            for role in sorted(set(first["cpu_s"]) | set(second["cpu_s"]))),
    ]
    return {"second": second, "new_versions": new_versions, "lines": lines,
            "cpu_fraction": cpu_second / cpu_first}


def check_archive(db: Path, expected: int) -> dict[str, Any]:
    empty = {"documents": 0, "reports": 0, "distinct_content_hashes": 0, "fetch_outcomes": {},
             "crawl_run_s": None, "ok": False}
    if not db.exists():
        return empty
    con = sqlite3.connect(db)
    try:
        def one(sql: str) -> Any:
            return con.execute(sql).fetchone()

        docs = one("SELECT count(*) FROM document")[0]
        reports = one("SELECT count(*) FROM document WHERE is_annual_report")[0]
        hashes = one("SELECT count(DISTINCT content_hash) FROM document_version")[0]
        outcomes = dict(con.execute(
            "SELECT outcome, count(*) FROM fetch GROUP BY outcome").fetchall())
        started, finished = one("SELECT started_at, finished_at FROM crawl_run ORDER BY id DESC")
    except (sqlite3.Error, TypeError):  # no schema, no run: the crawl did not get going
        return empty
    finally:
        con.close()
    run_s = None
    if started and finished:
        run_s = (datetime.fromisoformat(str(finished))
                 - datetime.fromisoformat(str(started))).total_seconds()
    return {"documents": docs, "reports": reports, "distinct_content_hashes": hashes,
            "fetch_outcomes": outcomes, "crawl_run_s": run_s,
            # Generated pages of one template may share a body under different titles
            # (the title line is not text): a document each, not necessarily a hash each.
            "ok": reports == expected and docs == expected}


# --- (b), (c): extraction in one process -----------------------------------------------


def rate(
    items: Sequence[Any], fn: Callable[[Any], object], warmup: int = 20
) -> tuple[float, float]:
    """(pages/s, seconds) of one pass of `fn` over `items`, after a short warm-up."""
    for item in items[:warmup]:
        fn(item)
    gc.collect()
    start = time.perf_counter()
    for item in items:
        fn(item)
    seconds = time.perf_counter() - start
    return len(items) / seconds, seconds


# --- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=2000, help="detail pages (default 2000)")
    parser.add_argument("--sites", type=int, default=8, help="sites/regions (default 8)")
    parser.add_argument("--first-address", default="127.0.0.20",
                        help="loopback address of the first site (default 127.0.0.20)")
    parser.add_argument("--workdir", type=Path, help="keep regions file, archive and logs here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--timeout", type=float, default=900,
                        help="kill the crawl after this many seconds (default 900)")
    parser.add_argument("--recrawl", action="store_true",
                        help="crawl the unchanged portal a second time and compare CPU, "
                             "requests and new versions with the first crawl")
    parser.add_argument("--profile-recrawl", type=Path, metavar="FILE",
                        help="run the re-crawl under py-spy; collapsed stacks to FILE")
    parser.add_argument("--crawl-only", action="store_true",
                        help="measure (a) only, not the one-process extraction rates")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be positive")
    if args.sites > args.pages:
        args.sites = args.pages

    def say(*parts: object) -> None:
        print(*parts, file=sys.stderr, flush=True)

    tmp = None
    if args.workdir:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "bench.db").unlink(missing_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="govcrawl-bench-")
        workdir = Path(tmp.name)

    load_before = os.getloadavg()
    first = IPv4Address(args.first_address)
    say(f"serving {args.pages} reports on {args.sites} sites "
        f"({first}..{first + args.sites - 1}) from a separate process ...")
    ctx = multiprocessing.get_context("spawn")
    parent_conn, child_conn = ctx.Pipe()
    server = ctx.Process(target=serve, args=(args.pages, args.sites, args.first_address,
                                             child_conn), daemon=True)
    t0 = time.perf_counter()
    server.start()
    try:
        if not parent_conn.poll(600):
            raise SystemExit("the portal server did not come up")
        bases: dict[str, str] = parent_conn.recv()
        startup = time.perf_counter() - t0
        regions_file = workdir / "bench-regions.toml"
        regions_file.write_text(regions_toml(bases), encoding="utf-8")
        say(f"portal up in {startup:.1f}s; crawling ...")
        crawl = run_crawl(regions_file, workdir / "bench.db", workdir, args.timeout)
        archive = check_archive(workdir / "bench.db", args.pages)
        say(f"crawl done in {crawl['wall_s']:.1f}s (exit {crawl['exit_code']}); "
            f"archive: {archive['reports']} reports")
        if args.recrawl:
            recrawl_figures = recrawl(regions_file, workdir, args.timeout, crawl,
                                      args.profile_recrawl)
            for line in recrawl_figures["lines"]:
                print(line)
            if args.crawl_only:
                return 0 if recrawl_figures["new_versions"] == 0 else 1

        # The pages the crawler got, rendered again here; a few compared with the served bytes.
        portal = build_portal(args.pages, args.sites)
        install_bodies(portal)
        bodies = [render_detail(portal, r) for r in portal.reports]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for k in random.Random(1).sample(range(len(bodies)), min(3, len(bodies))):
            r = portal.reports[k]
            served = opener.open(bases[r.site].rstrip("/") + r.path, timeout=10).read()
            if served != bodies[k]:
                raise SystemExit(f"rendered page differs from the served one: {r.path}")
    finally:
        parent_conn.send("stop")
        served_stats = parent_conn.recv() if parent_conn.poll(30) else {}
        server.join(10)
        if server.is_alive():
            server.terminate()

    import trafilatura

    crawl_rate = archive["reports"] / crawl["wall_s"]
    run_rate = archive["reports"] / archive["crawl_run_s"] if archive["crawl_run_s"] else None
    extraction: dict[str, Any] = {}
    if not args.crawl_only:
        say("timing trafilatura.extract and extract_page in this process ...")
        from govcrawl.extract import PageInput, extract_page

        inputs = [
            PageInput(url=bases[r.site].rstrip("/") + r.path, body=body,
                      content_type="text/html; charset=utf-8", container="div.TRS_Editor",
                      listing_title=r.title, listing_date=r.listed,
                      jurisdiction_name=r.jurisdiction, status=200)
            for r, body in zip(portal.reports, bodies, strict=True)
        ]
        bare_rate, bare_s = rate(bodies, trafilatura.extract)
        ours_rate, ours_s = rate(inputs, extract_page)
        checked = [extract_page(i) for i in inputs[:50]]
        extraction = {
            "trafilatura_extract": {"pages_per_s": bare_rate, "seconds": bare_s},
            "extract_page": {"pages_per_s": ours_rate, "seconds": ours_s,
                             "reports_in_first_50": sum(e.is_annual_report for e in checked)},
            "ratios": {
                "crawl_vs_extract_page": crawl_rate / ours_rate,
                "crawl_vs_trafilatura": crawl_rate / bare_rate,
                "extract_page_vs_trafilatura": ours_rate / bare_rate,
            },
        }
    result = {
        "date": date.today().isoformat(),
        "cpu_cores": os.cpu_count(),
        "loadavg_before": list(load_before),
        "python": sys.version.split()[0],
        "trafilatura": trafilatura.__version__,
        "scrapy": importlib.metadata.version("scrapy"),
        "pages": args.pages,
        "sites": args.sites,
        "page_bytes_mean": sum(map(len, bodies)) / len(bodies),
        "portal_startup_s": startup,
        "server": served_stats,
        "crawl": {**crawl, "pages_per_s": crawl_rate, "pages_per_s_crawl_run": run_rate,
                  "archive": archive},
        **extraction,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_table(result)
    if tmp is not None:
        tmp.cleanup()
    if not archive["ok"] or crawl["exit_code"] != 0 or crawl["leftover_processes"]:
        print(f"crawl problem: exit {crawl['exit_code']} (timed out: {crawl['timed_out']}), "
              f"{crawl['leftover_processes']} processes left behind, archive {archive}; logs in "
              f"{workdir if args.workdir else '(temporary dir; rerun with --workdir)'}",
              file=sys.stderr)
        return 1
    return 0


def print_table(r: dict[str, Any]) -> None:
    c, a = r["crawl"], r["crawl"]["archive"]
    rows = [("(a) govcrawl crawl, end to end", c["pages_per_s"], c["wall_s"])]
    if "extract_page" in r:
        rows += [
            ("(b) trafilatura.extract(html), 1 process", r["trafilatura_extract"]["pages_per_s"],
             r["trafilatura_extract"]["seconds"]),
            ("(c) extract_page, 1 process", r["extract_page"]["pages_per_s"],
             r["extract_page"]["seconds"]),
        ]
    ours = r["extract_page"]["pages_per_s"] if "extract_page" in r else float("nan")
    print(f"govcrawl throughput: {r['pages']} report pages (mean {r['page_bytes_mean'] / 1024:.0f}"
          f" KiB) on {r['sites']} generated TRS sites, {r['cpu_cores']} CPU cores, "
          f"{r['date']}")
    print("(the portal server runs in its own process and shares those cores with the crawler; "
          f"load average before the run {r['loadavg_before'][0]:.2f})")
    print()
    print(f"{'':44}{'pages/s':>9}{'seconds':>9}{'vs (c)':>8}")
    for label, pps, secs in rows:
        print(f"{label:44}{pps:9.1f}{secs:9.1f}{pps / ours:8.2f}")
    print()
    if "ratios" in r:
        print(f"extract_page / trafilatura.extract: "
              f"{r['ratios']['extract_page_vs_trafilatura']:.2f}")
    if c["pages_per_s_crawl_run"]:
        print(f"crawl without interpreter start-up (crawl_run start..finish, "
              f"{a['crawl_run_s']:.1f} s): {c['pages_per_s_crawl_run']:.1f} pages/s")
    print(f"archive: {a['reports']} reports, {a['documents']} documents, "
          f"{a['distinct_content_hashes']} distinct content hashes; exit {c['exit_code']}; "
          f"fetches {a['fetch_outcomes']}")
    print(f"peak memory, crawler tree (up to {c['peak_processes']} processes): RSS sum "
          f"{c['peak_rss_tree_mib']:.0f} MiB (PSS sum {c['peak_pss_tree_mib']:.0f} MiB); main "
          f"process {c['peak_rss_main_mib']:.0f} MiB; largest extraction worker "
          f"{c['peak_rss_worker_max_mib']:.0f} MiB; getrusage(RUSAGE_CHILDREN).ru_maxrss "
          f"{c['maxrss_reaped_child_mib']:.0f} MiB")
    cpu = ", ".join(f"{role} {secs:.1f}" for role, secs in sorted(c["cpu_s"].items()) if secs)
    server = r["server"]
    used = sum(c["cpu_s"].values()) + server.get("cpu_s", 0.0)
    print(f"CPU seconds during the crawl: {cpu}; portal server "
          f"{server.get('cpu_s', float('nan')):.1f} ({server.get('requests', '?')} requests "
          f"{server.get('statuses', {})}); {used / (c['wall_s'] * r['cpu_cores']):.0%} of "
          f"{r['cpu_cores']} cores x wall time")


if __name__ == "__main__":
    sys.exit(main())
