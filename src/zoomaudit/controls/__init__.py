"""Controls: each safeguarding setting and where Zoom keeps it at each tier.

``model`` says what a control is and how its paths are read and written; ``catalogue`` lists
the controls themselves. Everything is imported from here.
"""

from zoomaudit.controls.catalogue import CATALOGUE, get_control
from zoomaudit.controls.model import (
    LOCK_TIERS,
    MISSING,
    NO_DEFAULT,
    TIERS,
    Control,
    Derive,
    FixRequest,
    FixTier,
    Unknown,
    fix_request,
    flatten,
    label_for,
    lookup,
    nest,
)

__all__ = [
    "CATALOGUE",
    "LOCK_TIERS",
    "MISSING",
    "NO_DEFAULT",
    "TIERS",
    "Control",
    "Derive",
    "FixRequest",
    "FixTier",
    "Unknown",
    "fix_request",
    "flatten",
    "get_control",
    "label_for",
    "lookup",
    "nest",
]
