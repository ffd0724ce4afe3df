"""The command line as users run it: bad input, failing portals, other commands."""

from __future__ import annotations

import json
from pathlib import Path

from govcrawl.demo import PortalServer
from tests.badportals import closed_port, serve
from tests.conftest import ROOT, query, run_govcrawl

HEAD = sorted((ROOT / "migrations" / "versions").glob("0*.py"))[-1].name[:4]

HTML = {"Content-Type": "text/html; charset=utf-8"}
GBK_REPORT = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>测试县2023年政府信息公开工作年度报告_测试县人民政府</title></head><body>"
    '<div class="nav">首页 | 政务公开 | 互动交流</div>'
    '<div id="zoom"><p>根据《中华人民共和国政府信息公开条例》规定，现公布测试县2023年政府信息公开工作年度报告。'
    "本报告所列数据统计期限为2023年1月1日至2023年12月31日。</p>"
    "<p>一、总体情况。2023年，测试县人民政府坚持以公开为常态、不公开为例外，全面推进政务公开工作，"
    "主动公开政府信息1234条，办理依申请公开12件，全部按期答复。</p>"
    "<p>二、主动公开政府信息情况。全年制发规范性文件3件，废止1件，现行有效规范性文件45件。</p>"
    "<p>三、收到和处理政府信息公开申请情况。本年新收申请12件，上年结转0件，予以公开10件，部分公开2件。</p>"
    "<p>四、政府信息公开行政复议、行政诉讼情况。本年度未发生行政复议和行政诉讼案件。</p>"
    "<p>五、存在的主要问题及改进情况。公开内容的解读还不够深入，下一步将加强政策解读。</p>"
    "<p>六、其他需要报告的事项。本年度未收取信息处理费。</p>"
    "<p>测试县人民政府办公室</p><p>2024年1月25日</p></div>"
    '<div class="footer">网站标识码：5201810001 黔ICP备05000001号</div></body></html>'
)


def regions_toml(rows: list[dict[str, str]]) -> str:
    out = []
    for row in rows:
        out.append("[[region]]")
        for key, value in row.items():
            out.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        out.append("")
    return "\n".join(out)


def region(slug: str, code: str, base: str, column: str, cms: str = "generic") -> dict[str, str]:
    return {
        "slug": slug,
        "code": code,
        "name": f"{slug}县",
        "level": "county",
        "portal": base + "/",
        "cms": cms,
        "report_columns": [base + column],
    }  # type: ignore[dict-item]


def test_bad_database_url_is_one_line_exit_2(regions_file: Path) -> None:
    for url in ("mysql+nosuchdriver://x/y", "sqlite:////no/such/dir/a.db", "not a url"):
        out = run_govcrawl(
            "crawl",
            "qingzhen",
            "--regions-file",
            str(regions_file),
            "--db",
            url,
            "--allow-loopback",
        )
        assert out.returncode == 2, out.stderr
        assert out.stderr.count("\n") == 1 and out.stderr.startswith("govcrawl: error:"), out.stderr
        assert url in out.stderr


def test_malformed_regions_file_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[region]]\nslug = "x1"\ncode = "12"\nname = "某县"\nlevel = "county"\n', "utf-8"
    )
    out = run_govcrawl("crawl", "--all", "--regions-file", str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"govcrawl: error: {path}: region #1 (x1): field 'code': '12' is not a 6, 9 or 12 digit "
        "administrative division code"
    )
    out = run_govcrawl("crawl", "nosuchregion")
    assert (out.returncode, out.stderr.strip()) == (
        2,
        "govcrawl: error: unknown region 'nosuchregion' (not a slug or code in the registry)",
    )
    out = run_govcrawl("crawl")
    assert out.returncode == 2 and "--all" in out.stderr


