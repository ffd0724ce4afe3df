"""The one extractor: a fetched page in, clean report text and metadata out.

``extract_page`` is pure CPU work (no I/O) and picklable in and out, so the
crawl runs it in a worker process pool. It is imported on first use: the
crawler and the archive writer import the model (``govcrawl.extract.model``)
without trafilatura and the page readers, which only extraction workers run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from govcrawl.extract.model import EXTRACTOR_VERSION, Extraction, PageInput

if TYPE_CHECKING:
    from govcrawl.extract.page import extract_page

__all__ = ["EXTRACTOR_VERSION", "Extraction", "PageInput", "extract_page"]


def __getattr__(name: str) -> Any:
    if name == "extract_page":
        from govcrawl.extract.page import extract_page

        return extract_page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
