"""The statistics tables parsed and checked, against gold typed by hand from real reports
(tests/stats_gold/: the three PDF reports, the 成吉思汗镇 sample, the old-format 乌拉街 and
清镇 samples) and against the demo generator's own numbers (replicas with non-zero figures)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from govcrawl.demo import markup
from govcrawl.extract import PageInput, extract_page
from govcrawl.stats import keys
from govcrawl.stats.cells import DASH, EMPTY, NONE, NUMBER, SLASH, norm, read
from govcrawl.stats.report import ReportStats, parse_report

HERE = Path(__file__).parent
GOLD = HERE / "stats_gold"
ROOT = HERE.parent

# --- gold ------------------------------------------------------------------------------------


def gold_cells(gold: dict[str, Any]) -> dict[str, str]:
    """table/row/column -> the cell as written, from a gold file's layout."""
    out: dict[str, str] = dict(gold.get("cells", {}))
    for row, columns in gold.get("proactive", {}).items():
        for column, raw in columns.items():
            out[keys.cell_ref("proactive", row, column)] = raw
    for row, values in gold.get("requests", {}).items():
        assert len(values) == len(keys.REQUEST_COLUMNS), row
        for column, raw in zip(keys.REQUEST_COLUMNS, values, strict=True):
            out[keys.cell_ref("requests", row, column.key)] = raw
    for row, values in gold.get("review_litigation", {}).items():
        for column, raw in zip(keys.REVIEW_COLUMNS, values, strict=True):
            out[keys.cell_ref("review_litigation", row, column.key)] = raw
    return out


def load_gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLD / f"{name}.json").read_text("utf-8"))
    return data


# The generator's layout of each table (govcrawl/demo/makedata.py): row index -> keys.
_PROACTIVE_2021 = {
    2: ("regulations", ("issued", "repealed", "in_force")),
    3: ("normative_documents", ("issued", "repealed", "in_force")),
    6: ("licensing", ("decisions",)),
    9: ("penalty", ("decisions",)),
    10: ("coercion", ("decisions",)),
    13: ("fees", ("amount_wan_yuan",)),
}
_PROACTIVE_2019 = {
    2: ("regulations", ("made", "published", "total_published")),
    3: ("normative_documents", ("made", "published", "total_published")),
    6: ("licensing", ("items_last_year", "items_change", "decisions")),
    7: ("other_services", ("items_last_year", "items_change", "decisions")),
    10: ("penalty", ("items_last_year", "items_change", "decisions")),
    11: ("coercion", ("items_last_year", "items_change", "decisions")),
    14: ("fees", ("items_last_year", "items_change")),
    17: ("procurement", ("procurement_items", "procurement_amount_wan_yuan")),
}
_REQUEST_ROWS_2021 = (
    "new", "carried_over", "disclosed", "partly_disclosed", "withheld_state_secret",
    "withheld_prohibited_by_law", "withheld_three_safeties", "withheld_third_party",
    "withheld_internal_affairs", "withheld_process_info", "withheld_enforcement_file",
    "withheld_query", "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "not_processed_petition", "not_processed_repeat", "not_processed_publication",
    "not_processed_mass_repeat", "not_processed_confirmation", "other_no_correction",
    "other_fee_unpaid", "other_other", "handled_total", "carried_forward",
)  # fmt: skip
_REQUEST_ROWS_2019 = (*_REQUEST_ROWS_2021[:20], "other_handling", *_REQUEST_ROWS_2021[-2:])
_OLD_2008 = {  # report_2008's 统计表: row index -> (table, row, column)
    2: ("legacy", "proactive_total", "value"),
    4: ("proactive", "normative_documents", "issued"),
    9: ("requests", "new", "total"),
    14: ("requests", "handled_total", "total"),
    17: ("review_litigation", "review", "total"),
    18: ("review_litigation", "litigation", "total"),
    19: ("legacy", "disclosure_fees", "value"),
}


