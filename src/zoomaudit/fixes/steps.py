"""The steps shared by applying and reverting a fix: read the target, compare, record."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from zoomaudit.controls import lookup
from zoomaudit.errors import AuthError, ClaimLost, RateLimited, ZoomApiError, ZoomError
from zoomaudit.fixes.passcode import generate_passcode
from zoomaudit.fixes.queue import FixRecord
from zoomaudit.redaction import GENERATE, GENERATE_DIGITS, MASK, is_sealed, mask, redact
from zoomaudit.vocabulary import FixStatus

if TYPE_CHECKING:
    from zoomaudit.store.store import Store
    from zoomaudit.vault import Vault
    from zoomaudit.zoom.client import ZoomClient


@dataclass(frozen=True)
class ApplyResult:
    """What happened to one fix: its status afterwards and why."""

    fix_id: str
    status: str
    message: str = ""
    before: dict[str, Any] | None = None
    """The values read from Zoom just before the change (passcodes masked)."""
    after: dict[str, Any] | None = None
    """The values read back after the change (passcodes masked)."""
    changed: bool = False
    """A PATCH was sent (counts against ``max_changes``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    claim_lost: bool = False
    """This process lost its claim on the fix midway (``errors.ClaimLost``): the message says so."""
    zoom_unusable: bool = False
    """Zoom could not be used (credentials or token refused, network, Zoom down): nothing was
    written and the fix is back in the queue. The CLI exits 3 for it, as for any auth failure."""

    @property
    def ok(self) -> bool:
        return self.status == FixStatus.APPLIED


def show(path: str, value: Any) -> str:
    """A value in a message as JSON (``true``, ``"host"``, ``null``), a secret masked."""
    if is_sealed(value):
        return MASK
    shown = mask(path, value)
    return shown if shown is not value else json.dumps(value, ensure_ascii=False, default=str)


async def read_fields(client: ZoomClient, fix: FixRecord, paths: Iterable[str]) -> dict[str, Any]:
    """GET the target at the plan's own path and query; the value of each path (None: not stated)."""
    response = await client.request("GET", fix.path, params=fix.query or None)
    doc = response.json()
    out: dict[str, Any] = {}
    for path in paths:
        present, value = lookup(doc, path)
        out[path] = value if present else None
    return out


def differences(
    current: Mapping[str, Any], wanted: Mapping[str, Any], verb: str, vault: Callable[[], Vault] | None = None
) -> list[str]:
    """What differs, in words. A sealed or fingerprinted passcode in ``wanted`` is compared by its
    keyed fingerprint (``vault``, opened only then), never in plain text."""

    def same(want: Any, now: Any) -> bool:
        if vault is not None and is_sealed(want):
            return vault().same(want, now)
        return bool(want == now)

    return [
        f"{path} {verb} {show(path, want)}, now {show(path, current.get(path))}"
        for path, want in wanted.items()
        if not same(want, current.get(path))
    ]


def is_meeting(fix: FixRecord) -> bool:
    return fix.target_level == "meeting" and fix.method.upper() == "PATCH"


def quota_day(now: datetime) -> date:
    """Zoom's quota resets at 00:00 UTC."""
    return now.astimezone(UTC).date()


Clock = Callable[[], datetime]


def clock_of(now: datetime | None, clock: Clock | None) -> Clock:
    """The clock that stamps each step: given, else fixed at ``now`` (tests), else real UTC."""
    if clock is not None:
        return clock
    if now is not None:
        fixed = now
        return lambda: fixed
    return lambda: datetime.now(UTC)


@dataclass(frozen=True)
class Claim:
    """This caller's hold on a fix it is applying or reverting: the owner token the store checks
    on every move from ``approved``, and the clock that stamps each step when it happens."""

    owner: str
    clock: Callable[[], datetime]

    @classmethod
    def new(cls, clock: Callable[[], datetime]) -> Claim:
        return cls(secrets.token_hex(8), clock)

    def now(self) -> datetime:
        return self.clock()

    def heartbeat(self, store: Store, fix: FixRecord) -> None:
        """Show the claim is alive before a step that changes Zoom; ClaimLost if it was released."""
        if not store.fixes.heartbeat(fix.id, self.owner, self.now()):
            raise ClaimLost(fix.id)


def move(
    store: Store,
    fix: FixRecord,
    to: str,
    *,
    actor: str,
    claim: Claim,
    note: str,
    before: Any = None,
    after: Any = None,
    **columns: Any,
) -> datetime:
    """Finish a transition from ``approved`` as the claim's owner (the trail masks passcodes);
    ClaimLost when the claim was released meanwhile. Returns the time it was stamped with."""
    at = claim.now()
    moved = store.fixes.transition(
        fix.id,
        from_statuses=("approved",),
        to_status=to,
        actor=actor,
        at=at,
        note=note,
        before=before,
        after=after,
        claim=claim.owner,
        **{k: (at if v is STAMP else v) for k, v in columns.items()},
    )
    if not moved:
        raise ClaimLost(fix.id)
    return at


STAMP: Any = object()
"""A column value ``move`` replaces with the time of the move (``applied_at=STAMP``)."""


def with_generated_passcodes(
    body: Any, wanted: Mapping[str, Any]
) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """A passcode fix's plan holds a marker, not a passcode: here, at apply time, each marker
    becomes a fresh passcode (``fixes.passcode.generate_passcode``). Returns the body to send,
    the values to verify and the passcodes generated (held in memory only)."""
    generated: dict[str, str] = {}
    for path, value in wanted.items():
        if value in (GENERATE, GENERATE_DIGITS):
            generated[path] = generate_passcode({"only_allow_numeric": value == GENERATE_DIGITS})
    if not generated:
        return body, dict(wanted), {}
    out = json.loads(json.dumps(body))
    for path, passcode in generated.items():
        node = out
        *heads, last = path.split(".")
        for head in heads:
            node = node[head]
        node[last] = passcode
    return out, {**wanted, **generated}, generated


@dataclass(frozen=True)
class Sent:
    """A change sent to Zoom and read back: ``after`` (None when it could not be read back, and
    ``read_error`` says why) and ``unsure`` (why Zoom may not have taken the change)."""

    after: dict[str, Any] | None
    unsure: str = ""
    read_error: str = ""


async def send_and_read_back(client: ZoomClient, fix: FixRecord, body: Any, paths: Iterable[str]) -> Sent:
    """PATCH ``body`` at the plan's target, then re-read ``paths``. A refusal that wrote nothing
    (RateLimited, AuthError, ZoomApiError) propagates; a timeout or a dropped connection leaves
    it to the re-read, which is what decides."""
    try:
        await client.request(
            fix.method,
            fix.path,
            params=fix.query or None,
            json=body,
            host=fix.host_id if is_meeting(fix) else None,
        )
    except (RateLimited, AuthError, ZoomApiError):
        raise
    except ZoomError as exc:
        unsure = str(exc)
    else:
        unsure = ""
    try:
        after = await read_fields(client, fix, paths)
    except ZoomError as exc:
        return Sent(None, unsure, str(exc))
    return Sent(after, unsure)


def fail(
    store: Store,
    fix: FixRecord,
    note: str,
    *,
    actor: str,
    claim: Claim,
    current: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ApplyResult:
    """Record a fix as ``failed`` (with what Zoom held before and after, masked in the trail) and
    say so; ``current`` given means a change was sent, or about to be."""
    move(store, fix, "failed", actor=actor, claim=claim, note=note, error=note, before=current, after=after)
    return ApplyResult(
        fix.id,
        "failed",
        note,
        before=redact(current) if current is not None else None,
        after=redact(after) if after is not None else None,
        changed=current is not None,
    )
