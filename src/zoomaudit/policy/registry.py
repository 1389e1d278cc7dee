"""Every code-backed check a policy may name, by name (``check:`` in a policy file)."""

from __future__ import annotations

from zoomaudit.policy.checks import CHECKS as _CORE
from zoomaudit.policy.checks import CheckSpec
from zoomaudit.policy.checks_session import CHECKS as _SESSION

CHECKS: dict[str, CheckSpec] = {**_CORE, **_SESSION}
