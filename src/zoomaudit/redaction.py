"""What is secret and how it is shown: the one set of masking rules.

A value is secret when the last part of its key or dotted path names a password, passcode,
token or secret (``password``, ``settings.pstn_password``, ``access_token``, ``client_secret``
...). What is masked is a value that could be the secret itself: a non-empty string or a number.
A boolean under such a key is a switch (``meeting_security.phone_password: true``,
``require_password_for_all_meetings: false``) and stays as it is, as do None and "". Strings in a
container under a secret key are secret too (a list of passcodes has no keys of its own).

The store (findings, the fix trail), the reports, the CLI, the console, the settings display and
the logs all mask through this module, so a rule changed here changes everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

MASK = "********"
SECRET_WORDS = ("password", "passcode", "token", "secret")

# A passcode kept at rest is sealed (``zoomaudit.vault``): ``{"sealed": token, "fingerprint": hash}``,
# or only the fingerprint once it can no longer be reverted. Shown, it is just MASK.
SEALED = "sealed"
FINGERPRINT = "fingerprint"
GENERATE = "<a new passcode, generated when applied>"
GENERATE_DIGITS = "<a new digits-only passcode, generated when applied>"
"""What a passcode fix's plan holds instead of the passcode: it is generated at apply time."""


def is_sealed(value: Any) -> bool:
    return isinstance(value, Mapping) and FINGERPRINT in value and set(value) <= {SEALED, FINGERPRINT}


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a key or dotted path (its last part) names a secret."""
    last = name.rsplit(".", 1)[-1].lower()
    return any(word in last for word in SECRET_WORDS)


def _could_be_secret(value: Any, *, numbers: bool) -> bool:
    if isinstance(value, str):
        return value not in ("", GENERATE, GENERATE_DIGITS)  # a marker says what will happen
    return numbers and isinstance(value, int | float) and not isinstance(value, bool)


def mask(name: str, value: Any) -> Any:
    """One value as it may be shown: MASK when ``name`` is secret and the value could be one."""
    if is_sealed(value):
        return MASK
    return MASK if is_secret_name(name) and _could_be_secret(value, numbers=True) else value


def redact(value: Any, *, secret: bool = False) -> Any:
    """A copy of ``value`` (a nested body, a flat ``{path: value}`` map, a list) with every
    secret masked: a string or number under a secret key, a string anywhere beneath one."""
    if is_sealed(value):
        return MASK
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if is_sealed(item):
                out[key] = MASK
            elif isinstance(item, Mapping | list):
                out[key] = redact(item, secret=secret or is_secret_name(str(key)))
            elif is_secret_name(str(key)):
                out[key] = mask(str(key), item)
            else:
                out[key] = redact(item, secret=secret)
        return out
    if isinstance(value, list):
        return [redact(item, secret=secret) for item in value]
    if secret and _could_be_secret(value, numbers=False):
        return MASK
    return value


def redact_actual(control: str, value: Any) -> Any:
    """A finding's actual value, safe to keep: the actual value of a passcode control may be the
    meeting's passcode itself, so a bare value there is masked (reports keep only that one was
    set), as is any secret beneath it."""
    if value.__class__ in _SCALARS and not is_secret_name(control):
        return value  # nothing beneath it, under a name that is not secret (most findings)
    return redact(mask(control, value))


_SCALARS = (bool, int, float, str, type(None))
