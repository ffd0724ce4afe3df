from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from govcrawl.extract.chrome import is_chrome_line, strip_chrome

SAMPLES = Path(__file__).parent / "fixtures" / "extract" / "samples"

# Every chrome line the five sample texts hold (see shared/samples/README.md), and nothing else.
SAMPLE_CHROME = {
    "gzqz-2013-report.txt": ["您当前所在的位置: 首页\xa0>\xa0清镇市2013年政府信息公开年度报告"],
    "kundulun-2013-report.txt": [
        "登录",
        "智慧昆都仑",
        "智慧昆都仑",
        "请用手机",
        "扫码访问",
        "无障碍浏览 适老版",
        "发布日期:2014-01-30 10:55  发布单位:昆区政府管理员  来源:昆区政府网   点击量:19578"
        "   [字体: ]  打印保存 ",
        "智能问答",
    ],
    "zhalantun-chengjisihan-2021-report.txt": [
        "站点地图 | 联系我们",
        "主办:扎兰屯市人民政府办公室 承办单位:扎兰屯市政务服务与数据管理局 网站标识码:1507830002",
        "网站备案号:蒙ICP备2022001701号-1 蒙公网安备 15078302000121号 监督热线:0470-3306171",
        "Copyright ? 2024 www.zhalantun.gov.cn All Rights Reserved",
    ],
    "wulajie-2012-report.txt": [],
    "not-a-report-content-farm.txt": [],
}


def removed_lines(text: str) -> list[str]:
    kept = Counter(strip_chrome(text).split("\n"))
    removed = []
    for line in text.split("\n"):
        if kept[line] > 0:
            kept[line] -= 1
        elif line.strip():
            removed.append(line)
    return removed


@pytest.mark.parametrize("name", sorted(SAMPLE_CHROME))
def test_samples_lose_exactly_their_chrome(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    assert removed_lines(text) == SAMPLE_CHROME[name]


@pytest.mark.parametrize(
    "line",
    [
        "登录",
        "登录 | 注册",
        "无障碍浏览 适老版",
        "您当前所在的位置：首页 > 政务公开 > 政府信息公开年报",
        "当前位置：首页>信息公开>年度报告",
        "首页 > 政务公开 > 政府信息公开年报",
        "发布日期：2014-01-30 10:55  发布单位：昆区政府管理员  来源：昆区政府网  点击量：19578",
        "[字体：大 中 小] 打印 关闭窗口",
        "字体：【大】【中】【小】",
        "【打印】 【关闭】",
        "【收藏】【打印】【关闭】",
        "分享到：",
        "浏览次数：562",
        "上一篇：扎兰屯市成吉思汗镇2020年政府信息公开工作年度报告",
        "下一篇：没有了",
        "站点地图 | 联系我们 | 网站纠错",
        "主办单位：XX市人民政府办公室",
        "主办：扎兰屯市人民政府办公室 承办单位：扎兰屯市政务服务与数据管理局 "
        "网站标识码：1507830002",
        "网站标识码：5201810001",
        "黔ICP备05001234号  贵公网安备 52018102000123号",
        "版权所有：清镇市人民政府 技术支持：贵州某某科技有限公司",
        "Copyright © 2024 www.zhalantun.gov.cn All Rights Reserved",
        "扫一扫在手机打开当前页",
        "智能问答",
        "索引号：000014348/2020-35147",
        "首页 上一页 1 2 3 下一页 尾页",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line",
    [
        # report prose that uses chrome words
        "本报告电子版可在扎兰屯市人民政府门户网站（www.zhalantun.gov.cn）查阅。",
        "如有疑问，请与成吉思汗镇人民政府联系（联系电话：0470-3616204）。",
        "利用网站“信息公开、办事服务、交流互动”三大功能做好政府信息公开工作。",
        "五是网站功能进一步完善。",
        "(三)网站中政府信息公开专栏页面访问量",
        "5、联系电话",
        "3、联系地址",
        "1、受理机构名称",
        "资料来源：",
        "资金来源：市财政拨款，共计100万元。",
        "注册资本",
        "在政府网站互动交流专栏参加政府部门社会评议。",
        "全年共发布政府公开类信息8569条，同比增长54%。",
        "2022年1月27日",
        "扎兰屯市成吉思汗镇人民政府",
        "行政复议 | 0 | 0 | 0",
        "(二)收取信息处理费情况",
    ],
)
def test_report_lines_are_not_chrome(line: str) -> None:
    assert not is_chrome_line(line)


def test_short_brand_line_goes_only_inside_header_chrome() -> None:
    text = (
        "登录\n智慧昆都仑\n扫码访问\n昆都仑区人民政府2013年度政府信息公开年度报告\n一、概述\n正文。"
    )
    assert strip_chrome(text) == "昆都仑区人民政府2013年度政府信息公开年度报告\n一、概述\n正文。"
    # Without chrome around it a short line is content (a heading).
    plain = "智慧城市\n一、概述\n正文。"
    assert strip_chrome(plain) == plain


def test_signature_survives_footer_chrome() -> None:
    text = (
        "本年度无收取信息处理费情况。\n扎兰屯市成吉思汗镇人民政府\n2022年1月27日\n"
        "站点地图 | 联系我们"
    )
    assert (
        strip_chrome(text)
        == "本年度无收取信息处理费情况。\n扎兰屯市成吉思汗镇人民政府\n2022年1月27日"
    )
