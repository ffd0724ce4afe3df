from __future__ import annotations

import pytest

from govcrawl.urls import BadURL, normalise_url, url_hash

BASE = "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/index.html"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://WWW.Zhalantun.GOV.cn:80/zwgk/", "http://www.zhalantun.gov.cn/zwgk/"),
        ("https://www.gzqz.gov.cn:443/a.html", "https://www.gzqz.gov.cn/a.html"),
        ("http://www.gzqz.gov.cn:8080/a.html", "http://www.gzqz.gov.cn:8080/a.html"),
        ("http://x.gov.cn/zwgk/index.html", "http://x.gov.cn/zwgk/"),
        ("http://x.gov.cn/zwgk/index.shtml", "http://x.gov.cn/zwgk/"),
        ("http://x.gov.cn/a.html#content", "http://x.gov.cn/a.html"),
        (
            "http://x.gov.cn/a.html?utm_source=wechat&id=2&from=timeline",
            "http://x.gov.cn/a.html?id=2",
        ),
        ("http://x.gov.cn/a.jsp?b=2&a=1", "http://x.gov.cn/a.jsp?a=1&b=2"),
        ("http://x.gov.cn/a/../b/./c.html", "http://x.gov.cn/b/c.html"),
        ("http://x.gov.cn", "http://x.gov.cn/"),
        ("http://x.gov.cn/%e5%b9%b4%e6%8a%a5.html", "http://x.gov.cn/%E5%B9%B4%E6%8A%A5.html"),
        ("http://x.gov.cn/年报.html", "http://x.gov.cn/%E5%B9%B4%E6%8A%A5.html"),
        ("http://x.gov.cn/index_1.html", "http://x.gov.cn/index_1.html"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


def test_relative_links_resolve_against_the_page() -> None:
    assert (
        normalise_url("./202201/t20220127_3381234.html", BASE)
        == "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220127_3381234.html"
    )
    assert normalise_url("../../index.html", BASE) == "http://www.zhalantun.gov.cn/"


def test_url_variants_share_one_hash() -> None:
    a = "http://www.zhalantun.gov.cn/zwgk/zfxxgknb/202201/t20220127_1.html"
    b = "HTTP://www.ZHALANTUN.gov.cn:80/zwgk/zfxxgknb/202201/t20220127_1.html?utm_source=wechat#content"
    assert url_hash(a) == url_hash(b)
    assert len(url_hash(a)) == 64
    assert url_hash(a) != url_hash(a.replace("_1.html", "_2.html"))


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:void(0)",
        "mailto:a@b.cn",
        "ftp://x.gov.cn/a",
        "http:///nohost",
        "http://x.gov.cn:99999/",
    ],
)
def test_bad_urls_are_refused(bad: str) -> None:
    with pytest.raises(BadURL):
        normalise_url(bad)
