"""The key vocabulary of the statistics tables: one place for every table, row and
column key, the Chinese label it stands for, and the patterns that recognise it.

Keys are stable (researchers' queries depend on them): add keys, never rename one.
A cell is addressed as ``table/row/column``, e.g. ``requests/new/total`` (本年新收,
总计). The tables of the 2021 format (国办公开办函〔2021〕30号) and of its 2019 trial
(〔2019〕60号) share keys; the pre-2019 附表 (old format) is mapped onto the same keys
where a row means the same thing, and onto the ``legacy`` table where it does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: table key -> (the report's heading, English description)
TABLES: dict[str, tuple[str, str]] = {
    "proactive": ("二、主动公开政府信息情况", "proactive disclosure (条例 art. 20)"),
    "requests": (
        "三、收到和处理政府信息公开申请情况",
        "disclosure requests received and handled, by applicant",
    ),
    "review_litigation": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "administrative reconsideration and litigation over disclosure",
    ),
    "legacy": ("附表 (2008–2019)", "old-format rows with no equivalent in the 2021 tables"),
}


@dataclass(frozen=True)
class Key:
    key: str
    label: str  # the Chinese label as printed in the table
    description: str
    pattern: str | None = None  # regex over the whitespace-free NFKC label


# -- 二、主动公开 ---------------------------------------------------------------------------

PROACTIVE_ROWS: tuple[Key, ...] = (
    Key("regulations", "规章", "rules (规章)", r"^规章$"),
    Key(
        "normative_documents",
        "行政规范性文件",
        "normative documents (2019 format: 规范性文件)",
        r"^(?:行政)?规范性文件$",
    ),
    Key("licensing", "行政许可", "administrative licensing", r"^行政许可$"),
    Key(
        "other_services",
        "其他对外管理服务事项",
        "other external management services (2019 format only)",
        r"^其他对外管理服务事项$",
    ),
    Key("penalty", "行政处罚", "administrative penalties", r"^行政处罚$"),
    Key("coercion", "行政强制", "administrative coercive measures", r"^行政强制$"),
    Key("fees", "行政事业性收费", "administrative fees", r"^行政事业性收费$"),
    Key(
        "procurement",
        "政府集中采购",
        "centralised government procurement (2019 format only)",
        r"^政府集中采购",
    ),
)

PROACTIVE_COLUMNS: tuple[Key, ...] = (
    Key("issued", "本年制发件数", "issued this year", r"制发"),
    Key("repealed", "本年废止件数", "repealed this year", r"废止"),
    Key("in_force", "现行有效件数", "in force", r"现行有效"),
    Key("decisions", "本年处理决定数量", "decisions made this year", r"处理决定"),
    Key(
        "amount_wan_yuan",
        "本年收费金额（单位：万元）",
        "fees collected this year, 万元 (10,000 yuan; decimal)",
        r"收费金额",
    ),
    Key("made", "本年新制作数量", "newly made this year (2019 format)", r"新制作"),
    Key("published", "本年新公开数量", "newly published this year (2019 format)", r"新公开"),
    Key("total_published", "对外公开总数量", "published in total (2019 format)", r"对外公开总"),
    Key("items_last_year", "上一年项目数量", "items the year before (2019 format)", r"上一年"),
    Key("items_change", "本年增/减", "change of items this year, signed (2019 format)", r"增.?减"),
    Key("procurement_items", "采购项目数量", "procurement items (2019 format)", r"采购项目"),
    Key(
        "procurement_amount_wan_yuan",
        "采购总金额",
        "procurement amount, 万元 (2019 format)",
        r"采购总金额",
    ),
)

#: the columns a row of table 二 has when no header row says otherwise
PROACTIVE_DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount_wan_yuan",),
}

# -- 三、收到和处理申请 -----------------------------------------------------------------------

#: (group, key, label, description, pattern). group: the outcome group an item belongs to
#: (``withheld`` for 三、（三）不予公开 1–8 ...), None for top-level rows and for the groups.
REQUEST_ROWS: tuple[Key, ...] = (
    Key("new", "一、本年新收政府信息公开申请数量", "new requests this year", r"本年新收"),
    Key(
        "carried_over",
        "二、上年结转政府信息公开申请数量",
        "carried over from the year before",
        r"上年结转",
    ),
    Key("disclosed", "（一）予以公开", "disclosed in full", r"予以公开"),
    Key("partly_disclosed", "（二）部分公开", "partly disclosed", r"部分.{0,2}公开"),
    Key("withheld", "（三）不予公开", "withheld (group total, when not itemised)", r"不予公开"),
    Key("withheld_state_secret", "1.属于国家秘密", "withheld: state secret", r"国家秘密"),
    Key(
        "withheld_prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        "withheld: other laws and regulations prohibit disclosure",
        r"止公开",
    ),
    Key(
        "withheld_three_safeties",
        "3.危及“三安全一稳定”",
        "withheld: endangers the three safeties and stability",
        r"三安全|一稳定|危及",
    ),
    Key("withheld_third_party", "4.保护第三方合法权益", "withheld: third-party rights", r"第三方"),
    Key(
        "withheld_internal_affairs",
        "5.属于三类内部事务信息",
        "withheld: internal affairs",
        r"内部事务",
    ),
    Key(
        "withheld_process_info",
        "6.属于四类过程性信息",
        "withheld: process information",
        r"过程性",
    ),
    Key(
        "withheld_enforcement_file",
        "7.属于行政执法案卷",
        "withheld: administrative enforcement files",
        r"执法案卷",
    ),
    Key(
        "withheld_query",
        "8.属于行政查询事项",
        "withheld: administrative query matters",
        r"行政查询",
    ),
    Key("unavailable", "（四）无法提供", "cannot be provided (group total)", r"无法提供"),
    Key(
        "unavailable_not_held",
        "1.本机关不掌握相关政府信息",
        "cannot be provided: not held by this agency",
        r"不掌握|非本(?:部门|机关)掌握",
    ),
    Key(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        "cannot be provided: would have to be created",
        r"另行制作|现成信息",
    ),
    Key(
        "unavailable_unclear",
        "3.补正后申请内容仍不明确",
        "cannot be provided: request still unclear after correction",
        r"不明确|内容不明",
    ),
    Key("not_processed", "（五）不予处理", "not processed (group total)", r"不予处理"),
    Key(
        "not_processed_petition",
        "1.信访举报投诉类申请",
        "not processed: petitions, reports, complaints",
        r"信访|举报投诉",
    ),
    Key("not_processed_repeat", "2.重复申请", "not processed: repeated request", r"重复申请"),
    Key(
        "not_processed_publication",
        "3.要求提供公开出版物",
        "not processed: asks for a publication",
        r"出版物",
    ),
    Key(
        "not_processed_mass_repeat",
        "4.无正当理由大量反复申请",
        "not processed: mass repeated requests",
        r"大量反复|反复申请",
    ),
    Key(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        "not processed: asks to confirm or re-issue information already obtained",
        r"重新出具|确认或",
    ),
    Key(
        "other_handling",
        "（六）其他处理",
        "other handling (group total; the 2019 format's single row)",
        r"其他处理",
    ),
    Key(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other: applicant did not correct the request in time",
        r"不补正",
    ),
    Key(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other: applicant did not pay the fee in time",
        r"收费通知|缴纳费用",
    ),
    Key("other_other", "3.其他", "other: other", r"^(?:\d[.、]?)?其他$"),
    Key("handled_total", "（七）总计", "handled this year, total", r"总计|合计"),
    Key(
        "carried_forward",
        "四、结转下年度继续办理",
        "carried forward to next year",
        r"结转下年",
    ),
)

#: outcome groups of 三、本年度办理结果 and their items, in the table's order
REQUEST_GROUPS: dict[str, tuple[str, ...]] = {
    "disclosed": (),
    "partly_disclosed": (),
    "withheld": (
        "withheld_state_secret",
        "withheld_prohibited_by_law",
        "withheld_three_safeties",
        "withheld_third_party",
        "withheld_internal_affairs",
        "withheld_process_info",
        "withheld_enforcement_file",
        "withheld_query",
    ),
    "unavailable": ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"),
    "not_processed": (
        "not_processed_petition",
        "not_processed_repeat",
        "not_processed_publication",
        "not_processed_mass_repeat",
        "not_processed_confirmation",
    ),
    "other_handling": ("other_no_correction", "other_fee_unpaid", "other_other"),
}

REQUEST_COLUMNS: tuple[Key, ...] = (
    Key("natural_person", "自然人", "natural persons", r"^自然人$"),
    Key("commercial", "商业企业", "legal persons: commercial enterprises", r"^商业企业$"),
    Key("research", "科研机构", "legal persons: research institutions", r"^科研机构$"),
    Key("public_interest", "社会公益组织", "legal persons: public-interest organisations", r"公益"),
    Key("legal_services", "法律服务机构", "legal persons: legal service providers", r"法律服务"),
    Key("other", "其他", "legal persons: other", r"^其他$"),
    Key("total", "总计", "all applicants", r"^(?:总计|合计)$"),
)
APPLICANT_COLUMNS = tuple(k.key for k in REQUEST_COLUMNS[:-1])

# -- 四、行政复议、行政诉讼 ---------------------------------------------------------------------

REVIEW_ROWS: tuple[Key, ...] = (
    Key("review", "行政复议", "administrative reconsideration"),
    Key("litigation_direct", "行政诉讼：未经复议直接起诉", "litigation without reconsideration"),
    Key("litigation_after_review", "行政诉讼：复议后起诉", "litigation after reconsideration"),
    Key("litigation", "行政诉讼", "litigation, all (old format only; 2021: the two rows above)"),
)
REVIEW_COLUMNS: tuple[Key, ...] = (
    Key("upheld", "结果维持", "decision upheld"),
    Key("corrected", "结果纠正", "decision corrected"),
    Key("other", "其他结果", "other result"),
    Key("pending", "尚未审结", "not yet concluded"),
    Key("total", "总计", "total"),
)
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")

# -- the old format (2008–2019 附表) ---------------------------------------------------------------

#: (pattern over the label with its numbering and 其中 removed, table, row, column)
OLD_ROWS: tuple[tuple[str, str, str, str], ...] = (
    (r"^(?:主动)?公开(?:政府)?信息(?:总)?数", "legacy", "proactive_total", "value"),
    (r"^(?:收到)?(?:政府信息公开)?申请(?:总)?数(?:量)?$", "requests", "new", "total"),
    (r"^(?:对申请的)?答复(?:总)?数$|^申请办结数$", "requests", "handled_total", "total"),
    (r"^同意公开答复(?:总)?数$", "requests", "disclosed", "total"),
    (r"^同意部分.{0,2}开答复(?:总)?数$", "requests", "partly_disclosed", "total"),
    (r"^(?:否决|不予)公开答复(?:总)?数$", "requests", "withheld", "total"),
    (r"非本(?:部门|机关)掌握", "requests", "unavailable_not_held", "total"),
    (r"申请内容不明", "requests", "unavailable_unclear", "total"),
    (r"涉密", "requests", "withheld_state_secret", "total"),
    (r"信息不存在", "legacy", "not_exist", "value"),
    (r"免予公开范围", "legacy", "exempt", "value"),
    (r"^其他原因", "legacy", "refused_other", "value"),
    (r"不予受理申请数", "legacy", "not_accepted", "value"),
    (r"^制发规范性文件(?:总)?数$", "proactive", "normative_documents", "issued"),
    (
        r"^(?!.*(?:本机关|下级|受理|办结|维持|纠错)).*行政复议(?:申请)?(?:案件)?(?:数|数量|情况)$",
        "review_litigation",
        "review",
        "total",
    ),
    (
        r"^(?!.*(?:本机关|下级|复议)).*行政诉讼(?:案件)?(?:数|数量|情况)$",
        "review_litigation",
        "litigation",
        "total",
    ),
    (r"收费(?:金额|总额)|收取的费用", "legacy", "disclosure_fees", "value"),
    (r"^(?:从事)?(?:政府)?信息公开工作人员(?:总)?数", "legacy", "staff", "value"),
)

LEGACY_ROWS: tuple[Key, ...] = (
    Key("proactive_total", "主动公开政府信息总数", "proactively disclosed items, total"),
    Key("not_accepted", "不予受理申请数", "requests not accepted"),
    Key("not_exist", "“信息不存在”数", "refused: information does not exist"),
    Key("exempt", "“免予公开范围”数", "refused: within the exempt scope"),
    Key("refused_other", "其他原因", "refused: other reasons"),
    Key("disclosure_fees", "依申请公开收费金额", "fees charged for disclosure (unit as printed)"),
    Key("staff", "信息公开工作人员数", "staff working on disclosure"),
)
LEGACY_COLUMNS: tuple[Key, ...] = (
    Key("value", "本年发生数 / 小计 / 统计数", "the report year's figure (not the cumulative one)"),
)

ROWS: dict[str, tuple[Key, ...]] = {
    "proactive": PROACTIVE_ROWS,
    "requests": REQUEST_ROWS,
    "review_litigation": REVIEW_ROWS,
    "legacy": LEGACY_ROWS,
}
COLUMNS: dict[str, tuple[Key, ...]] = {
    "proactive": PROACTIVE_COLUMNS,
    "requests": REQUEST_COLUMNS,
    "review_litigation": REVIEW_COLUMNS,
    "legacy": LEGACY_COLUMNS,
}


def compiled(keys: tuple[Key, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(k.key, re.compile(k.pattern)) for k in keys if k.pattern]


def cell_ref(table: str, row: str, column: str) -> str:
    """The cell's address as the failures name it: ``table/row/column``."""
    return f"{table}/{row}/{column}"


def vocabulary_markdown() -> str:
    """The vocabulary as Markdown tables (README's data dictionary is this)."""
    out: list[str] = []
    for table, (heading, description) in TABLES.items():
        out.append(f"`{table}` — {heading}: {description}\n")
        out.append("| row | label | meaning |\n| --- | --- | --- |")
        out += [f"| `{k.key}` | {k.label} | {k.description} |" for k in ROWS[table]]
        out.append("\n| column | label | meaning |\n| --- | --- | --- |")
        out += [f"| `{k.key}` | {k.label} | {k.description} |" for k in COLUMNS[table]]
        out.append("")
    return "\n".join(out)