def test_loopback_is_refused_without_the_flag(
    regions_file: Path, tmp_path: Path, portals: PortalServer
) -> None:
    db = tmp_path / "a.db"
    portals.clear_requests()
    out = run_govcrawl(
        "crawl", "qingzhen", "--regions-file", str(regions_file), "--db", f"sqlite:///{db}"
    )
    assert out.returncode == 1
    assert (
        "region qingzhen (清镇市) failed: report columns could not be fetched (blocked 1)"
        in out.stderr
    )
    assert portals.requests_for("qingzhen") == []  # not even robots.txt was asked for
    assert query(db, "SELECT outcome, error FROM fetch") == [
        (
            "blocked",
            f"refused {portals.column_url('qingzhen')}: 127.0.0.4 resolves to 127.0.0.4 is a "
            "loopback address",
        )
    ]
    assert query(db, "SELECT count(*) FROM document") == [(0,)]


def test_failing_portals_are_recorded_and_the_crawl_goes_on(
    regions_file: Path, tmp_path: Path
) -> None:
    gbk_column = (
        '<html><head><meta charset="gbk"><title>政府信息公开年报</title></head><body><ul>'
        '<li><a href="/art/2024/1/25/art_1_1001.html">测试县2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li>'
        '<li><a href="/art/2024/1/26/art_1_1002.html">测试县2022年政府信息公开工作年度报告</a><span>2023-01-20</span></li>'
        '<li><a href="/art/2024/1/27/art_1_1003.html">测试县2021年政府信息公开工作年度报告</a><span>2022-01-20</span></li>'
        '<li><a href="http://10.1.2.3/nb/2020.html">测试县2020年政府信息公开工作年度报告</a><span>2021-01-20</span></li>'
        "</ul></body></html>"
    ).encode("gb18030")
    challenge = (ROOT / "tests/fixtures/realpages").glob("70_*")
    challenge_body = next(challenge).read_bytes()
    with (
        serve(
            "127.0.0.41", {"/nb/": (500, HTML, b"<h1>500 Internal Server Error</h1>", 0.0)}
        ) as broken,
        serve("127.0.0.42", {"/nb/": (200, HTML, b"", 5.0)}) as slow,
        serve(
            "127.0.0.43",
            {"/nb/": (200, HTML, "<html><body><p>暂无信息</p></body></html>".encode(), 0.0)},
        ) as empty,
        serve(
            "127.0.0.44",
            {
                "/nb/": (200, {"Content-Type": "text/html; charset=utf-8"}, gbk_column, 0.0),
                "/art/2024/1/25/art_1_1001.html": (
                    200,
                    {"Content-Type": "text/html; charset=utf-8"},
                    GBK_REPORT.encode("gb18030"),
                    0.0,
                ),
                "/art/2024/1/26/art_1_1002.html": (
                    302,
                    {"Location": "http://192.168.1.20/nb/2022.html"},
                    b"",
                    0.0,
                ),
                "/art/2024/1/27/art_1_1003.html": (
                    412,
                    {"Content-Type": "text/html"},
                    challenge_body,
                    0.0,
                ),
            },
        ) as gbk,
    ):
        dead = f"http://127.0.0.40:{closed_port('127.0.0.40')}"
        rows = [
            region("deadcounty", "990001", dead, "/nb/"),
            region("brokencounty", "990002", broken, "/nb/"),
            region("slowcounty", "990003", slow, "/nb/"),
            region("emptycounty", "990004", empty, "/nb/"),
            region("gbkcounty", "990005", gbk, "/nb/"),
        ]
        path = tmp_path / "bad-portals.toml"
        path.write_text(regions_toml(rows), encoding="utf-8")
        db = tmp_path / "a.db"
        out = run_govcrawl(
            "crawl",
            *[r["slug"] for r in rows],
            "--regions-file",
            str(path),
            "--db",
            f"sqlite:///{db}",
            "--allow-loopback",
            env={
                "GOVCRAWL_DOWNLOAD_TIMEOUT": "1",
                "GOVCRAWL_RETRY_TIMES": "1",
                "XDG_STATE_HOME": str(tmp_path / "state"),
            },
            timeout=120,
        )
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "state").exists()  # Scrapy's remote control is off
    for slug, reason in [
        ("deadcounty", "report columns could not be fetched (connection_error 1)"),
        ("brokencounty", "report columns could not be fetched (http_error 1)"),
        ("slowcounty", "report columns could not be fetched (timeout 1)"),
        ("emptycounty", "report columns could not be fetched (empty column)"),
    ]:
        assert f"region {slug} ({slug}县) failed: {reason}" in out.stderr
    assert "region gbkcounty" not in out.stderr
    outcomes = dict(query(db, "SELECT url, outcome FROM fetch"))
    assert outcomes[f"{broken}/nb/"] == "http_error"
    assert outcomes[f"{slow}/nb/"] == "timeout"
    assert outcomes[f"{empty}/nb/"] == "empty_listing"
    assert outcomes[f"{dead}/nb/"] == "connection_error"
    assert (
        outcomes[f"{gbk}/art/2024/1/26/art_1_1002.html"] == "blocked"
    )  # redirect to a private address
    assert outcomes[f"{gbk}/art/2024/1/27/art_1_1003.html"] == "challenge"  # 412 anti-bot wall
    assert query(
        db, "SELECT title, report_year, published_at, jurisdiction_code FROM document"
    ) == [("测试县2023年政府信息公开工作年度报告", 2023, "2024-01-25", "990005")]
    (text,) = query(db, "SELECT text FROM document_version")[0]
    assert "全面推进政务公开工作" in str(text) and "网站标识码" not in str(text)
    run = query(db, "SELECT status FROM crawl_run")
    assert run == [("failed",)]
    gbk_row = next(line for line in out.stdout.splitlines() if line.startswith("gbkcounty县"))
    assert "offsite 1" in gbk_row and "blocked 1" in gbk_row and "challenge 1" in gbk_row


