"""Freeze replica pages into tests/eval/pages/ and write their gold records.

    python tests/eval/make_replica_gold.py

The gold text of a replica page is its body as the demo's markup declares it
(``govcrawl.demo.markup.load(name).text()``: paragraphs, tables as ``cell | cell``
rows): the source the page was rendered from, so it is exact by construction.
Chrome strings are checked to occur in the frozen page and never in the gold.
Rerun only when the replicas change; the output is committed.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from govcrawl.demo import PortalServer, sites
from govcrawl.demo.markup import load
from govcrawl.regions import builtin_registry

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"
PICKS = {
    "zhalantun": ["z2022", "cjsh2021", "z2021", "znotice", "zpoints"],
    "kundulun": ["k2014", "k2013", "kplan"],
    "qingzhen": ["q2014", "q2013", "qnotice"],
    "longtan": ["l2014", "wulajie2012", "lpoints"],
    "contentfarm": ["farm"],
    "zhejiang": ["REPORTS"],
    "yichun": ["yc1"],
    "wanzai": ["wz0", "wz2"],
    "huaian": ["ha2022"],
    "handan": ["hd2023"],
    "jilinshi": ["jl2023"],
}
CHROME = ("网站标识码", "ICP备", "公网安备", "您当前所在的位置", "当前位置", "点击量", "站点地图",
          "联系我们", "扫码", "无障碍", "适老版", "Copyright", "版权所有", "关闭窗口", "上一篇",
          "下一篇", "字体", "打印", "主办", "承办", "分享到")
REAL_HOSTS = {"contentfarm": "http://www.fwsir.com"}


def main() -> None:
    registry = builtin_registry()
    (EVAL / "pages").mkdir(exist_ok=True)
    with PortalServer() as server:
        for site_key, keys in PICKS.items():
            site = sites.site(site_key)
            if keys == ["REPORTS"]:
                keys = [a.key for a in site.articles if a.is_report and a.body][:2]
            base = server.base_url(site_key).rstrip("/")
            real = REAL_HOSTS.get(site_key) or (registry.get(site_key).portal or "").rstrip("/")
            for key in keys:
                art = site.article(key)
                assert art.body, (site_key, key)
                with urllib.request.urlopen(base + art.path) as response:
                    body = response.read()
                    ctype = response.headers.get("Content-Type")
                body = body.replace(base.encode(), real.encode())
                stem = f"replica-{site_key}-{key}"
                page = EVAL / "pages" / f"{stem}.html"
                page.write_bytes(body)
                doc = load(art.body)
                lines = doc.text().split("\n")
                if lines and lines[0].replace(" ", "") == art.title.replace(" ", ""):
                    lines = lines[1:]  # the title repeated atop the body is the title
                # The farm renders its "小编" byline in the info line, not in the body.
                lines = [line for line in lines if not line.startswith("小编")]
                text = "\n".join(lines)
                visible = body.decode("gb18030" if "wanzai" in site_key else "utf-8", "replace")
                chrome = [c for c in CHROME if c in visible and c not in text]
                paragraphs = [p for p in doc.paragraphs if len(p) > 12 and p in text]
                must = [paragraphs[0], paragraphs[len(paragraphs) // 2], paragraphs[-1]] if paragraphs else []
                record = {
                    "id": stem,
                    "page": str(page.relative_to(ROOT)),
                    "url": real + art.path,
                    "origin": "replica",
                    "status": 200,
                    "content_type": ctype,
                    "kind": "report" if art.is_report else "article",
                    "title": art.title,
                    "published": art.published.date().isoformat(),
                    "text": text,
                    "tables": doc.tables,
                    "must_contain": must,
                    "must_not_contain": chrome,
                    "flags": ["spam_injection"] if art.spam else (
                        ["placeholder_text"] if site_key == "contentfarm" else []),
                    "reject": None,
                    "is_report": art.is_report,
                    "notes": f"replica page of {site_key} ({art.body}); gold = the markup it is "
                             "rendered from; chrome strings checked against the frozen page",
                }
                (EVAL / "gold" / f"{stem}.json").write_text(
                    json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                print(stem, len(text), len(chrome))


if __name__ == "__main__":
    main()
