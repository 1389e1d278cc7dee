"""Zoom's meeting passcode rules, in one place: the auditor's check, the fix generator and the
sandbox all judge a passcode here, so they cannot count "consecutive characters" differently.

Pure: no imports from the rest of zoomaudit, no I/O.

What Zoom accepts (reference.md §2.5, §6.2, §6.3, /work/shared/zoom-api/):

- at most 10 characters, only ``[a-z A-Z 0-9 @ - _ *]`` (``MAX_LENGTH``, ``ALLOWED``);
- the host's ``meeting_password_requirement`` (``PasscodeRequirement``): a minimum length, a
  letter, a digit, a special character, both cases, digits only, and
  ``consecutive_characters_length`` ``n`` (0 = no limit, else 4-8).

Consecutive characters. Zoom's requirement text reads "cannot contain consecutive characters
(e.g. 11111, 12345, abcde, qwert)" (current-zoom.md "Passcodes and sign-in", quoting CIS Zoom
1.1.1.1.6). So a run is any of, case-insensitively:

- repeats of one character (``1111``, ``aAaA``, ``****``);
- ascending letters or digits (``1234``, ``abcd``, ``AbCd``);
- keyboard runs along a letter row (``qwer``, ``asdf``, ``zxcv``: rows qwertyuiop, asdfghjkl,
  zxcvbnm);
- **and the same runs descending** (``4321``, ``dcba``, ``rewq``). Zoom's examples do not show a
  descending run, so whether Zoom refuses one is not documented. zoomaudit counts them: for the
  auditor that can only give a false violation (a passcode Zoom would accept is reported as weak,
  and the generated replacement fixes it), never a false pass; the generator already refused
  them; and the sandbox, which must agree with both, refuses them too (docs/sandbox.md lists it
  as a guess).

``consecutive_characters_length: n`` forbids a run of ``n`` characters: ``n`` allows at most
``n - 1`` in a row (reference.md §6.3: 4 means at most 3, e.g. ``abc1x@8fdh``).

Also here: whether a meeting has a passcode at all, from the fields of ``GET /meetings/{id}``
(``presence``), which the ``passcode`` control and the passcode-strength check share.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

MAX_LENGTH = 10
"""Zoom accepts at most 10 characters in a meeting passcode (reference.md §2.5)."""
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
SPECIAL = "@-_*"
"""The only special characters Zoom allows in a meeting passcode."""
ALLOWED = frozenset(LOWER + UPPER + DIGITS + SPECIAL)
_LOWER, _UPPER, _DIGITS, _SPECIAL = map(frozenset, (LOWER, UPPER, DIGITS, SPECIAL))
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
RUN_EXAMPLES = "1111, 1234, abcd or qwer"


@dataclass(frozen=True)
class PasscodeRequirement:
    """Zoom's ``meeting_password_requirement`` (reference.md §6.3). Zero length: no minimum."""

    length: int = 0
    have_letter: bool = False
    have_number: bool = False
    have_special_character: bool = False
    have_upper_and_lower_characters: bool = False
    only_allow_numeric: bool = False
    consecutive_characters_length: int = 0
    """``n`` forbids a run of ``n`` consecutive characters (``longest_run``); 0 = no limit."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def stricter(self, other: PasscodeRequirement) -> PasscodeRequirement:
        """Both requirements at once; when either allows only digits, letter rules are dropped
        (Zoom would refuse any passcode with letters)."""
        numeric = self.only_allow_numeric or other.only_allow_numeric
        runs = [n for n in (self.consecutive_characters_length, other.consecutive_characters_length) if n]
        return PasscodeRequirement(
            length=max(self.length, other.length),
            have_letter=not numeric and (self.have_letter or other.have_letter),
            have_number=self.have_number or other.have_number,
            have_special_character=not numeric
            and (self.have_special_character or other.have_special_character),
            have_upper_and_lower_characters=not numeric
            and (self.have_upper_and_lower_characters or other.have_upper_and_lower_characters),
            only_allow_numeric=numeric,
            consecutive_characters_length=min(runs) if runs else 0,
        )

    @classmethod
    def of(cls, requirement: Any) -> PasscodeRequirement:
        """A requirement from anything that names Zoom's fields: this class, a raw
        ``meeting_password_requirement`` dict, an object with those attributes, or None (no rules).
        Unknown keys (``weak_enhance_detection``) are ignored; None values mean "not set"."""
        if isinstance(requirement, cls):
            return requirement
        if requirement is None:
            return cls()
        found: dict[str, Any] = {}
        for f in fields(cls):
            if isinstance(requirement, Mapping):
                value = requirement.get(f.name)
            else:
                value = getattr(requirement, f.name, None)
            if value is not None:
                found[f.name] = int(value) if f.name.endswith("length") else bool(value)
        return replace(cls(), **found)


# --- consecutive characters --------------------------------------------------------------


def _position(ch: str) -> tuple[str, int] | None:
    """Where ``ch`` sits in an ordered sequence: ("d", digit) or ("a", letter index)."""
    if ch in DIGITS:
        return "d", ord(ch) - ord("0")
    if ch in LOWER:
        return "a", ord(ch) - ord("a")
    return None


_KEY_NEXT = {row[i]: row[i + 1] for row in KEYBOARD_ROWS for i in range(len(row) - 1)}


def _relations(prev: str, cur: str) -> tuple[bool, bool, bool, bool, bool]:
    """(repeat, ascending, descending, keyboard forward, keyboard backward) for one pair."""
    a, b = prev.lower(), cur.lower()
    pa, pb = _position(a), _position(b)
    same_kind = pa is not None and pb is not None and pa[0] == pb[0]
    step = pb[1] - pa[1] if same_kind and pa is not None and pb is not None else 0
    return (
        a == b,
        same_kind and step == 1,
        same_kind and step == -1,
        _KEY_NEXT.get(a) == b,
        _KEY_NEXT.get(b) == a,
    )


def longest_run(text: str) -> int:
    """The longest run of consecutive characters in ``text``, as Zoom counts them (see the module
    docstring): repeats, ascending or descending letters or digits, keyboard-row runs either way;
    case-insensitive. Each kind is counted on its own (``1233`` has runs of 3 and 2, not 4)."""
    if not text:
        return 0
    best = 1
    runs = [1, 1, 1, 1, 1]
    for prev, cur in itertools.pairwise(text):
        runs = [run + 1 if hit else 1 for run, hit in zip(runs, _relations(prev, cur), strict=True)]
        best = max(best, *runs)
    return best


# --- the rules ---------------------------------------------------------------------------

Rule = Literal[
    "max_length", "charset", "length", "letter", "number", "special", "upper_lower", "numeric", "run"
]


@dataclass(frozen=True)
class Unmet:
    """One rule a passcode breaks: a stable code (the sandbox maps it to Zoom's message) and words
    for reports (never the passcode itself)."""

    rule: Rule
    words: str


def unmet_rules(password: str, requirement: Any = None) -> list[Unmet]:
    """Every rule ``password`` breaks: Zoom's charset and length limits and ``requirement`` (a
    ``PasscodeRequirement`` or anything ``PasscodeRequirement.of`` reads). Empty: Zoom accepts it.

    With ``only_allow_numeric`` the letter, special-character and case rules are not applied: no
    passcode of digits could meet them, so Zoom cannot be asking for both.
    """
    req = PasscodeRequirement.of(requirement)
    out: list[Unmet] = []
    # Set operations on the passcode's characters: the check runs for every meeting of an audit.
    chars = set(password)
    if len(password) > MAX_LENGTH:
        out.append(Unmet("max_length", f"at most {MAX_LENGTH} characters"))
    if not chars <= ALLOWED:
        out.append(Unmet("charset", "only letters, digits and @ - _ *"))
    if len(password) < req.length:
        out.append(Unmet("length", f"at least {req.length} characters"))
    lower = not chars.isdisjoint(_LOWER)
    upper = not chars.isdisjoint(_UPPER)
    digit = not chars.isdisjoint(_DIGITS)
    if req.only_allow_numeric and not (password and chars <= _DIGITS):
        out.append(Unmet("numeric", "digits only"))
    if req.have_letter and not req.only_allow_numeric and not (lower or upper):
        out.append(Unmet("letter", "a letter"))
    if req.have_number and not digit:
        out.append(Unmet("number", "a digit"))
    special = not chars.isdisjoint(_SPECIAL)
    if req.have_special_character and not req.only_allow_numeric and not special:
        out.append(Unmet("special", "a special character"))
    if req.have_upper_and_lower_characters and not req.only_allow_numeric and not (lower and upper):
        out.append(Unmet("upper_lower", "upper- and lower-case letters"))
    limit = req.consecutive_characters_length
    if limit and longest_run(password) >= limit:
        out.append(Unmet("run", f"no run of {limit} consecutive characters (like {RUN_EXAMPLES})"))
    return out


def unmet_words(password: str, requirement: Any = None) -> list[str]:
    """``unmet_rules`` in words, for findings: "at least 8 characters", "a digit"..."""
    return [u.words for u in unmet_rules(password, requirement)]


def acceptable(password: str, requirement: Any = None) -> bool:
    """Whether Zoom accepts ``password`` as a meeting passcode under ``requirement`` (non-empty)."""
    return bool(password) and not unmet_rules(password, requirement)


# --- whether a meeting has a passcode ----------------------------------------------------

PRESENCE_FIELDS = ("password", "join_url", "encrypted_password", "pstn_password")
"""The fields of ``GET /meetings/{id}`` that tell whether the meeting has a passcode, in the order
they are read (rivet meetings/meetings.d.ts ``MeetingsGetMeetingResponse``: ``password``,
``join_url``, ``encrypted_password``, ``pstn_password``, all optional strings)."""

State = Literal["known", "present", "absent", "unknown"]


@dataclass(frozen=True)
class Presence:
    """Whether a meeting has a passcode, and which field said so.

    - ``known``: ``password`` is a non-empty string; ``password`` holds it (for the strength check
      only; it never goes into a finding, a log or ``repr``);
    - ``present``: the meeting has a passcode but its text is not served: a ``pwd=`` in
      ``join_url``, a non-empty ``encrypted_password`` or ``pstn_password`` (or a ``password``
      that is not text);
    - ``absent``: ``password`` is the empty string;
    - ``unknown``: none of the fields tells.
    """

    state: State
    source: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def has_passcode(self) -> bool | None:
        """True or False when the fields tell, None when they do not."""
        return {"known": True, "present": True, "absent": False}.get(self.state)


def _pwd_in(url: Any) -> bool:
    if not isinstance(url, str) or "pwd=" not in url:
        return False
    return any(v.strip() for v in parse_qs(urlsplit(url).query).get("pwd", []))


def presence(meeting: Mapping[str, Any]) -> Presence:
    """Whether the meeting whose ``GET /meetings/{id}`` fields are ``meeting`` (only those Zoom
    sent: an absent key is absent from the mapping) has a passcode. The first field that tells wins:

    1. ``password``: a non-empty string is the passcode; the empty string means none. Zoom omits
       the key for some callers (current-zoom.md "What GET meeting returns"), and an absent key
       (or null) says nothing, so the next fields are read.
    2. ``join_url`` with a ``pwd=`` query parameter: the passcode, encrypted into the link
       (``embed_password_in_join_link``). A link without ``pwd=`` says nothing: the host may
       simply not embed it.
    3. ``encrypted_password`` ("Encrypted passcode for third party endpoints (H323/SIP)",
       reference.md §6.2), non-empty.
    4. ``pstn_password``, non-empty: the phone dial-in passcode. Zoom generates it from the meeting
       passcode ("For meetings with an alphanumeric passcode, a numeric version will be
       generated", and phone participants enter one only "if the meeting requires a passcode":
       support.zoom.com KB0066465), so a phone passcode means the meeting has a passcode. It is
       not the passcode itself (often a numeric version of it), so its strength says nothing of
       the passcode's. An empty one says nothing either: the phone passcode may just be off.

    Empty values of 2-4 never mean "no passcode": only an empty ``password`` does.
    """
    value = meeting.get("password")
    if isinstance(value, str):
        return Presence("known", "password", value) if value else Presence("absent", "password")
    if value is not None:
        return Presence("present", "password")
    if _pwd_in(meeting.get("join_url")):
        return Presence("present", "join_url")
    for name in ("encrypted_password", "pstn_password"):
        other = meeting.get(name)
        if isinstance(other, str) and other.strip():
            return Presence("present", name)
    return Presence("unknown")
