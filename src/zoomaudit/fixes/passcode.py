"""Meeting passcodes that zoomaudit generates for a passcode fix.

Zoom accepts at most 10 characters from ``[a-zA-Z0-9@-_*]`` on a meeting PATCH and rejects a
passcode that breaks the account's passcode requirement (reference.md §2.5, §6.3). Those rules,
and how runs of consecutive characters are counted, live in ``zoomaudit.passcodes`` (shared with
the auditor's check and the sandbox); ``meets`` and ``longest_run`` here are those rules.

zoomaudit always generates the longest passcode Zoom accepts, from the ``secrets`` module, and
retries until it meets the requirement and zoomaudit's own floor: both cases, a digit, a special
character (digits only when asked), and no run of 3 consecutive characters of any kind
(``abc``, ``321``, ``aaa``, ``qwe``).

A requirement is read duck-typed (``PasscodeRequirement.of``: attributes or mapping keys with
Zoom's field names), so the policy module's ``PasscodeRequirement`` and a raw
``meeting_password_requirement`` dict both work.
"""

from __future__ import annotations

import secrets
from typing import Any

from zoomaudit.passcodes import DIGITS, LOWER, MAX_LENGTH, SPECIAL, UPPER, PasscodeRequirement, acceptable
from zoomaudit.passcodes import longest_run as longest_run

__all__ = ["DIGITS", "LOWER", "MAX_LENGTH", "SPECIAL", "UPPER", "generate_passcode", "longest_run", "meets"]

_ATTEMPTS = 200
_FLOOR_RUN = 3
"""zoomaudit's own floor: no generated passcode has a run of 3 consecutive characters."""


def meets(password: str, requirement: Any) -> bool:
    """Whether ``password`` satisfies Zoom's charset and length and ``requirement``."""
    return acceptable(password, requirement)


def generate_passcode(requirement: Any = None) -> str:
    """A random 10-character passcode meeting ``requirement`` and zoomaudit's own floor.

    The floor (both cases, a digit and one of Zoom's special characters, no run of 3 sequential
    or repeated characters; digits only when the account allows nothing else) also satisfies
    the bundled passcode-strength policy. Raises ValueError when no passcode
    Zoom accepts can meet the requirement (a minimum length above 10).
    """
    rules = PasscodeRequirement.of(requirement)
    length = rules.length
    if length > MAX_LENGTH:
        raise ValueError(f"the account requires passcodes of {length} characters; Zoom accepts at most 10")
    numeric = rules.only_allow_numeric
    pools = [DIGITS] if numeric else [LOWER, UPPER, DIGITS, SPECIAL]
    alphabet = "".join(pools)
    for _ in range(_ATTEMPTS):
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(alphabet) for _ in range(MAX_LENGTH - len(chars))]
        # Shuffle with the secrets generator so the required classes are not always up front.
        for i in range(len(chars) - 1, 0, -1):
            j = secrets.randbelow(i + 1)
            chars[i], chars[j] = chars[j], chars[i]
        password = "".join(chars)
        if longest_run(password) < _FLOOR_RUN and acceptable(password, rules):
            return password
    raise ValueError("could not generate a passcode that meets the account's passcode requirement")
