"""``python -m govcrawl.demo``: serve the replica portals until interrupted."""

from __future__ import annotations

import contextlib
import sys
import threading

from govcrawl.demo.server import PortalServer
from govcrawl.demo.sites import ALL_SITES


def main() -> int:
    with PortalServer() as portals:
        for site in ALL_SITES:
            print(f"{site.key:12} {portals.base_url(site.key)}  ({site.name})")
        print()
        print(portals.regions_toml(["all"]))
        print("Serving; Ctrl-C to stop.", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
