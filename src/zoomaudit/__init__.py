"""zoomaudit: audits Zoom meeting configurations against safeguarding policies."""

import sys

__version__ = "0.1.0"

# httpx imports its own command-line client (click, pygments, rich.syntax: ~50 ms, a tenth of
# `zoomaudit --help`) whenever those happen to be installed, as typer and rich install them.
# zoomaudit never runs httpx's CLI in-process; marking the module absent makes httpx skip it.
# The `httpx` console script runs in its own process and is unaffected.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
