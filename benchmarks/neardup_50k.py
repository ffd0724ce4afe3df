#!/usr/bin/env python3
"""Near-duplicate detection over a generated archive of 50,000 annual reports.

    python benchmarks/neardup_50k.py [--reports 50000] [--years 10] [--copies 400]
                                     [--chars 2000] [--workdir DIR] [--json]

It builds a SQLite archive (the real schema, ``govcrawl db upgrade``) of R reports:
R / Y jurisdictions (county codes, grouped ten to a prefecture) times Y report years
(2014, 2015, ...), each report one ``document`` and one ``document_version`` of about
C characters (default 2,000), inserted in bulk (not through the crawler). Texts are
generated cheaply but are not random noise: every report has the national-format
boilerplate and statistics-table labels (shared by all), its prefecture's template
paragraph (shared by ten jurisdictions), the jurisdiction's name and year, figures, and
sentences drawn from a vocabulary of government phrases (so two unrelated reports share
many 5-character shingles by chance, as real ones do: their similarity is 0.2 to 0.4).

Planted copies (default 400, half of each kind), each replacing a generated report:
* **cross-jurisdiction**: another jurisdiction's report of the same year with the
  jurisdiction's name put in and four figures changed;
* **next year**: the same jurisdiction's previous-year report with the years moved on and
  four figures changed.

Then it times ``update_near_duplicates(engine)`` over every year (what ``govcrawl neardup``
and a run that changed a report do), and the incremental update of one year (what a run
that only added reports of that year does), and checks that every planted copy is flagged
pointing at its original and how many other reports were flagged. Figures: seconds, peak
RSS of this process, the pairs measured exactly. It asserts nothing about timings; exit
status 1 when a planted copy is missed or wrongly pointed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from govcrawl.db.engine import open_engine, upgrade  # noqa: E402
from govcrawl.db.models import Document, DocumentVersion, Jurisdiction  # noqa: E402
from govcrawl.neardup import update_near_duplicates  # noqa: E402

_WORDS = (
    "政府 信息 公开 工作 推进 加强 完善 落实 制度 机制 平台 网站 政务 服务 群众 企业 部门 "
    "单位 申请 答复 办理 依法 规范 建设 管理 监督 考核 培训 宣传 解读 政策 文件 决策 "
    "重点 领域 财政 预算 决算 项目 资金 民生 社会 保障 教育 医疗 卫生 环境 保护 安全 "
    "生产 应急 食品 药品 价格 收费 行政 许可 处罚 强制 复议 诉讼 举报 投诉 热线 回应 "
    "关切 舆情 新闻 发布 会议 主动 依申请 保密 审查 档案 目录 指南 年度 报告 统计 数据 "
    "乡镇 街道 村务 社区 基层 标准化 规范化 数字化 便民 高效 透明 法治 责任 问责 整改"
)
WORDS = _WORDS.split()
BOILERPLATE = (
    "本报告根据《中华人民共和国政府信息公开条例》第五十条规定编制。全文包括总体情况、主动公开政府"
    "信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议行政诉讼情况、存在的主要问题及"
    "改进情况、其他需要报告的事项。本报告中所列数据的统计期限自1月1日起至12月31日止。"
    "二、主动公开政府信息情况 第二十条第一项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 "
    "行政规范性文件 第二十条第五项 行政许可 第二十条第六项 行政处罚 行政强制 "
    "第二十条第八项 行政事业性收费 "
    "三、收到和处理政府信息公开申请情况 本年新收政府信息公开申请数量 上年结转政府信息公开申请数量 "
    "本年度办理结果 予以公开 部分公开 不予公开 无法提供 不予处理 其他处理 总计 结转下年度继续办理 "
    "四、政府信息公开行政复议、行政诉讼情况 结果维持 结果纠正 其他结果 尚未审结 "
)


def prefecture_template(rng: random.Random, words: int) -> str:
    return "".join(rng.choices(WORDS, k=words))


def report_text(
    rng: random.Random, name: str, year: int, template: str, chars: int
) -> str:
    parts = [f"{name}{year}年政府信息公开工作年度报告。", BOILERPLATE, template]
    size = sum(len(p) for p in parts)
    while size < chars:
        sentence = "".join(rng.choices(WORDS, k=rng.randint(6, 14)))
        sentence += f"，共{rng.randint(1, 3000)}件。" if rng.random() < 0.3 else "。"
        parts.append(sentence)
        size += len(sentence)
    return "".join(parts)


def change_figures(rng: random.Random, text: str, count: int = 4) -> str:
    out = text
    for _ in range(count):
        n = rng.randint(1, 3000)
        marker = f"，共{n}件"
        if marker in out:
            out = out.replace(marker, f"，共{n + rng.randint(1, 99)}件", 1)
        else:
            out += f"另办理{n}件。"
    return out


def build(
    db: Path, reports: int, years: int, copies: int, chars: int, template: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    engine = open_engine(f"sqlite:///{db}")
    upgrade(engine)
    places = reports // years
    first_year = 2014
    codes = [f"{900000 + i:06d}" for i in range(places)]
    names = [f"第{i}县" for i in range(places)]
    templates = [prefecture_template(rng, template) for _ in range(places // 10 + 1)]
    texts: dict[tuple[int, int], str] = {}
    for p in range(places):
        for y in range(years):
            texts[(p, y)] = report_text(rng, names[p], first_year + y, templates[p // 10], chars)

    planted: list[tuple[tuple[int, int], tuple[int, int], str]] = []  # (copy, original, kind)
    used: set[tuple[int, int]] = set()
    while len(planted) < copies:
        kind = "cross" if len(planted) % 2 == 0 else "next_year"
        p, y = rng.randrange(places), rng.randrange(1, years)
        if kind == "cross":
            q = rng.randrange(places)
            original, copy = (q, y), (p, y)
            if q == p:
                continue
        else:
            original, copy = (p, y - 1), (p, y)
        if copy in used or original in used:
            continue
        used.update((copy, original))
        text = texts[original].replace(names[original[0]], names[copy[0]])
        text = text.replace(f"{first_year + original[1]}年", f"{first_year + copy[1]}年")
        texts[copy] = change_figures(rng, text)
        planted.append((copy, original, kind))

    now = datetime(2026, 1, 1)
    with engine.begin() as con:
        con.execute(
            insert(Jurisdiction),
            [
                {"code": c, "slug": f"bench{c}", "name": n, "level": "county",
                 "parent_code": None, "province": "900000", "portal_url": None}
                for c, n in zip(codes, names, strict=True)
            ],
        )
        doc_rows, version_rows = [], []
        ids: dict[tuple[int, int], int] = {}
        for doc_id, ((p, y), text) in enumerate(texts.items(), 1):
            ids[(p, y)] = doc_id
            year = first_year + y
            doc_rows.append({
                "id": doc_id, "url_hash": f"{doc_id:064x}",
                "url": f"http://bench{p}.example/nb/{year}.html", "jurisdiction_code": codes[p],
                "kind": "html", "title": f"{names[p]}{year}年政府信息公开工作年度报告",
                "report_year": year, "published_at": date(year + 1, 1, 1 + rng.randrange(28)),
                "is_annual_report": True, "flags": [], "first_seen_at": now, "last_seen_at": now,
            })
            version_rows.append({
                "document_id": doc_id, "content_hash": f"{doc_id:064x}", "text": text,
                "tables": [], "extractor_version": "bench", "fetched_at": now,
            })
        con.execute(insert(Document), doc_rows)
        con.execute(insert(DocumentVersion), version_rows)
    engine.dispose()
    # a cross-jurisdiction copy of the same year may have been published first: the
    # original is whichever is earlier by (year, date, id), as the detector decides
    expected = {}
    dates = {ids[k]: r["published_at"] for k, r in zip(texts, doc_rows, strict=True)}
    for copy, original, kind in planted:
        a, b = ids[copy], ids[original]
        if kind == "cross" and (dates[a], a) < (dates[b], b):
            a, b = b, a
        expected[a] = (b, kind)
    return {"expected": expected, "places": places, "chars": sum(map(len, texts.values()))}


def check(db: Path, expected: dict[int, tuple[int, str]]) -> dict[str, Any]:
    engine = open_engine(f"sqlite:///{db}")
    with engine.connect() as con:
        rows = con.execute(
            select(Document.id, Document.near_duplicate_of, Document.similarity)
        ).all()
    engine.dispose()
    flagged = {int(i): (o, s) for i, o, s in rows if o is not None}
    found = [d for d, (orig, _) in expected.items() if flagged.get(d, (None,))[0] == orig]
    missed = sorted(set(expected) - set(found))
    extra = sorted(set(flagged) - set(expected))
    sims = [float(flagged[d][1] or 0.0) for d in found]
    involved = set(expected) | {orig for orig, _ in expected.values()}
    others = sorted(float(s) for i, _, s in rows if s is not None and int(i) not in involved)
    return {
        "planted": len(expected),
        "found": len(found),
        "missed": missed[:20],
        "other_flagged": len(extra),
        "planted_similarity_min": min(sims) if sims else None,
        # reports that are neither a planted copy nor its original: their best match
        "others_similarity_median": others[len(others) // 2] if others else None,
        "others_similarity_max": others[-1] if others else None,
    }


def detect(db: Path, one_year: int) -> dict[str, Any]:
    """Time the detection (run in a fresh process, so its peak RSS is its own)."""
    engine = open_engine(f"sqlite:///{db}")
    t0 = time.perf_counter()
    full = update_near_duplicates(engine)
    full_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    one = update_near_duplicates(engine, {one_year})
    one_s = time.perf_counter() - t0
    engine.dispose()
    return {
        "all_years_seconds": round(full_s, 1),
        "all_years_reports": full.reports,
        "all_years_pairs_measured": full.verified,
        "all_years_rows_updated": full.updated,
        "one_year_seconds": round(one_s, 1),
        "one_year_recomputed": one.years,
        "one_year_reports": one.reports,
        "detect_peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> int:
    """This process's peak resident set (VmHWM; ru_maxrss would carry the parent's peak
    over the exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--copies", type=int, default=400)
    parser.add_argument("--chars", type=int, default=2000, help="characters per report")
    parser.add_argument(
        "--template-words", type=int, default=500,
        help="words of the template paragraph ten jurisdictions share (default 500)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workdir", help="keep the archive here")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--detect", metavar="DB", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.detect:
        print(json.dumps(detect(Path(args.detect), 2014 + args.years // 2)))
        return 0

    with tempfile.TemporaryDirectory(prefix="neardup-bench-") as tmp:
        work = Path(args.workdir) if args.workdir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "bench.db"
        db.unlink(missing_ok=True)
        t0 = time.perf_counter()
        built = build(
            db, args.reports, args.years, args.copies, args.chars, args.template_words, args.seed
        )
        build_s = time.perf_counter() - t0
        child = subprocess.run(
            [sys.executable, __file__, "--detect", str(db), "--years", str(args.years)],
            capture_output=True, text=True, check=True,
        )
        timings = json.loads(child.stdout)
        result = check(db, built["expected"])

    figures = {
        "reports": args.reports,
        "jurisdictions": built["places"],
        "years": args.years,
        "mean_chars": round(built["chars"] / args.reports),
        "build_seconds": round(build_s, 1),
        **timings,
        **result,
    }
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            print(f"{key:26} {value}")
    return 0 if result["found"] == result["planted"] and not result["missed"] else 1


if __name__ == "__main__":
    sys.exit(main())