def replica_gold(name: str, *, only_requests: bool = False) -> dict[str, str]:
    """The numbers the demo generator wrote into ``govcrawl/demo/data/<name>.txt``, by the
    generator's fixed layout (not by the parser under test). ``only_requests``: the
    spreadsheet attachments, which carry table 三 alone."""
    tables = [b for b in markup.load(name).blocks if isinstance(b, markup.Table)]
    out: dict[str, str] = {}
    for table in tables:
        rows = [[cell.text for cell in row] for row in table.rows]
        first = rows[0][0]
        if first.startswith("第二十条") and not only_requests:
            layout = _PROACTIVE_2021 if "本年制发件数" in rows[1] else _PROACTIVE_2019
            for index, (row, columns) in layout.items():
                for column, raw in zip(columns, rows[index][1:], strict=False):
                    out[keys.cell_ref("proactive", row, column)] = raw
        elif "勾稽关系" in first:
            data = rows[3:]
            names = _REQUEST_ROWS_2021 if len(data) == len(_REQUEST_ROWS_2021) else (
                _REQUEST_ROWS_2019
            )
            assert len(data) == len(names), name
            for row, cells in zip(names, data, strict=True):
                for request_column, raw in zip(keys.REQUEST_COLUMNS, cells[-7:], strict=True):
                    out[keys.cell_ref("requests", row, request_column.key)] = raw
        elif first == "行政复议" and not only_requests:
            values = iter(rows[3])
            for review_row in keys.REVIEW_ROWS[:3]:
                for review_column in keys.REVIEW_COLUMNS:
                    ref = keys.cell_ref("review_litigation", review_row.key, review_column.key)
                    out[ref] = next(values)
        elif first == "统计指标":
            for index, (table_key, row, column) in _OLD_2008.items():
                out[keys.cell_ref(table_key, row, column)] = rows[index][2]
    assert out, f"{name}: no statistics table in the replica"
    return out


# --- comparing -----------------------------------------------------------------------------


def compare(stats: ReportStats, gold: dict[str, str]) -> tuple[int, list[str]]:
    """(cells right, what is wrong: missing, different or extra cells)."""
    parsed = {c.ref: c.reading.raw for c in stats.cells}
    right, wrong = 0, []
    for ref, raw in gold.items():
        if ref not in parsed:
            wrong.append(f"{ref}: missing (gold {raw!r})")
        elif norm(parsed[ref]) != norm(raw) or read(parsed[ref]).kind != read(raw).kind:
            wrong.append(f"{ref}: {parsed[ref]!r} != gold {raw!r}")
        else:
            right += 1
    wrong += [f"{ref}: extra cell {raw!r}" for ref, raw in parsed.items() if ref not in gold]
    return right, wrong


def failure_keys(stats: ReportStats) -> list[tuple[str, str, int | float, int | float]]:
    return [
        (f.check, f.where, d["expected"], d["found"])
        for f in stats.result.failures
        for d in [f.as_dict()]
    ]


def _pdf(name: str) -> ReportStats:
    body = (HERE / "fixtures" / "realpages" / name).read_bytes()
    ex = extract_page(PageInput(url=f"http://example.gov.cn/{name}", body=body))
    assert ex.reject is None, ex.reason
    return parse_report(ex.text, ex.tables)


def _sample(name: str) -> ReportStats:
    text = (HERE / "fixtures" / "extract" / "samples" / name).read_text("utf-8")
    return parse_report(text, [])


HAND_GOLD: dict[str, Callable[[], ReportStats]] = {
    "huaian-2024-pdf": lambda: _pdf("01_huaian_szf_2024_annual_report.pdf"),
    "hongze-2023-pdf": lambda: _pdf("02_hongze_2023_annual_report.pdf"),
    "hongze-2024-pdf": lambda: _pdf("03_hongze_2024_annual_report.pdf"),
    "chengjisihan-2021-text": lambda: _sample("zhalantun-chengjisihan-2021-report.txt"),
    "wulajie-2012-text": lambda: _sample("wulajie-2012-report.txt"),
    "gzqz-2013-text": lambda: _sample("gzqz-2013-report.txt"),
}