def test_scrapy_crawl_works_too(regions_file: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    db = tmp_path / "s.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVCRAWL_")}
    env.update(
        {
            "GOVCRAWL_DB": f"sqlite:///{db}",
            "GOVCRAWL_REGIONS_FILE": str(regions_file),
            "GOVCRAWL_ALLOW_LOOPBACK": "1",
            "GOVCRAWL_START_DELAY": "0.02",
            "XDG_STATE_HOME": str(tmp_path / "state"),
        }
    )
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "qingzhen"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert sorted(query(db, "SELECT report_year FROM document WHERE is_annual_report")) == [
        (2012,),
        (2013,),
        (2014,),
    ]
    assert query(db, "SELECT trigger, status, regions FROM crawl_run") == [
        ("manual", "ok", '["qingzhen"]')
    ]
    # no remote-control server of Scrapy's (code execution on localhost), no job file of it
    assert not (tmp_path / "state").exists()


def test_extract_one_saved_page() -> None:
    page = ROOT / "tests/fixtures/spiders/kundulun/xxgk_zfxxgknb_201401_t20140130_975503.html"
    out = run_govcrawl(
        "extract",
        str(page),
        "--url",
        "http://www.kdl.gov.cn/xxgk/zfxxgknb/201401/t20140130_975503.html",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert (
        record["title"],
        record["report_year"],
        record["published_at"],
        record["is_annual_report"],
        record["kind"],
        record["flags"],
    ) == ("昆都仑区人民政府关于2013年度政府信息公开年度报告", 2013, "2014-01-30", True, "html", [])
    assert (
        record["text"].startswith("昆都仑区人民政府2013年度政府信息公开年度报告")
        or "2013年，昆区政府深入贯彻落实" in record["text"]
    )
    out = run_govcrawl("extract", "/no/such/page.html")
    assert out.returncode == 2 and "cannot read" in out.stderr


def test_regions_and_db_upgrade(tmp_path: Path) -> None:
    out = run_govcrawl("regions")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert (
        "zhalantun\t150783\t扎兰屯市\tcounty\t150700\ttrs\thttp://www.zhalantun.gov.cn/zwgk/zfxxgknb/index.html"
        in lines
    )
    assert any(
        line.startswith("chengjisihan\t150783103\t成吉思汗镇\ttownship\t150783\t") for line in lines
    )
    db = tmp_path / "new.db"
    out = run_govcrawl("db", "upgrade", "--db", f"sqlite:///{db}")
    assert (out.returncode, out.stdout.strip()) == (0, f"sqlite:///{db}: schema at revision {HEAD}")
    tables = {name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"jurisdiction", "document", "document_version", "fetch", "crawl_run"} <= tables
