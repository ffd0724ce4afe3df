"""The crawler never phones out: cookie domain checks use the bundled suffix list."""

from __future__ import annotations

import socket

import pytest

from govcrawl.fetch import cookies as govcrawl_cookies
from scrapy.downloadermiddlewares import cookies as scrapy_cookies


def test_public_suffix_check_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert govcrawl_cookies.HermeticCookiesMiddleware  # importing it installs the offline extractor
    assert scrapy_cookies._split_domain.suffix_list_urls == ()
    assert scrapy_cookies._is_public_domain("gov.cn")
    assert scrapy_cookies._is_public_domain("com.cn")
    assert not scrapy_cookies._is_public_domain("www.zhalantun.gov.cn")


def test_settings_swap_in_the_hermetic_cookie_middleware() -> None:
    from govcrawl.config import Config

    mws = Config().scrapy_settings()["DOWNLOADER_MIDDLEWARES"]
    assert mws["scrapy.downloadermiddlewares.cookies.CookiesMiddleware"] is None
    assert "govcrawl.fetch.cookies.HermeticCookiesMiddleware" in mws
