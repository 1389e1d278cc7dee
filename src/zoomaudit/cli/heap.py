"""The garbage collector of a command that runs in a process of its own.

A rejudge or an audit makes hundreds of thousands of short-lived objects (findings, rows) on
top of a heap of long-lived ones (SQLAlchemy, pydantic schemas, the policies). With the default
thresholds, the collector's passes over that long-lived heap were ~10% of a rejudge's time, and
they find nothing: none of it is garbage until the process exits. So once a command has
imported what it needs, ``settle`` moves the heap as it stands out of the collector's sight
(``gc.freeze``) and makes young collections rarer; cycles made later are still collected.

Only in the console script's own process (``app.main`` calls ``own_process``), and only from a
command that is that process's whole work (``rejudge``, ``audit``; not the demo, which may go
on to serve): the tests and the service run commands in a process that lives on, where a frozen
heap would keep whatever garbage it held.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""Allocations between young collections (CPython's default is 700)."""

_own_process = False


def own_process() -> None:
    """Called by the console script: the command is this process's only work."""
    global _own_process  # one flag for the process, set once at entry
    _own_process = True


def settle() -> None:
    """Freeze the heap as it stands and make young collections rarer, in a process of its own."""
    if not _own_process:
        return
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
