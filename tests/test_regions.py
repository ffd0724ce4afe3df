from __future__ import annotations

from pathlib import Path

import pytest

from govcrawl.regions import RegionsError, builtin_registry, load_registry, load_regions_file

GOOD = """
[[region]]
slug = "newtown"
code = "150784"
name = "新城市"
level = "county"
parent = "150700"
portal = "http://www.newtown.gov.cn/"
cms = "trs"
report_columns = ["http://www.newtown.gov.cn/zwgk/zfxxgknb/index.html"]
"""


def test_builtin_registry_has_the_sample_jurisdictions() -> None:
    registry = builtin_registry()
    zhalantun = registry.get("zhalantun")
    assert (zhalantun.code, zhalantun.name, zhalantun.level, zhalantun.parent, zhalantun.cms) == (
        "150783",
        "扎兰屯市",
        "county",
        "150700",
        "trs",
    )
    assert registry.get("150783") is zhalantun
    assert [r.name for r in registry.children("150783")] == ["成吉思汗镇"]
    assert registry.get("520181").name == "清镇市"
    assert registry.get("150203").name == "昆都仑区"
    wulajie = registry.get("wulajie")
    assert (wulajie.name, wulajie.parent, wulajie.level) == ("乌拉街满族镇", "220203", "township")
    assert [r.name for r in registry.ancestors("150783103")] == [
        "扎兰屯市",
        "呼伦贝尔市",
        "内蒙古自治区",
    ]
    assert {r.slug for r in registry.crawlable()} == {
        "zhalantun", "kundulun", "qingzhen", "longtan",  # TRS and generic
        "zhejiang",  # Hanweb
        "yichun",  # script-rendered column
        "wanzai",  # GBK, tables
        "huaian", "hongze",  # attachments
        "handan",  # anti-bot walls
        "jilinshi",  # no column: sitemap and landing page
    }  # fmt: skip
    assert registry.get("yichun").render == "browser"
    assert registry.get("handan").walls == "browser"
    assert registry.get("zhejiang").cms == "hanweb"


def test_child_named_in_a_title_owns_the_document() -> None:
    registry = builtin_registry()
    zhalantun, longtan = registry.get("zhalantun"), registry.get("longtan")
    assert (
        registry.jurisdiction_for(
            zhalantun, "扎兰屯市成吉思汗镇2021年政府信息公开工作年度报告"
        ).code
        == "150783103"
    )
    assert (
        registry.jurisdiction_for(zhalantun, "扎兰屯市2021年政府信息公开工作年度报告").code
        == "150783"
    )
    assert registry.jurisdiction_for(longtan, "乌拉街2012年政务公开工作报告").code == "220203102"


def test_regions_file_adds_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "regions.toml"
    path.write_text(GOOD, encoding="utf-8")
    registry = load_registry(path)
    assert registry.get("newtown").report_columns == (
        "http://www.newtown.gov.cn/zwgk/zfxxgknb/index.html",
    )
    assert registry.get("zhalantun").name == "扎兰屯市"  # shipped rows stay


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('level = "county"', 'level = "city"'), "region #1 (newtown): field 'level'"),
        (('code = "150784"', 'code = "15078"'), "region #1 (newtown): field 'code'"),
        (('cms = "trs"', 'cms = "wordpress"'), "region #1 (newtown): field 'cms'"),
        (('name = "新城市"\n', ""), "region #1 (newtown): missing field 'name'"),
        (('report_columns = ["http', 'report_columns = ["ftp'), "field 'report_columns'"),
        (("report_columns = [", "report_columns = 3 #["), "field 'report_columns'"),
        (('cms = "trs"', 'cms = "trs"\ncolour = "red"'), "unknown field 'colour'"),
        (("[[region]]", "[[region]"), "not valid TOML"),
    ],
)
def test_malformed_file_names_file_region_and_field(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(*edit), encoding="utf-8")
    with pytest.raises(RegionsError) as info:
        load_regions_file(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_duplicate_slug_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text(GOOD + GOOD, encoding="utf-8")
    with pytest.raises(RegionsError, match="region #2 \\(newtown\\): field 'slug'.*not unique"):
        load_regions_file(path)
    with pytest.raises(RegionsError, match="cannot read regions file"):
        load_regions_file(tmp_path / "missing.toml")
