"""A govcrawl process's start-up and Python's cyclic garbage collector.

Before its first request a crawl's process builds about 170,000 objects it keeps to the
end: the modules of Scrapy, Twisted and SQLAlchemy, each crawler's settings, middlewares
and pipelines. With the collector's defaults the imports alone run collections that find
nothing to free (60-80 ms), and every later collection of the oldest generation walks
all of them again while the crawl runs. The ``govcrawl`` command (``python -m govcrawl``
too: ``govcrawl.__main__.run``) therefore starts with the collector off (``hold``); once
the process has built what it keeps (``settle``: for ``crawl`` and ``recrawl`` when the
crawlers are made and the reactor is about to run, for every other command once its
arguments are read) that heap is frozen (``gc.freeze``: never walked again, never freed)
and the collector is on again for all the run allocates afterwards. On the benchmark
world's nightly re-crawl this is about a tenth of its CPU (benchmarks/README.md, "Fifth
session").

govcrawl used as a library (the tests, a caller's own process) is left as it is:
``settle`` does something only after ``hold``.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """No collections while the process starts (``govcrawl.__main__.run``, first thing)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def settle() -> None:
    """The process has built what it keeps: freeze it, and collect again from now on
    (nothing unless ``hold`` turned the collector off)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
