"""Small generated texts of the replica pages: dates in Chinese, short non-report bodies."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def short_text(kind: str, org: str, title: str, published: date, seed: str) -> str:
    """A short non-report body (a notice, 工作要点 or news item), as markup."""
    rng = random.Random(seed)
    if kind == "notice":
        return "\n".join(
            [
                f"{pick(rng, ('各县（市、区）人民政府，市政府各部门：', '各有关单位：'))}",
                f"为做好相关工作，根据有关规定，现就{title.removeprefix('关于').removesuffix('的通知')}"
                "有关事项通知如下：",
                "一、高度重视，加强组织领导。各单位要明确分管负责同志和具体承办人员，确保按时保质完成。",
                f"二、严格时限，规范报送材料。请于{published.year}年{rng.randint(1, 12)}月底前"
                "将有关材料报送。",
                "三、加强审核，确保信息准确。报送内容须经本单位主要负责同志审核把关。",
                "{right}" + org,
                "{right}" + cn_date(published),
            ]
        )
    if kind == "points":
        return "\n".join(
            [
                f"{published.year}年政务公开工作的总体要求是：坚持以习近平新时代中国特色社会主义思想为指导，"
                "以公开促落实、以公开优服务，持续提升政务公开质量和实效。",
                "{b}一、围绕重大决策部署加强政策发布解读",
                "及时公开稳经济、促发展、惠民生的政策措施，做好政策文件与解读材料同步起草、同步审签、同步发布。",
                "{b}二、深化重点领域信息公开",
                "做好财政预决算、重大建设项目、公共资源配置、社会公益事业等领域信息公开。",
                "{b}三、加强政务公开平台建设和监督保障",
                "加强政府网站和政务新媒体管理，将政务公开工作纳入绩效考核。",
                "{right}" + org,
            ]
        )
    return "\n".join(
        [
            f"{cn_date(published)}，{org}"
            f"{pick(rng, ('召开专题会议', '印发通知', '组织开展专项行动'))}，"
            f"部署{title}相关工作。",
            pick(
                rng,
                (
                    "会议强调，要坚持问题导向，压紧压实责任，确保各项措施落地见效。",
                    "通知要求，各地各部门要加强统筹协调，细化工作举措，抓好贯彻落实。",
                    "活动期间，相关部门将加强督促检查，及时总结推广经验做法。",
                ),
            ),
            pick(
                rng,
                (
                    "下一步，将持续跟踪工作进展，定期通报落实情况。",
                    "据了解，相关工作将于年内全部完成。",
                ),
            ),
        ]
    )
