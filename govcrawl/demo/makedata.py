"""Generate the data files of the portal replicas added for the common CMS families.

Run once (``python -m govcrawl.demo.makedata [REALPAGES_DIR]``); the outputs are
committed (``govcrawl/demo/data/*.txt`` and ``govcrawl/demo/data/files/*``), so the
server never runs this. What it writes:

* report bodies (replica content) in the markup format of :mod:`govcrawl.demo.markup`,
  rewritten from the national report format (国办公开办函〔2021〕30号 / 〔2019〕60号 and
  the pre-2019 统计表) for the jurisdictions of the new replicas, with deterministic
  figures; the application tables balance (一 + 二 = 三（七）总计 + 四);
* the DOCX report (``zipfile`` + WordprocessingML written by hand), the XLSX 附表
  (openpyxl) and the XLS 统计表 (xlwt: install it into the venv to re-run; it is not a
  dependency of the package), each from those bodies;
* a scanned PDF (Pillow: the text drawn on a grey page with AR PL UMing, slightly
  rotated, saved as JPEG pages of a PDF with no text layer);
* copies of the real captures (``shared/realpages``): the 淮安 and 洪泽 report PDFs and
  the 南昌海关 .doc.

``data/files/README.md`` says the same for the binaries.
"""

from __future__ import annotations

import io
import random
import shutil
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from govcrawl.demo.markup import Document, Paragraph, Table, parse
from govcrawl.demo.texts import cn_date, pick

DATA = Path(__file__).parent / "data"
FILES = DATA / "files"
REPLICA_NOTE = (
    "# 复制站内容（replica content）：按全国统一的政府信息公开工作年度报告格式为本地复制门户"
    "编写，机关名称为真实机关，文字与数字均为示例，并非该机关真实公开的报告。"
)

# --- who writes the report -------------------------------------------------------------


@dataclass(frozen=True)
class Gov:
    place: str  # 浙江省
    gov: str  # 浙江省人民政府
    office: str  # the compiling office, signs the report
    we: str  # 我省
    scope: str  # 全省
    short: str  # 省政府
    superiors: str  # whose decisions it carries out
    portal: str  # where it publishes
    address: str
    postcode: str
    phone: str
    units: str  # who it oversees
    subject: str = ""  # who acts in the prose (default: the government)

    @property
    def actor(self) -> str:
        return self.subject or self.gov


GOVS: dict[str, Gov] = {
    "zhejiang": Gov(
        "浙江省",
        "浙江省人民政府",
        "浙江省人民政府办公厅",
        "我省",
        "全省",
        "省政府",
        "党中央、国务院",
        "浙江省人民政府门户网站",
        "杭州市省府路8号",
        "310025",
        "0571-87053251",
        "各市、县（市、区）和省级各部门",
    ),
    "zhejiang-office": Gov(
        "浙江省",
        "浙江省人民政府办公厅",
        "浙江省人民政府办公厅",
        "我厅",
        "厅机关",
        "省政府办公厅",
        "党中央、国务院和省委、省政府",
        "浙江省人民政府门户网站",
        "杭州市省府路8号",
        "310025",
        "0571-87053251",
        "厅机关各处室",
        subject="省政府办公厅",
    ),
    "yichun": Gov(
        "宜春市",
        "宜春市人民政府",
        "宜春市人民政府办公室",
        "我市",
        "全市",
        "市政府",
        "省委、省政府",
        "中国宜春网站",
        "宜春市宜阳新区宜阳大道市行政中心",
        "336000",
        "0795-3996617",
        "各县（市、区）和市直各部门",
    ),
    "wanzai": Gov(
        "万载县",
        "万载县人民政府",
        "万载县人民政府办公室",
        "我县",
        "全县",
        "县政府",
        "省委省政府、宜春市委市政府",
        "万载县人民政府网站",
        "万载县康乐街道阳乐大道8号",
        "336100",
        "0795-8822135，联系人：刘喆",
        "各乡镇（街道）和县直各部门",
    ),
    "huaian": Gov(
        "淮安市",
        "淮安市人民政府",
        "淮安市人民政府办公室",
        "我市",
        "全市",
        "市政府",
        "党中央国务院、省委省政府",
        "淮安市人民政府门户网站",
        "淮安市翔宇南道1号",
        "223001",
        "0517-83605210",
        "各县（区）和市各委办局",
    ),
    "handan": Gov(
        "邯郸市",
        "邯郸市人民政府",
        "邯郸市人民政府办公室",
        "我市",
        "全市",
        "市政府",
        "省委、省政府",
        "邯郸市政府信息公开平台",
        "邯郸市丛台区人民东路332号",
        "056002",
        "0310-3118160",
        "各县（市、区）和市直各部门",
    ),
    "handan-edu": Gov(
        "邯郸市",
        "邯郸市教育局",
        "邯郸市教育局",
        "我局",
        "全市教育系统",
        "市教育局",
        "市委、市政府",
        "邯郸市政府信息公开平台",
        "邯郸市丛台区滏东北大街376号",
        "056002",
        "0310-3015806",
        "局属各单位和各县（市、区）教育局",
        subject="市教育局",
    ),
    "jilinshi": Gov(
        "吉林市",
        "吉林市人民政府",
        "吉林市人民政府办公室",
        "我市",
        "全市",
        "市政府",
        "省委、省政府",
        "吉林市人民政府门户网站",
        "吉林市丰满区吉林大街1号",
        "132013",
        "0432-62401230",
        "各县（市）区和市政府各部门",
    ),
}

