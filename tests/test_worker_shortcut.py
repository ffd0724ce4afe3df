"""The crawl's extraction workers skip the text of a page whose title says it is no
report (``process_page``); ``extract_page`` called directly extracts every page in full.
Real page bodies of a demo portal, nothing crawled."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from govcrawl.demo.render import render_site
from govcrawl.demo.sites import ALL_SITES, site
from govcrawl.extract import PageInput, extract_page
from govcrawl.extract.model import TEXT_NOT_EXTRACTED
from govcrawl.extract.page import content_hash
from govcrawl.items import FetchedPage
from govcrawl.pipelines import page_input
from govcrawl.worker import process_page

BASES = {s.key: f"http://127.0.0.{2 + n}/" for n, s in enumerate(ALL_SITES)}
NOTICE = "/zwgk/zfxxgknb/202212/t20221202_3489011.html"  # 关于做好…年度报告编制工作的通知
REPORT = "/zwgk/zfxxgknb/202301/t20230119_3512876.html"  # 扎兰屯市2022年…工作年度报告


@pytest.fixture(scope="module")
def zhalantun() -> dict[str, PageInput]:
    s = site("zhalantun")
    routes, _ = render_site(s, BASES)
    jobs = {}
    for path in (NOTICE, REPORT):
        art = next(a for a in s.articles if a.path == path)
        jobs[path] = PageInput(
            url=BASES[s.key].rstrip("/") + path,
            body=routes[path].body,
            content_type=routes[path].content_type,
            container=s.container,
            listing_title=art.title,
            listing_date=art.published.date(),
            status=200,
        )
    return jobs


def test_notice_title_skips_the_text(zhalantun: dict[str, PageInput]) -> None:
    job = zhalantun[NOTICE]
    full = extract_page(job)
    assert full.text and full.reason is None and not full.is_annual_report
    assert full.title == "关于做好2022年政府信息公开年度报告编制工作的通知"

    skipped, stats = process_page(job)
    assert stats is None
    assert skipped.reason == TEXT_NOT_EXTRACTED
    assert skipped.text == "" and skipped.tables == [] and skipped.flags == []
    assert skipped.content_hash == content_hash("")
    assert skipped.reject is None and skipped.is_annual_report is False
    for name in ("url", "title", "published_at", "agency", "encoding", "kind", "meta"):
        assert getattr(skipped, name) == getattr(full, name), name
    assert skipped.agency and skipped.published_at

    # Asked for the full extraction, the worker gives what extract_page gives.
    assert process_page(job, skip_non_report_text=False) == (full, None)


def test_report_is_extracted_in_full(zhalantun: dict[str, PageInput]) -> None:
    job = zhalantun[REPORT]
    extraction, stats = process_page(job)
    assert extraction == extract_page(job)
    assert extraction.is_annual_report and extraction.reason is None
    assert extraction.text and extraction.tables
    assert stats is not None and stats.cells


def test_notice_with_attachments_is_extracted_in_full(zhalantun: dict[str, PageInput]) -> None:
    # The archive tells a page that only wraps its attachments by the page's text.
    job = replace(zhalantun[NOTICE], has_attachments=True)
    extraction, stats = process_page(job)
    assert extraction.reason is None
    assert extraction == extract_page(job) == extract_page(zhalantun[NOTICE])
    assert extraction.text and stats is None


def test_error_pages_are_not_skipped(zhalantun: dict[str, PageInput]) -> None:
    # An error status, or a page that says it is missing, is still a soft 404.
    job = replace(zhalantun[NOTICE], status=404)
    assert process_page(job)[0].reject == "soft404"
    editor = b'<div class="TRS_Editor">'
    missing = zhalantun[NOTICE].body.replace(editor, editor + "<p>该信息已删除</p>".encode())
    assert missing != zhalantun[NOTICE].body
    job = replace(zhalantun[NOTICE], body=missing)
    extraction = process_page(job)[0]
    assert extraction.reject == "soft404" and extraction.reason is None
    assert extraction == extract_page(job)


def test_page_input_says_whether_the_page_links_attachments() -> None:
    page = FetchedPage(
        region_slug="zhalantun", url="http://127.0.0.2/a.html", final_url="http://127.0.0.2/a.html",
        status=200, body=b"<html></html>", fetched_at=datetime.now(UTC),
    )  # fmt: skip
    assert page_input(page, None).has_attachments is False
    page.attachments = ["http://127.0.0.2/a.pdf"]
    assert page_input(page, None).has_attachments is True
