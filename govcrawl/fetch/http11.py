"""Scrapy's HTTP/1.1 download handler, imported without its import-time stack walk.

Importing it imports ``scrapy.core.downloader.tls`` and ``.contextfactory``, which
define three deprecated aliases with ``scrapy.utils.deprecate.create_deprecated_class``.
That function calls ``inspect.stack()`` to learn which module defines the alias, and
``inspect.stack()`` reads the source lines of every frame on the stack: about 90 ms of
every crawl's start-up (``import govcrawl.cli, govcrawl.runner`` timed with and without
it: 0.66 and 0.57 s; a thirtieth of a nightly re-crawl's CPU), for a name Scrapy only
puts in warnings. Here those imports see an
``inspect.stack`` that gives the same frames without their source lines (Scrapy uses
only the caller's frame); the real one is back as soon as they are done.
"""

from __future__ import annotations

import inspect
import sys


def _frames(context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.stack(context)`` without reading source files: the caller's frames,
    innermost first, with no ``code_context``."""
    frame = sys._getframe(1)
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name,
                                        None, None))
        frame = frame.f_back  # type: ignore[assignment]
    return frames


_stack = inspect.stack
inspect.stack = _frames
try:
    from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
finally:
    inspect.stack = _stack

__all__ = ["HTTP11DownloadHandler"]
