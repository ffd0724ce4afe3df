import sys

from govcrawl import startup

startup.hold()  # no garbage collections while the modules load (govcrawl/startup.py)

from govcrawl.cli import main  # noqa: E402

sys.exit(main())
