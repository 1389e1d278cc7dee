"""Meeting passcodes that zoomaudit generates for a passcode fix.

Zoom accepts at most 10 characters from ``[a-zA-Z0-9@-_*]`` on a meeting PATCH and rejects a
passcode that breaks the account's passcode requirement (reference.md §2.5, §6.3). zoomaudit
always generates the longest passcode Zoom accepts, from the ``secrets`` module, and retries
until it meets the requirement: both cases, a digit, a special character, digits only when
asked, and no run of sequential characters (``abc``, ``321``) or repeats.

A requirement is read duck-typed (attributes or mapping keys with Zoom's field names), so the
policy module's ``PasscodeRequirement`` and a raw ``meeting_password_requirement`` dict both work.
"""

from __future__ import annotations

import itertools
import secrets
import string
from collections.abc import Mapping
from typing import Any

MAX_LENGTH = 10
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
SPECIAL = "@-_*"
"""The only special characters Zoom allows in a meeting passcode."""
_ATTEMPTS = 200


def _field(requirement: Any, name: str, default: Any) -> Any:
    if requirement is None:
        return default
    if isinstance(requirement, Mapping):
        value = requirement.get(name, default)
    else:
        value = getattr(requirement, name, default)
    return default if value is None else value


def longest_run(password: str) -> int:
    """The longest run of sequential (``abc``, ``cba``, ``123``) or repeated characters."""
    if not password:
        return 0
    best = run = 1
    step = 0
    for prev, cur in itertools.pairwise(password):
        diff = ord(cur) - ord(prev)
        if diff in (-1, 0, 1) and (run == 1 or diff == step):
            run += 1
        elif diff in (-1, 0, 1):
            run = 2
        else:
            run = 1
        step = diff
        best = max(best, run)
    return best


def meets(password: str, requirement: Any) -> bool:
    """Whether ``password`` satisfies Zoom's charset and length and ``requirement``."""
    if not 1 <= len(password) <= MAX_LENGTH:
        return False
    if any(ch not in LOWER + UPPER + DIGITS + SPECIAL for ch in password):
        return False
    if len(password) < int(_field(requirement, "length", 0) or 0):
        return False
    if _field(requirement, "only_allow_numeric", False):
        return password.isdigit()
    has_lower = any(ch in LOWER for ch in password)
    has_upper = any(ch in UPPER for ch in password)
    if _field(requirement, "have_letter", False) and not (has_lower or has_upper):
        return False
    if _field(requirement, "have_number", False) and not any(ch in DIGITS for ch in password):
        return False
    if _field(requirement, "have_special_character", False) and not any(ch in SPECIAL for ch in password):
        return False
    if _field(requirement, "have_upper_and_lower_characters", False) and not (has_lower and has_upper):
        return False
    consecutive = int(_field(requirement, "consecutive_characters_length", 0) or 0)
    return not (consecutive > 0 and longest_run(password) >= consecutive)


def generate_passcode(requirement: Any = None) -> str:
    """A random 10-character passcode meeting ``requirement`` and zoomaudit's own floor.

    The floor (both cases, a digit and one of Zoom's special characters, no run of 3 sequential
    or repeated characters; digits only when the account allows nothing else) also satisfies
    the bundled passcode-strength policy. Raises ValueError when no passcode
    Zoom accepts can meet the requirement (a minimum length above 10).
    """
    length = int(_field(requirement, "length", 0) or 0)
    if length > MAX_LENGTH:
        raise ValueError(f"the account requires passcodes of {length} characters; Zoom accepts at most 10")
    numeric = bool(_field(requirement, "only_allow_numeric", False))
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
        if longest_run(password) < 3 and meets(password, requirement):
            return password
    raise ValueError("could not generate a passcode that meets the account's passcode requirement")
