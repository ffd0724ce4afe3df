"""``python -m govcrawl`` and the ``govcrawl`` command (``run``)."""

import sys

from govcrawl import startup


def run() -> None:
    startup.hold()  # no garbage collections while the modules load (govcrawl/startup.py)
    from govcrawl.cli import main

    sys.exit(main())


if __name__ == "__main__":
    run()
