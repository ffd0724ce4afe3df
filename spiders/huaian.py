"""淮安市 (320800): TRS portal whose report pages wrap PDF/DOCX attachments."""

from __future__ import annotations

from govcrawl.cms.trs import TRSSpider


class HuaianSpider(TRSSpider):
    name = "huaian"