_THEME = {
    2019: "认真贯彻落实新修订的《条例》，以公开促落实、以公开强监管、以公开优服务",
    2020: "统筹推进疫情防控和经济社会发展信息公开，围绕“六稳”“六保”做好政策发布和解读",
    2021: "围绕庆祝中国共产党成立100周年和“十四五”开局，着力提升政务公开质量",
    2022: "围绕迎接和学习宣传贯彻党的二十大，扎实做好稳经济、惠民生政策信息公开",
    2023: "全面贯彻落实党的二十大精神，围绕经济回升向好和优化营商环境深化政务公开",
    2024: "深入学习贯彻党的二十届三中全会精神，以高水平公开助力高质量发展",
}


# --- the national format (2019 and later reports) --------------------------------------

_APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
_OUTCOMES_2021 = (
    ("（一）予以公开", None),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("（三）不予公开", "1.属于国家秘密"),
    ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("（三）不予公开", "3.危及“三安全一稳定”"),
    ("（三）不予公开", "4.保护第三方合法权益"),
    ("（三）不予公开", "5.属于三类内部事务信息"),
    ("（三）不予公开", "6.属于四类过程性信息"),
    ("（三）不予公开", "7.属于行政执法案卷"),
    ("（三）不予公开", "8.属于行政查询事项"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("（四）无法提供", "2.没有现成信息需要另行制作"),
    ("（四）无法提供", "3.补正后申请内容仍不明确"),
    ("（五）不予处理", "1.信访举报投诉类申请"),
    ("（五）不予处理", "2.重复申请"),
    ("（五）不予处理", "3.要求提供公开出版物"),
    ("（五）不予处理", "4.无正当理由大量反复申请"),
    ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    (
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("（六）其他处理", "3.其他"),
)
_OUTCOMES_2019 = (*_OUTCOMES_2021[:18], ("（六）其他处理", None))
# how likely each outcome is, in the order above (the 2019 format folds the last three)
_WEIGHTS_2021 = (45, 9, 0, 0, 1, 3, 1, 2, 0, 1, 22, 4, 3, 3, 2, 0, 0, 0, 2, 0, 2)
_WEIGHTS_2019 = (*_WEIGHTS_2021[:18], 4)


@dataclass(frozen=True)
class Applications:
    new: tuple[int, ...]  # per applicant column (6)
    carried: tuple[int, ...]
    outcomes: tuple[tuple[int, ...], ...]  # per outcome row, per applicant column
    carry_out: tuple[int, ...]

    @property
    def new_total(self) -> int:
        return sum(self.new)

    @property
    def carried_total(self) -> int:
        return sum(self.carried)

    @property
    def out_total(self) -> int:
        return sum(self.carry_out)

    def handled(self, column: int) -> int:
        return sum(row[column] for row in self.outcomes)


def applications(rng: random.Random, scale: int, year: int) -> Applications:
    share = (70, 16, 1, 1, 3, 9)
    new = [0] * 6
    for _ in range(scale):
        new[rng.choices(range(6), share)[0]] += 1
    carried = [
        rng.randint(0, 3) if i == 0 else (rng.randint(0, 1) if i == 1 else 0) for i in range(6)
    ]
    carry_out = [min(new[i], rng.randint(0, 2)) if i < 2 else 0 for i in range(6)]
    weights = _WEIGHTS_2021 if year >= 2021 else _WEIGHTS_2019
    rows = [[0] * 6 for _ in weights]
    for column in range(6):
        for _ in range(new[column] + carried[column] - carry_out[column]):
            rows[rng.choices(range(len(weights)), weights)[0]][column] += 1
    return Applications(tuple(new), tuple(carried), tuple(tuple(r) for r in rows), tuple(carry_out))


def _numbers(values: Sequence[int]) -> str:
    return " | ".join(str(v) for v in (*values, sum(values)))


def application_table(apps: Applications, year: int) -> list[str]:
    outcomes = _OUTCOMES_2021 if year >= 2021 else _OUTCOMES_2019
    lines = [
        "{table}",
        "[r3c3]（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | "
        "[c7]申请人情况",
        "[r2]自然人 | [c5]法人或其他组织 | [r2]总计",
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他",
        f"[c3]一、本年新收政府信息公开申请数量 | {_numbers(apps.new)}",
        f"[c3]二、上年结转政府信息公开申请数量 | {_numbers(apps.carried)}",
    ]
    groups: dict[str, int] = {}
    for group, _ in outcomes:
        groups[group] = groups.get(group, 0) + 1
    seen: set[str] = set()
    for index, ((group, item), values) in enumerate(zip(outcomes, apps.outcomes, strict=True)):
        cells: list[str] = []
        if index == 0:
            cells.append(f"[r{len(outcomes) + 1}]三、本年度办理结果")
        if item is None:
            cells.append(f"[c2]{group}")
        elif group not in seen:
            cells += [f"[r{groups[group]}]{group}" if groups[group] > 1 else group, item]
        else:
            cells.append(item)
        seen.add(group)
        lines.append(" | ".join(cells) + " | " + _numbers(values))
    totals = [apps.handled(c) for c in range(6)]
    lines.append(f"[c2]（七）总计 | {_numbers(totals)}")
    lines.append(f"[c3]四、结转下年度继续办理 | {_numbers(apps.carry_out)}")
    lines.append("{/table}")
    return lines


def proactive_table(rng: random.Random, year: int, big: bool) -> list[str]:
    k = 4 if big else 1
    if year >= 2021:
        return [
            "{table}",
            "[c4]第二十条第（一）项",
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
            f"规章 | {rng.randint(1, 6) if big else 0} | {rng.randint(0, 3) if big else 0} | "
            f"{rng.randint(60, 140) if big else 0}",
            f"行政规范性文件 | {rng.randint(5, 20) * k} | {rng.randint(1, 9) * k} | "
            f"{rng.randint(40, 120) * k}",
            "[c4]第二十条第（五）项",
            "信息内容 | [c3]本年处理决定数量",
            f"行政许可 | [c3]{rng.randint(900, 9000) * k}",
            "[c4]第二十条第（六）项",
            "信息内容 | [c3]本年处理决定数量",
            f"行政处罚 | [c3]{rng.randint(300, 6000) * k}",
            f"行政强制 | [c3]{rng.randint(10, 400) * k}",
            "[c4]第二十条第（八）项",
            "信息内容 | [c3]本年收费金额（单位：万元）",
            f"行政事业性收费 | [c3]{rng.randint(20000, 900000) * k / 100:.2f}",
            "{/table}",
        ]
    return [
        "{table}",
        "[c4]第二十条第（一）项",
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量",
        f"规章 | {rng.randint(1, 5) if big else 0} | {rng.randint(1, 5) if big else 0} | "
        f"{rng.randint(60, 140) if big else 0}",
        f"规范性文件 | {(n := rng.randint(5, 20) * k)} | {n} | {rng.randint(40, 120) * k}",
        "[c4]第二十条第（五）项",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量",
        f"行政许可 | {rng.randint(150, 600) * k} | {rng.choice(['+', '-'])}{rng.randint(1, 12)} | "
        f"{rng.randint(900, 9000) * k}",
        f"其他对外管理服务事项 | {rng.randint(40, 200) * k} | {rng.choice(['+', '-'])}"
        f"{rng.randint(1, 6)} | {rng.randint(300, 3000) * k}",
        "[c4]第二十条第（六）项",
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量",
        f"行政处罚 | {rng.randint(30, 300) * k} | 0 | {rng.randint(300, 6000) * k}",
        f"行政强制 | {rng.randint(5, 40) * k} | 0 | {rng.randint(10, 400) * k}",
        "[c4]第二十条第（八）项",
        "信息内容 | 上一年项目数量 | [c2]本年增/减",
        f"行政事业性收费 | {rng.randint(15, 60)} | [c2]-{rng.randint(1, 5)}",
        "[c4]第二十条第（九）项",
        "信息内容 | 采购项目数量 | [c2]采购总金额",
        f"政府集中采购 | {rng.randint(10, 300) * k} | "
        f"[c2]{rng.randint(100000, 900000) * k / 100:.2f}",
        "{/table}",
    ]


def review_table(rng: random.Random) -> tuple[list[str], int, int]:
    upheld, corrected, pending = rng.randint(0, 4), rng.randint(0, 1), rng.randint(0, 1)
    review = (upheld, corrected, 0, pending)
    suits = (rng.randint(0, 3), 0, 0, rng.randint(0, 1))
    after = (rng.randint(0, 1), 0, 0, 0)
    row = [*review, sum(review), *suits, sum(suits), *after, sum(after)]
    return (
        [
            "{table}",
            "[c5]行政复议 | [c10]行政诉讼",
            "[r2]结果维持 | [r2]结果纠正 | [r2]其他结果 | [r2]尚未审结 | [r2]总计 | "
            "[c5]未经复议直接起诉 | [c5]复议后起诉",
            "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | "
            "尚未审结 | 总计",
            " | ".join(str(v) for v in row),
            "{/table}",
        ],
        sum(review),
        sum(suits) + sum(after),
    )


def report_2019(
    g: Gov, year: int, published: date, seed: str, *, big: bool = False, title: str | None = None
) -> str:
    """A report in the national format (2019 version up to the 2020 report, 2021 after)."""
    rng = random.Random(seed)
    apps = applications(rng, rng.randint(60, 260) if big else rng.randint(12, 70), year)
    review_lines, reviews, suits = review_table(rng)
    if year >= 2021:
        basis = (
            "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告"
            "格式〉的通知》（国办公开办函〔2021〕30号）"
        )
    else:
        basis = (
            "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告"
            "格式（试行）〉的通知》（国办公开办函〔2019〕60号）"
        )
    total = rng.randint(4000, 30000) if big else rng.randint(900, 5000)
    policies = rng.randint(20, 160)
    readings = rng.randint(10, 90)
    lines = [REPLICA_NOTE]
    if title:
        lines.append("{center}" + title)
    lines += [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{basis}要求，由{g.office}"
        "编制。报告全文由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息"
        "公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。报告"
        f"中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在{g.portal}"
        f"“政府信息公开年报”栏目查阅。如对本报告有疑问，请与{g.office}联系（地址：{g.address}，"
        f"邮编：{g.postcode}，电话：{g.phone}）。",
        "{b}一、总体情况",
        f"{year}年，{g.actor}坚持以习近平新时代中国特色社会主义思想为指导，{_THEME[year]}，认真落实"
        f"{g.superiors}关于全面推进政务公开的决策部署，严格执行《条例》，持续提升政务公开的标准化、"
        "规范化水平，为经济社会高质量发展提供了有力支撑。",
        "（一）主动公开",
        f"全年通过{g.portal}主动公开政府信息{total}条，其中政策文件{policies}件、政策解读{readings}篇"
        + pick(
            rng,
            (
                f"，图文、视频等多元化解读占比达到{rng.randint(35, 70)}%。",
                f"；召开新闻发布会{rng.randint(6, 40)}场，及时发布重要政策和重大民生事项。",
                f"；在政府公报刊登规范性文件{rng.randint(8, 60)}件。",
            ),
        ),
        pick(
            rng,
            (
                "围绕优化营商环境、稳就业保民生等重点工作开设专题专栏，集中公开减税降费、援企稳岗、"
                "惠企纾困等政策措施及办事指南，方便企业和群众查询。",
                "聚焦财政预决算、重大建设项目、公共资源配置、社会公益事业等重点领域，按照标准目录"
                "及时准确公开相关信息，做到应公开尽公开。",
                "严格落实重大行政决策预公开制度，对涉及群众切身利益的政策文件公开征求意见，"
                "并及时公开意见采纳情况。",
            ),
        ),
        "（二）依申请公开",
        f"全年共收到政府信息公开申请{apps.new_total}件，上年结转{apps.carried_total}件，均按照《条例》"
        f"规定的时限和程序进行了答复，结转下年度继续办理{apps.out_total}件。申请内容主要集中在"
        + pick(
            rng,
            (
                "征地拆迁补偿、规划审批、行政执法结果等方面。",
                "土地征收、房屋征收补偿和项目审批等方面。",
                "社会保障、教育招生和市场监管执法等方面。",
            ),
        )
        + f"全年因政府信息公开被申请行政复议{reviews}件、提起行政诉讼{suits}件。",
        "（三）政府信息管理",
        pick(
            rng,
            (
                "全面落实公文公开属性源头认定制度，拟制公文时明确主动公开、依申请公开或不予公开。"
                "严格执行“先审查、后公开”和“一事一审”制度，"
                f"全年开展保密审查{rng.randint(800, 9000)}余次。",
                "建立政府信息公开审查、发布、更新和解读联动机制，对行政规范性文件实行统一登记、"
                f"统一编号、统一公布，全年清理规范性文件{rng.randint(10, 120)}件。",
            ),
        ),
        "（四）政府信息公开平台建设",
        pick(
            rng,
            (
                f"持续加强政府门户网站建设，优化政府信息公开专栏，规范设置“法定主动公开内容”“政策解读”"
                "“政府信息公开年报”等栏目；加强政务新媒体监管，"
                f"全年通过政务新媒体发布信息{rng.randint(800, 9000)}条。",
                "推进政府网站集约化建设，统一信息资源库，实现政策文件库与上级平台互联互通；"
                f"在政务服务中心设立政务公开专区{rng.randint(3, 40)}个，提供政府信息查阅服务。",
            ),
        ),
        "（五）监督保障",
        f"将政务公开工作纳入年度绩效考核，组织政务公开业务培训{rng.randint(2, 8)}期，培训工作人员"
        f"{rng.randint(120, 900)}余人次；开展政务公开季度检查，"
        f"通报问题{rng.randint(5, 60)}个，均已整改到位。",
        "{b}二、主动公开政府信息情况",
        *proactive_table(rng, year, big),
        "{b}三、收到和处理政府信息公开申请情况",
        *application_table(apps, year),
        "{b}四、政府信息公开行政复议、行政诉讼情况",
        *review_lines,
        "{b}五、存在的主要问题及改进情况",
        f"{year}年，{g.we}政务公开工作取得一定成效，但对照上级要求和群众期盼仍有差距："
        + pick(
            rng,
            (
                "一是政策解读形式较为单一，图解、视频等解读方式运用不多；二是部分单位依申请公开"
                "答复文书规范性有待提高；三是基层政务公开标准目录更新不够及时。",
                "一是重点领域信息公开的深度和及时性还需加强；二是政务新媒体与门户网站信息发布"
                "协同不足；三是政务公开工作人员业务能力有待提升。",
            ),
        ),
        f"针对上述问题，{year + 1}年{g.we}将重点做好以下工作："
        + pick(
            rng,
            (
                "一是丰富政策解读形式，推行图文解读、视频解读和专家解读；二是制定依申请公开办理"
                "工作规程，统一答复文书样式；三是建立基层政务公开标准目录动态调整机制。",
                "一是细化重点领域信息公开清单，明确公开时限和责任单位；二是建立门户网站与政务新媒体"
                "信息同步发布机制；三是加强业务培训和跟班学习，提升队伍能力。",
            ),
        ),
        "{b}六、其他需要报告的事项",
        f"（一）收取信息处理费情况。{year}年，{g.we}"
        + pick(rng, ("未收取信息处理费。", f"共收取信息处理费{rng.randint(1, 40) * 100}元。")),
        "（二）人大代表建议和政协提案办理结果公开情况。"
        f"全年共承办人大代表建议{rng.randint(30, 600)}件、"
        f"政协委员提案{rng.randint(30, 700)}件，均已按期办结，办理复文依法依规予以公开。",
    ]
    if year >= 2021:
        lines.append(
            f"（三）年度工作要点落实情况。按照{year}年政务公开工作要点，{g.we}细化任务分工，逐项推进落实，"
            "各项任务均已完成。"
        )
    lines += ["{right}" + g.office, "{right}" + cn_date(published)]
    return "\n".join(lines) + "\n"


def report_2008(g: Gov, year: int, published: date, seed: str, *, title: str | None = None) -> str:
    """A report in the pre-2019 format, with the 政府信息公开情况统计表."""
    rng = random.Random(seed)
    total = rng.randint(3000, 30000)
    received = rng.randint(20, 300)
    online = rng.randint(received // 3, received // 2)
    face = rng.randint(0, received - online)
    letters = received - online - face
    on_time = received - rng.randint(0, 3)
    disclosed = rng.randint(received // 3, received // 2)
    reviews, suits = rng.randint(0, 5), rng.randint(0, 4)
    lines = [REPLICA_NOTE]
    if title:
        lines.append("{center}" + title)
    lines += [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，由{g.office}编制。全文"
        "包括概述，主动公开政府信息情况，依申请公开政府信息和不予公开政府信息情况，政府信息公开的"
        "收费及减免情况，因政府信息公开申请行政复议、提起行政诉讼的情况，政府信息公开工作存在的"
        f"主要问题及改进情况，其他需要报告的事项。本报告中所列数据的统计期限自{year}年1月1日起至"
        f"{year}年12月31日止。本报告电子版可在{g.portal}下载。如对本报告有任何疑问，请与{g.office}联系"
        f"（地址：{g.address}，邮编：{g.postcode}，电话：{g.phone}）。",
        "{b}一、概述",
        f"{year}年，{g.actor}深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，围绕"
        "“放管服”改革、重大建设项目和公共资源配置、社会公益事业建设等重点领域，加大信息公开力度，"
        "加强政策解读和回应关切，政务公开工作取得新进展。",
        "{b}二、主动公开政府信息情况",
        f"全年主动公开政府信息{total}条，"
        f"其中通过政府网站公开{total - rng.randint(200, 900)}条，通过政府"
        f"公报公开规范性文件{rng.randint(10, 80)}件，"
        f"通过政务微博、微信公开信息{rng.randint(500, 5000)}条。"
        f"发布政策解读材料{rng.randint(20, 200)}篇，召开新闻发布会{rng.randint(10, 60)}场。",
        "{b}三、依申请公开政府信息和不予公开政府信息情况",
        f"全年共收到政府信息公开申请{received}件，其中当面申请{face}件、网络申请{online}件、信函申请"
        f"{letters}件。按时办结{on_time}件，延期办结{received - on_time}件。"
        f"其中同意公开{disclosed}件，"
        f"同意部分公开{rng.randint(1, 20)}件，信息不存在{rng.randint(5, 60)}件，非本机关职责范围"
        f"{rng.randint(3, 40)}件，申请内容不明确{rng.randint(0, 10)}件。",
        "{b}四、政府信息公开的收费及减免情况",
        f"{year}年，{g.we}在政府信息公开工作中未收取任何费用。",
        "{b}五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        f"全年因政府信息公开申请提起行政复议{reviews}件，提起行政诉讼{suits}件，均依法作出处理。",
        "{b}六、政府信息公开工作存在的主要问题及改进情况",
        "主要问题：一是部分单位对政务公开工作重视程度不够，信息更新不够及时；二是政策解读的针对性和"
        "实效性有待加强。改进措施：一是加强督促检查，将政务公开纳入绩效考核；二是推进政策解读常态化，"
        "增强解读的针对性和可读性。",
        "{b}七、其他需要报告的事项",
        "附件：政府信息公开情况统计表",
        "{table}",
        "统计指标 | 单位 | 统计数",
        "一、主动公开情况 | — | —",
        f"（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条） | 条 | {total}",
        f"其中：主动公开规范性文件数 | 条 | {rng.randint(10, 80)}",
        f"制发规范性文件总数 | 件 | {rng.randint(10, 80)}",
        "二、回应解读情况 | — | —",
        f"（一）回应公众关注热点或重大舆情数 | 次 | {rng.randint(10, 90)}",
        f"（二）召开新闻发布会次数 | 次 | {rng.randint(10, 60)}",
        "三、依申请公开情况 | — | —",
        f"（一）收到申请数 | 件 | {received}",
        f"1.当面申请数 | 件 | {face}",
        "2.传真申请数 | 件 | 0",
        f"3.网络申请数 | 件 | {online}",
        f"4.信函申请数 | 件 | {letters}",
        f"（二）申请办结数 | 件 | {received}",
        f"1.按时办结数 | 件 | {on_time}",
        f"2.延期办结数 | 件 | {received - on_time}",
        f"四、行政复议数量 | 件 | {reviews}",
        f"五、行政诉讼数量 | 件 | {suits}",
        "六、依申请公开信息收取的费用 | 万元 | 0",
        "{/table}",
        "{right}" + g.office,
        "{right}" + cn_date(published),
    ]
    return "\n".join(lines) + "\n"


# --- the report bodies of the new replicas -------------------------------------------


@dataclass(frozen=True)
class Body:
    name: str  # data file name (without .txt)
    gov: str  # key of GOVS
    year: int
    published: date
    big: bool = False
    title: str | None = None  # written as the first line (DOCX: the document title)


BODIES: tuple[Body, ...] = (
    Body("zhejiang-2022", "zhejiang", 2022, date(2023, 1, 18), big=True),
    Body("zhejiang-office-2022", "zhejiang-office", 2022, date(2023, 1, 16)),
    Body("zhejiang-2021", "zhejiang", 2021, date(2022, 1, 21), big=True),
    Body("zhejiang-2020", "zhejiang", 2020, date(2021, 1, 27), big=True),
    Body("zhejiang-2019", "zhejiang", 2019, date(2020, 1, 20), big=True),
    Body("zhejiang-2018", "zhejiang", 2018, date(2019, 3, 20)),
    Body("yichun-2023", "yichun", 2023, date(2024, 1, 26)),
    Body("yichun-2022", "yichun", 2022, date(2023, 1, 20)),
    Body("yichun-2021", "yichun", 2021, date(2022, 1, 25)),
    Body("yichun-2020", "yichun", 2020, date(2021, 1, 22)),
    Body("wanzai-2022", "wanzai", 2022, date(2023, 1, 17)),
    Body("wanzai-2021", "wanzai", 2021, date(2022, 1, 20)),
    Body("wanzai-2020", "wanzai", 2020, date(2021, 1, 26)),
    Body("wanzai-2018", "wanzai", 2018, date(2019, 3, 15)),
    Body(
        "huaian-2023",
        "huaian",
        2023,
        date(2024, 2, 27),
        title="淮安市人民政府2023年政府信息公开工作年度报告",
    ),
    Body("huaian-2022", "huaian", 2022, date(2023, 1, 30)),
    Body("handan-2023", "handan", 2023, date(2024, 1, 29)),
    Body("handan-2022", "handan", 2022, date(2023, 1, 30)),
    Body("handan-edu-2022", "handan-edu", 2022, date(2023, 1, 19)),
    Body("handan-2018", "handan", 2018, date(2019, 3, 28)),
    Body("jilinshi-2023", "jilinshi", 2023, date(2024, 1, 30)),
    Body("jilinshi-2022", "jilinshi", 2022, date(2023, 1, 31)),
    Body("jilinshi-2021", "jilinshi", 2021, date(2022, 1, 28)),
    Body("jilinshi-2020", "jilinshi", 2020, date(2021, 1, 29)),
    Body("jilinshi-2019", "jilinshi", 2019, date(2020, 1, 21)),
)


def body_text(b: Body) -> str:
    g = GOVS[b.gov]
    if b.year >= 2019:
        return report_2019(g, b.year, b.published, b.name, big=b.big, title=b.title)
    return report_2008(g, b.year, b.published, b.name, title=b.title)


# --- DOCX, XLSX, XLS -------------------------------------------------------------------


def _grid(table: Table) -> tuple[int, list[list[tuple[int, int, int, int] | None]]]:
    """Lay the spans out: per row, per column, (row, col) of the cell covering it."""
    occupied: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    width = 0
    for r, row in enumerate(table.rows):
        c = 0
        for i, cell in enumerate(row):
            while (r, c) in occupied:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    occupied[(r + dr, c + dc)] = (r, i, c, cell.colspan)
            c += cell.colspan
            width = max(width, c)
    rows = [[occupied.get((r, c)) for c in range(width)] for r in range(len(table.rows))]
    return width, rows


def _w_run(text: str, bold: bool = False) -> str:
    props = '<w:rPr><w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312"/>'
    props += "<w:b/>" if bold else ""
    props += '<w:sz w:val="32"/></w:rPr>'
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _w_paragraph(par: Paragraph) -> str:
    if par.style == "center":
        props = '<w:pPr><w:jc w:val="center"/></w:pPr>'
        return f"<w:p>{props}{_w_run(par.text, bold=True)}</w:p>"
    if par.style == "right":
        return f'<w:p><w:pPr><w:jc w:val="right"/></w:pPr>{_w_run(par.text)}</w:p>'
    props = '<w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/></w:pPr>'
    return f"<w:p>{props}{_w_run(par.text, bold=par.style == 'b')}</w:p>"


def _w_table(table: Table) -> str:
    width, grid = _grid(table)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    out = [
        f'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{borders}'
        "</w:tblBorders></w:tblPr><w:tblGrid>"
        + "".join('<w:gridCol w:w="600"/>' for _ in range(width))
        + "</w:tblGrid>"
    ]
    for r, row in enumerate(grid):
        cells: list[str] = []
        c = 0
        while c < width:
            owner = row[c]
            if owner is None:
                cells.append("<w:tc><w:p/></w:tc>")
                c += 1
                continue
            orow, index, ocol, span = owner
            cell = table.rows[orow][index]
            props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>' if orow == r else "<w:vMerge/>"
            text = _w_run(cell.text).replace('w:val="32"', 'w:val="21"') if orow == r else ""
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{text}</w:p></w:tc>")
            c = ocol + span
        out.append("<w:tr>" + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx_bytes(doc: Document, title: str, author: str, created: str) -> bytes:
    body = "".join(_w_paragraph(b) if isinstance(b, Paragraph) else _w_table(b) for b in doc.blocks)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" '
        'w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>'
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/extended-properties" Target="docProps/app.xml"/></Relationships>'
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms='
        '"http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(author)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties"><Application>WPS Office_11.1.0.11365_F1E327BC-269C-435d-A152-05C5408002CA'
        "</Application></Properties>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", rels),
            ("docProps/core.xml", core),
            ("docProps/app.xml", app),
            ("word/document.xml", document),
        ):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def _application_grid(doc: Document) -> Table:
    for block in doc.blocks:
        if isinstance(block, Table) and "申请人情况" in block.rows[0][-1].text:
            return block
    raise ValueError(f"{doc.name}: no application table")


def xlsx_bytes(doc: Document, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    table = _application_grid(doc)
    width, grid = _grid(table)
    wb = Workbook()
    ws = wb.active
    ws.title = "附表"
    ws.cell(row=1, column=1, value=title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while grid[r][c] is not None and grid[r][c][0] != r:  # type: ignore[index]
                c += 1
            value: str | int = int(cell.text) if cell.text.isdigit() else cell.text
            ws.cell(row=r + 2, column=c + 1, value=value)
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(
                    start_row=r + 2,
                    start_column=c + 1,
                    end_row=r + 1 + cell.rowspan,
                    end_column=c + cell.colspan,
                )
            c += cell.colspan
    wb.properties.creator = "淮安市人民政府办公室"
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return _zip_fixed_dates(buf.getvalue())


def _zip_fixed_dates(data: bytes) -> bytes:
    """Rewrite a zip with fixed member dates (openpyxl stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(item)
            if item.filename == "docProps/core.xml":
                import re

                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2023-01-29T08:30:00Z",
                    content,
                )
            dst.writestr(info, content)
    return out.getvalue()


def xls_bytes(doc: Document, title: str) -> bytes:
    import xlwt

    table = _application_grid(doc)
    width, grid = _grid(table)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("统计表")
    ws.write_merge(0, 0, 0, width - 1, title)
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while grid[r][c] is not None and grid[r][c][0] != r:  # type: ignore[index]
                c += 1
            value: str | int = int(cell.text) if cell.text.isdigit() else cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.write_merge(r + 1, r + cell.rowspan, c, c + cell.colspan - 1, value)
            else:
                ws.write(r + 1, c, value)
            c += cell.colspan
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the scanned PDF ---------------------------------------------------------------------

FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def scanned_pdf(doc: Document, title: str) -> bytes:
    """Pages of text as a scanner delivers them: grey JPEG images, no text layer."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    dpi, w, h = 100, 827, 1169  # A4 at 100 dpi
    font = ImageFont.truetype(FONT, 17, index=1)
    head = ImageFont.truetype(FONT, 24, index=1)
    lines: list[tuple[str, ImageFont.FreeTypeFont, int]] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            if block.style == "center":
                lines.append((block.text, head, 1))
            elif block.style == "right":
                lines.append((block.text, font, 2))
            else:
                first, *rest = _wrap("\u3000\u3000" + block.text, 36)
                lines += [(first, font, 0)] + [(t, font, 0) for t in rest]
        else:  # tables: one line a row, as a scan of a printed table reads
            for row in block.grid():
                lines += [(t, font, 0) for t in _wrap("  ".join(row), 40)]
    pages: list[Image.Image] = []
    rng = random.Random(title)
    per_page = 38
    for start in range(0, min(len(lines), per_page * 3), per_page):
        img = Image.new("L", (w, h), 236)
        draw = ImageDraw.Draw(img)
        y = 90
        for text, f, align in lines[start : start + per_page]:
            tw = draw.textlength(text, font=f)
            x = 90 if align == 0 else ((w - tw) / 2 if align == 1 else w - 90 - tw)
            draw.text((x, y), text, fill=rng.randint(20, 45), font=f)
            y += 28
        draw.text((w / 2 - 20, h - 60), f"- {len(pages) + 1} -", fill=40, font=font)
        img = img.rotate(rng.uniform(-0.6, 0.6), fillcolor=236, resample=Image.Resampling.BICUBIC)
        img = img.filter(ImageFilter.GaussianBlur(0.6))
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=55)
        pages.append(Image.open(io.BytesIO(jpeg.getvalue())))
    out = io.BytesIO()
    pages[0].save(
        out,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=dpi,
        title=title,
        author="洪泽区人民政府办公室",
        creator="Canon iR-ADV C5535 PDF",
        producer="Canon iR-ADV C5535 PDF",
        creationDate=time.strptime("2023-01-30 01:12:41", "%Y-%m-%d %H:%M:%S"),
        modDate=time.strptime("2023-01-30 01:12:41", "%Y-%m-%d %H:%M:%S"),
    )
    return out.getvalue()


# --- main ---------------------------------------------------------------------------------

COPIES = {
    "01_huaian_szf_2024_annual_report.pdf": "huaian-szfgs2024.pdf",
    "02_hongze_2023_annual_report.pdf": "hongze-2023nb.pdf",
    "03_hongze_2024_annual_report.pdf": "hongze-2024nb.pdf",
    "25_nanchang_customs_2023_notice.doc": "nanchang-customs-2023-notice.doc",
}


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    print(f"wrote {path.relative_to(DATA.parent)} ({path.stat().st_size} bytes)")


def main(argv: Sequence[str] = ()) -> int:
    realpages = Path(argv[0] if argv else "/work/shared/realpages")
    texts: dict[str, str] = {}
    for b in BODIES:
        texts[b.name] = body_text(b)
        _write(DATA / f"{b.name}.txt", texts[b.name])
    for source, target in COPIES.items():
        FILES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(realpages / source, FILES / target)
        print(f"copied {source} -> data/files/{target}")
    huaian_2023 = parse(texts["huaian-2023"], "huaian-2023")
    huaian_2022 = parse(texts["huaian-2022"], "huaian-2022")
    builders: list[tuple[str, Callable[[], bytes]]] = [
        (
            "huaian-szfgs2023.docx",
            lambda: docx_bytes(
                huaian_2023,
                "淮安市人民政府2023年政府信息公开工作年度报告",
                "淮安市人民政府办公室",
                "2024-02-26T09:30:00Z",
            ),
        ),
        (
            "huaian-szfgs2023-fb.xlsx",
            lambda: xlsx_bytes(huaian_2023, "淮安市人民政府2023年政府信息公开工作年度报告附表"),
        ),
        (
            "huaian-szfgs2022-tjb.xls",
            lambda: xls_bytes(huaian_2022, "淮安市人民政府2022年政府信息公开工作年度报告统计表"),
        ),
    ]
    scanned = report_2019(
        replace(
            GOVS["huaian"],
            place="洪泽区",
            gov="洪泽区人民政府",
            office="洪泽区人民政府办公室",
            we="我区",
            scope="全区",
            short="区政府",
            superiors="省委省政府、淮安市委市政府",
            portal="洪泽区人民政府门户网站",
            address="淮安市洪泽区洪泽湖大道90号",
            postcode="223100",
            phone="0517-87222589",
            units="各镇（街道）和区各部门",
        ),
        2022,
        date(2023, 1, 30),
        "hongze-2022",
        title="洪泽区人民政府2022年政府信息公开工作年度报告",
    )
    builders.append(
        (
            "hongze-2022nb-scan.pdf",
            lambda: scanned_pdf(
                parse(scanned, "hongze-2022"), "洪泽区人民政府2022年政府信息公开工作年度报告"
            ),
        )
    )
    for name, build in builders:
        _write(FILES / name, build())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