@pytest.mark.parametrize("name", sorted(HAND_GOLD))
def test_every_gold_cell_is_parsed_right(name: str) -> None:
    gold = load_gold(name)
    stats = HAND_GOLD[name]()
    cells = gold_cells(gold)
    right, wrong = compare(stats, cells)
    assert not wrong, f"{name}: {right}/{len(cells)} cells right; wrong: {wrong[:10]}"
    assert stats.format == gold["format"]
    expected = [(f["check"], f["where"], f["expected"], f["found"]) for f in gold["failures"]]
    assert failure_keys(stats) == expected


def test_gold_set_per_cell_accuracy_is_100_percent() -> None:
    total = right = 0
    for name, make in HAND_GOLD.items():
        cells = gold_cells(load_gold(name))
        ok, _ = compare(make(), cells)
        total, right = total + len(cells), right + ok
    assert total == 802  # 3 PDFs and 成吉思汗镇: 200 + 186 + 186 + 200; old format: 14 + 16
    assert right == total, f"per-cell accuracy {right}/{total} = {right / total:.2%}"


def test_the_real_hongze_2023_report_does_not_add_up_and_says_where() -> None:
    stats = HAND_GOLD["hongze-2023-pdf"]()
    assert stats.check_label == "FAILED (2)"
    first, second = stats.result.failures
    assert first.cells[0] == "review_litigation/review/total"
    assert set(first.cells[1:]) == {
        f"review_litigation/review/{c}" for c in ("upheld", "corrected", "other", "pending")
    }
    assert second.cells[0] == "review_litigation/litigation_after_review/total"
    assert stats.headline()["review_total"] == 0  # the total as written, not the sum


def test_headline_numbers_of_the_huaian_report() -> None:
    stats = HAND_GOLD["huaian-2024-pdf"]()
    assert stats.headline() == {
        "new_requests": 3119,
        "disclosed": 1362,
        "review_total": 351,
        "litigation_total": 46,  # 26 without reconsideration + 20 after it
        "fees_wan_yuan": Decimal("96171.6"),
    }
    assert stats.result.run == 42 and stats.result.consistent is True


# --- replicas with non-zero numbers (the demo generator's figures are the gold) -------------------

REPLICAS = (
    "jilinshi-2019", "jilinshi-2020", "jilinshi-2021", "jilinshi-2022", "jilinshi-2023",
    "zhejiang-2019", "zhejiang-2022", "wanzai-2020", "wanzai-2021", "wanzai-2022", "huaian-2022",
    "handan-2022", "handan-2023", "handan-edu-2022", "handan-2018", "wanzai-2018", "zhejiang-2018",
)  # fmt: skip


@pytest.mark.parametrize("name", REPLICAS)
def test_replica_tables_rendered_as_html_parse_to_the_generators_numbers(name: str) -> None:
    html = "<html><head><title>t</title></head><body><div class='TRS_Editor'>"
    html += markup.to_html(markup.load(name), "trs") + "</div></body></html>"
    ex = extract_page(PageInput(url="http://example.gov.cn/t.html", body=html.encode("utf-8")))
    stats = parse_report(ex.text, ex.tables)
    gold = replica_gold(name)
    right, wrong = compare(stats, gold)
    assert not wrong, f"{name}: {right}/{len(gold)}: {wrong[:10]}"
    assert stats.result.failures == []  # the generator's tables balance
    # the same from the text alone (a version stored without its grids)
    right, wrong = compare(parse_report(ex.text, []), gold)
    assert not wrong, f"{name} (text): {wrong[:10]}"


# --- cells without a number ----------------------------------------------------------------------


