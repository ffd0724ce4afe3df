"""The one extractor: a fetched page in, clean report text and metadata out.

``extract_page`` is pure CPU work (no I/O) and picklable in and out, so the
crawl runs it in a worker process pool.
"""

from __future__ import annotations

from govcrawl.extract.model import EXTRACTOR_VERSION, Extraction, PageInput
from govcrawl.extract.page import extract_page

__all__ = ["EXTRACTOR_VERSION", "Extraction", "PageInput", "extract_page"]
