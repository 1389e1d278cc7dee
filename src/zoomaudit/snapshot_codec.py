"""What a run keeps of the snapshot it judged, so that ``zoomaudit rejudge`` can judge it again
without asking Zoom: the account's context and each host batch, as compressed JSON with every
secret removed.

Pure: no I/O. The store keeps the bytes (``store/snapshots.py``); the runner writes one chunk per
host batch as it goes, so a snapshot is never whole in memory.

Secrets. A meeting's live passcode is never kept. The only thing any policy judges of it is what
``zoomaudit.passcodes`` reads: whether one is set (``presence``), and for the strength check its
length, which kinds of character it has (lower, upper, digit, special, other) and its longest run
of consecutive characters (``unmet_rules``). So it is replaced by a *stand-in*: a made-up passcode
with exactly those facts, and never the passcode itself. Every rule, under any requirement, then
says of the stand-in what it says of the passcode. The other ways a passcode travels are cut: the
``pwd=`` of a join link becomes a placeholder (the link still says "a passcode is embedded"), the
phone, H.323/SIP and encrypted passwords become ``redaction.MASK`` (still non-empty: still "a
passcode is set"), ``start_url`` (it carries the host's ZAK token) is dropped, and any other
secret under a key naming one is masked by ``redaction.redact``.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from zoomaudit.passcodes import ALLOWED, DIGITS, LOWER, SPECIAL, UPPER, longest_run
from zoomaudit.redaction import MASK, redact
from zoomaudit.snapshot import AccountContext, HostBatch

FORMAT = 1
"""The layout of a snapshot chunk; a reader refuses one it does not know."""
ACCOUNT_SEQUENCE = 0
"""The account's context (and what the run read) is chunk 0; host batches follow from 1."""
LINK_PASSCODE = "stand-in"
"""What a join link's ``pwd=`` reads in a snapshot: a passcode was embedded, not which."""
_MASKED_FIELDS = ("pstn_password", "h323_password", "encrypted_password")
_DROPPED_FIELDS = ("start_url",)
_KINDS = (
    ("lower", LOWER),
    ("upper", UPPER),
    ("digit", DIGITS),
    ("special", SPECIAL),
)
_POOLS = {"lower": "kmpxwz", "upper": "KMPXWZ", "digit": "3580", "special": SPECIAL, "other": "!#~"}


def _facts(passcode: str) -> tuple[int, int, frozenset[str]]:
    """What the passcode rules read of a passcode: its length, longest run and kinds of character."""
    kinds = {name for name, chars in _KINDS if any(ch in chars for ch in passcode)}
    if any(ch not in ALLOWED for ch in passcode):
        kinds.add("other")
    return len(passcode), longest_run(passcode), frozenset(kinds)


def stand_in(passcode: str) -> str | None:
    """A made-up passcode with the same facts as ``passcode`` (``_facts``), never equal to it.

    A seeded search (the seed is the length, so nothing of the passcode leaks through it) over
    characters of the passcode's kinds, with a run of the longest run's length put first; each
    candidate is checked with the very functions the rules use. None should no candidate fit
    (none seen in tests of thousands of random passcodes): ``scrub_meeting`` then keeps only
    that a passcode is set, so its strength is "cannot be judged", never judged on a mask.
    """
    if not passcode:
        return passcode
    length, run, kinds = _facts(passcode)
    rng = random.Random(length)  # not a secret: a shape, checked below
    ordered = sorted(kinds)
    for _ in range(400):
        kind = rng.choice(ordered)
        char = rng.choice(_POOLS[kind])
        head = char * run
        if kind in ("lower", "upper") and {"lower", "upper"} <= kinds:
            # A run of one letter in both cases ("kKkK") is still a run: a short passcode whose
            # every character is in its run may need both cases in it.
            head = "".join(char.lower() if i % 2 else char.upper() for i in range(run))
        rest = [rng.choice(_POOLS[k]) for k in ordered]
        rest += [rng.choice(_POOLS[rng.choice(ordered)]) for _ in range(length)]
        rng.shuffle(rest)
        candidate = (head + "".join(rest))[:length]
        if candidate != passcode and _facts(candidate) == (length, run, kinds):
            return candidate
    return None


def _link_without_passcode(url: Any) -> Any:
    if not isinstance(url, str) or "pwd=" not in url:
        return url
    parts = urlsplit(url)
    query = [(k, LINK_PASSCODE if k == "pwd" and v.strip() else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def scrub_meeting(body: Mapping[str, Any]) -> dict[str, Any]:
    """A meeting body as a snapshot keeps it: the passcode a stand-in, the other secrets gone."""
    out = {k: v for k, v in body.items() if k not in _DROPPED_FIELDS}
    special: dict[str, Any] = {}
    password = out.pop("password", None)
    if isinstance(password, str) and password:
        replaced = stand_in(password)
        if replaced is not None:
            special["password"] = replaced
        else:  # set, text unknown: what presence() reads from an encrypted passcode
            special["encrypted_password"] = MASK
    elif "password" in body:
        special["password"] = password
    if "join_url" in out:
        special["join_url"] = _link_without_passcode(out.pop("join_url"))
    for name in _MASKED_FIELDS:
        if name in out and name not in special:
            value = out.pop(name)
            special[name] = MASK if isinstance(value, str) and value else value
    scrubbed: dict[str, Any] = redact(out)
    scrubbed.update(special)
    return scrubbed


def _scrub_batch(batch: dict[str, Any]) -> dict[str, Any]:
    host = batch.get("host") or {}
    batch["host"] = redact(host)
    for subject in batch.get("subjects") or ():
        subject["meeting"] = scrub_meeting(subject["meeting"])
    return batch


def _pack(document: dict[str, Any]) -> bytes:
    # Level 6 (zlib's default): level 9 saves ~2% more for twice the CPU in the run's thread.
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode(), 6)


def _unpack(data: bytes) -> dict[str, Any]:
    document = json.loads(zlib.decompress(data))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("a snapshot chunk of an unknown format")
    return document


def encode_account(account: AccountContext, views: Iterable[str]) -> bytes:
    """Chunk 0: the account's context and which ``option`` views of the settings the run read
    (``collect.Needs``): policies reading a view the run did not read cannot be judged on it."""
    context = redact(account.model_dump(mode="json", exclude_unset=True))
    return _pack({"format": FORMAT, "views": sorted(views), "account": context})


def encode_batch(batch: HostBatch) -> bytes:
    """One host batch as it was collected (before the run left past sessions unjudged)."""
    document = _scrub_batch(batch.model_dump(mode="json", exclude_unset=True))
    return _pack({"format": FORMAT, "batch": document})


def decode_account(data: bytes) -> tuple[AccountContext, frozenset[str]]:
    document = _unpack(data)
    return AccountContext.model_validate(document["account"]), frozenset(document.get("views") or ())


def decode_batch(data: bytes) -> HostBatch:
    return HostBatch.model_validate(_unpack(data)["batch"])