def test_empty_dash_slash_and_wu_cells_are_kept_distinct_from_zero() -> None:
    grid = [
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] + ["未经复议直接起诉"] * 5
        + ["复议后起诉"] * 5,
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3,
        ["0", "", "-", "/", "0", "无", "—", "－", "0", "0", "3", "0", "0", "1", "4"],
    ]
    stats = parse_report("", [grid])
    cells = {c.ref: c.reading for c in stats.cells}
    review = "review_litigation/review/"
    assert (cells[review + "upheld"].kind, cells[review + "upheld"].value) == (NUMBER, 0)
    assert (cells[review + "corrected"].kind, cells[review + "corrected"].value) == (EMPTY, None)
    assert (cells[review + "other"].kind, cells[review + "other"].raw) == (DASH, "-")
    assert (cells[review + "pending"].kind, cells[review + "pending"].raw) == (SLASH, "/")
    direct = "review_litigation/litigation_direct/"
    assert (cells[direct + "upheld"].kind, cells[direct + "upheld"].raw) == (NONE, "无")
    assert cells[direct + "corrected"].kind == DASH and cells[direct + "other"].kind == DASH
    assert all(cells[direct + c].value is None for c in ("upheld", "corrected", "other"))
    # in the sums they count as nothing: these totals add up
    assert stats.result.failures == [] and stats.result.run == 3


def test_values_as_written_thousands_separators_units_and_signs() -> None:
    assert read("3,119").value == 3119
    assert read("96171.6").value == Decimal("96171.6")
    assert read("12件").value == 12 and read("12件").unit == "件"
    assert read("-3").value == -3 and read("+5").value == 5
    assert read("-").kind == DASH and read("——").kind == DASH
    assert read(" ").kind == EMPTY and read("／").kind == SLASH
    assert read("见附件").kind == "text"


# --- a deliberately inconsistent table ----------------------------------------------------------


def _huaian_grids() -> list[Any]:
    body = (HERE / "fixtures" / "realpages" / "01_huaian_szf_2024_annual_report.pdf").read_bytes()
    ex = extract_page(PageInput(url="http://example.gov.cn/r.pdf", body=body))
    return copy.deepcopy(ex.tables)


def _set_cell(tables: list[Any], label: str, column: int, old: str, new: str) -> None:
    for table in tables:
        for row in table:
            if any(label in cell for cell in row) and row[column] == old:
                row[column] = new
                return
    raise AssertionError(f"no row {label!r} with {old!r} in column {column}")


def test_one_wrong_cell_is_flagged_and_pinpointed() -> None:
    tables = _huaian_grids()
    _set_cell(tables, "（一）予以公开", 3, "1288", "1298")  # 自然人 column
    stats = parse_report("", tables)
    assert [(f.check, f.where) for f in stats.result.failures] == [
        ("requests_handled_total", "natural_person"),
        ("requests_row_total", "disclosed"),
    ]
    column_check, row_check = stats.result.failures
    assert (column_check.expected, column_check.found) == (2942, 2932)
    assert column_check.cells[0] == "requests/handled_total/natural_person"
    assert "requests/disclosed/natural_person" in column_check.cells
    assert (row_check.expected, row_check.found) == (1372, 1362)
    assert stats.result.suspects == ["requests/disclosed/natural_person"]
    assert stats.check_label == "FAILED (2)"


def test_a_wrong_total_breaks_the_balance_rule_of_the_table() -> None:
    tables = _huaian_grids()
    _set_cell(tables, "（七）总计", 9, "3050", "3051")  # 总计 column of （七）总计
    stats = parse_report("", tables)
    assert {(f.check, f.where) for f in stats.result.failures} == {
        ("requests_balance", "total"),  # 3119 + 34 != 3051 + 103
        ("requests_handled_total", "total"),
        ("requests_row_total", "handled_total"),
    }
    assert stats.result.suspects == ["requests/handled_total/total"]


def test_a_group_given_as_a_row_and_as_items_must_agree() -> None:
    def row(label: str, n: int) -> str:
        return f"{label} | {n} | 0 | 0 | 0 | 0 | 0 | {n}"

    withheld = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
                "7.属于行政执法案卷", "8.属于行政查询事项"]  # fmt: skip
    refused = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
               "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"]  # fmt: skip
    text = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            row("一、本年新收政府信息公开申请数量", 5),
            row("二、上年结转政府信息公开申请数量", 0),
            row("三、本年度办理结果 | （一）予以公开", 1),
            row("（二）部分公开", 0),
            row("（三）不予公开", 3),  # the group's own row says 3 ...
            *[row(item, 1 if i < 2 else 0) for i, item in enumerate(withheld)],  # ... items: 2
            row("（四）无法提供 | 1.本机关不掌握相关政府信息", 2),
            row("2.没有现成信息需要另行制作", 0),
            row("3.补正后申请内容仍不明确", 0),
            row("（五）不予处理 | " + refused[0], 0),
            *[row(item, 0) for item in refused[1:]],
            row("（六）其他处理", 0),
            row("（七）总计", 5),
            row("四、结转下年度继续办理", 0),
        ]
    )
    stats = parse_report(text, [])
    assert len(stats.cells) == 24 * 7  # 24 rows: the group row and its 8 items both kept
    assert [(f.check, f.where, f.expected, f.found) for f in stats.result.failures] == [
        ("requests_group_total", "withheld/natural_person", 2, 3),
        ("requests_group_total", "withheld/total", 2, 3),
    ]
    assert stats.result.failures[0].cells[0] == "requests/withheld/natural_person"
    assert stats.format == "2019"  # （六）其他处理 as one row


# --- the old format -------------------------------------------------------------------------


def test_old_format_rows_map_to_the_2021_keys_where_the_meaning_is_the_same() -> None:
    stats = HAND_GOLD["gzqz-2013-text"]()
    assert stats.format == "old"
    refs = {c.ref for c in stats.cells}
    assert "requests/new/total" in refs  # （一）收到政府信息公开申请数
    assert "review_litigation/review/total" in refs  # （一）行政复议情况
    assert "review_litigation/litigation/total" in refs  # （二）行政诉讼情况
    assert "legacy/disclosure_fees/value" in refs  # 依申请公开收费总额: not 行政事业性收费
    assert "proactive/fees/amount_wan_yuan" not in refs
    assert stats.result.run == 0 and stats.check_label == "not checked"


def test_the_cumulative_column_is_not_taken_for_the_years_figure() -> None:
    stats = HAND_GOLD["wulajie-2012-text"]()
    cells = {c.ref: c.reading for c in stats.cells}
    assert cells["legacy/proactive_total/value"].value == 3  # 累计数 11, 2012年发生数 3
    assert cells["requests/new/total"].kind == EMPTY  # left empty: not 0
    assert stats.headline()["new_requests"] is None


def test_no_tables_no_cells() -> None:
    stats = parse_report("本年度未收到政府信息公开申请。全年未发生行政复议、行政诉讼。", [])
    assert stats.cells == [] and stats.format is None and stats.check_label == "no tables"


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Statistics tables", 1)[1].split("\n## ", 1)[0]


def test_the_readme_documents_every_key() -> None:
    section = _readme_section()
    for table, rows in keys.ROWS.items():
        assert f"`{table}`" in section
        for key in (*rows, *keys.COLUMNS[table]):
            assert f"| `{key.key}` | {key.label} |" in section, (table, key.key)
    for _, table, row, column in keys.OLD_ROWS:
        assert f"`{table}/{row}" in section, (table, row, column)


def test_the_datasette_metadata_describes_every_column_of_the_statistics_tables() -> None:
    from govcrawl.db.models import Base
    from govcrawl.stats.metadata import STATS_CANNED_QUERIES, STATS_TABLES

    for name, doc in STATS_TABLES.items():
        columns = {c.name for c in Base.metadata.tables[name].columns}
        assert set(doc["columns"]) == columns, name
        assert all(len(text) > 8 for text in doc["columns"].values()), name
        assert doc["title"] and doc["description"]
    for query_name, canned in STATS_CANNED_QUERIES.items():
        assert set(canned) == {"title", "description", "sql"}, query_name
