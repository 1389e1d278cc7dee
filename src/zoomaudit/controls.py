"""The catalogue of controls: each safeguarding setting and where Zoom keeps it at each tier.

A control names one setting (``waiting_room``, ``screen_share`` ...) and gives its field path at
each tier (see ../shared/zoom-api/settings-map.md and docs/controls.md, which is generated from
this catalogue). Paths are dotted:

- ``meeting``: relative to the ``GET /meetings/{id}`` body, e.g. ``settings.waiting_room`` or
  ``password`` (a top-level field);
- ``user`` / ``group`` / ``account``: relative to the merged settings document of that tier
  (default view + ``meeting_security`` + ``meeting_authentication``), e.g. ``in_meeting.screen_sharing``;
- ``group_lock`` / ``account_lock``: relative to the merged lock-settings document.

A tier with no path has no such field in Zoom. A control with no path at all is ``manual``.
Some controls read more than one field to get their value (screen sharing reads
``screen_sharing`` and ``who_can_share_screen``); that is declared here with a ``Derive``, so the
resolver stays generic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FixTier = Literal["meeting", "user", "group", "account", "group_lock", "account_lock"]
TIERS: tuple[FixTier, ...] = ("meeting", "user", "group", "account", "group_lock", "account_lock")
LOCK_TIERS: tuple[FixTier, ...] = ("group_lock", "account_lock")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""Zoom documents no default for the control; an unstated value stays unknown."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What a ``Derive`` function receives and returns when a tier does not state the control."""

# Settings sections that Zoom serves only under an ``option`` query (settings-map.md conventions).
_OPTION_SECTIONS = ("meeting_security", "meeting_authentication")


def label_for(value: Any, labels: Mapping[Any, str]) -> str | None:
    """The label of ``value``; keys match by type too, so ``False`` never reads as the label of 0."""
    for key, label in labels.items():
        if type(key) is type(value) and key == value:
            return label
    return None


@dataclass(frozen=True)
class Derive:
    """How a control's value is computed from its primary field and companion fields.

    ``fn(primary, inputs)`` gets the primary field's value (``MISSING`` when the tier does not
    state it) and the companion values found (by input name); it returns the control's value, or
    ``MISSING`` when the tier does not decide it. Companions are read at the deciding tier and,
    when absent there, at the tiers below it (group, then account).
    ``encode(value)`` turns a control-level value into the fields to PATCH at a settings tier
    (relative to the primary field's section), for fixes.
    """

    fn: Callable[[Any, Mapping[str, Any]], Any]
    inputs: Mapping[str, str] = field(default_factory=dict)
    """Companion paths at the user, group and account tiers, by name."""
    meeting_inputs: Mapping[str, str] = field(default_factory=dict)
    """Companion paths in the meeting body, by name."""
    encode: Callable[[str, Any], dict[str, Any]] | None = None
    """``encode(primary_path, value)`` -> ``{path: value}`` to PATCH; None: set the primary path."""
    describe: str = ""


@dataclass(frozen=True)
class Control:
    name: str
    title: str
    meeting: str | None = None
    user: str | None = None
    group: str | None = None
    group_lock: str | None = None
    account: str | None = None
    account_lock: str | None = None
    default: Any = NO_DEFAULT
    occurrence_fixable: bool = False
    """``PATCH /meetings/{id}?occurrence_id=`` accepts this field (only a few settings)."""
    guidance: str = ""
    """For manual controls: what the host or safeguarding lead should do instead."""
    notes: str = ""
    extra_paths: dict[str, str] = field(default_factory=dict)
    """Other fields a check may read, by name (e.g. the passcode requirement)."""
    # --- additive (issue 4) ---
    alternates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Other fields of the same setting, by tier. Values: read when the primary is absent.
    Locks: the setting is locked when the primary or any alternate lock flag is true."""
    derive: Derive | None = None
    labels: dict[Any, str] = field(default_factory=dict)
    """Words for values in messages (``{"host": "host only"}``); booleans read on/off."""
    fix_placeholder: str | None = None
    """A fix value the planner replaces (``generate``: a passcode meeting the requirement)."""
    meeting_beats_locks: bool = False
    """The meeting's stored value is a fact a lock does not change (the passcode: a lock on
    "require a passcode" makes Zoom generate one for new meetings, not for stored ones)."""

    @property
    def manual(self) -> bool:
        return not any(self.path(t) for t in TIERS)

    def path(self, tier: FixTier) -> str | None:
        path: str | None = getattr(self, tier)
        return path

    def paths(self, tier: FixTier) -> tuple[str, ...]:
        """The primary path at ``tier`` and its alternates (empty when the tier has no field)."""
        primary = self.path(tier)
        if primary is None:
            return ()
        return (primary, *self.alternates.get(tier, ()))

    def fixable_tiers(self) -> tuple[FixTier, ...]:
        return tuple(t for t in TIERS if self.path(t))

    def read_paths(self) -> tuple[str, ...]:
        """Every settings/lock path the resolver and checks may read (not meeting paths)."""
        out: list[str] = []
        for tier in TIERS:
            if tier != "meeting":
                out += self.paths(tier)
        if self.derive is not None:
            out += self.derive.inputs.values()
        out += self.extra_paths.values()
        return tuple(dict.fromkeys(out))

    def describe(self, value: Any) -> str:
        """A value in words, for messages: on/off, a label, or the value itself."""
        if value is None:
            return "not stated"
        label = label_for(value, self.labels)
        if label is not None:
            return label
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, str):
            return repr(value) if value else "empty"
        return str(value)

    def fix_fields(self, tier: FixTier, value: Any) -> dict[str, Any]:
        """The fields to PATCH at ``tier`` to give the control ``value``: ``{path: value}``.

        Lock tiers take the lock flag (a boolean). Derived controls encode their value into
        the fields they read (screen sharing ``host`` -> ``screen_sharing`` + ``who_can_share_screen``).
        """
        path = self.path(tier)
        if path is None:
            raise ValueError(f"control {self.name} has no field at tier {tier}")
        if tier in LOCK_TIERS or tier == "meeting" or self.derive is None or self.derive.encode is None:
            return {path: value}
        return self.derive.encode(path, value)


@dataclass(frozen=True)
class FixRequest:
    """The exact Zoom request that sets a value: what a fix plan stores and an approval sends."""

    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]


def nest(path: str, value: Any) -> dict[str, Any]:
    """``nest("settings.waiting_room", True)`` -> ``{"settings": {"waiting_room": True}}``."""
    out: Any = value
    for part in reversed(path.split(".")):
        out = {part: out}
    result: dict[str, Any] = out
    return result


def _merge(into: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in other.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def lookup(doc: Any, path: str) -> tuple[bool, Any]:
    """Look a dotted path up in a nested dict: (present, value). A missing key is not stated."""
    node = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _option_for(path: str) -> dict[str, str]:
    head = path.split(".", 1)[0]
    return {"option": head} if head in _OPTION_SECTIONS else {}


def fix_request(
    control: Control,
    tier: FixTier,
    value: Any,
    *,
    meeting_id: int | None = None,
    occurrence_id: str | None = None,
    user_id: str | None = None,
    group_id: str | None = None,
) -> FixRequest:
    """Build the PATCH that sets ``control`` to ``value`` at ``tier``.

    Settings in the ``meeting_security`` / ``meeting_authentication`` sections are PATCHed with
    the matching ``option`` query, as Zoom serves them. Lock tiers set the lock flag: ``value``
    is then the boolean lock state, not the setting's value. ``value`` is the control's value
    (``Control.fix_fields`` turns it into Zoom fields, e.g. for screen sharing).
    """
    path = control.path(tier)
    if path is None:
        raise ValueError(f"control {control.name} has no field at tier {tier}")
    body: dict[str, Any] = {}
    for field_path, field_value in control.fix_fields(tier, value).items():
        _merge(body, nest(field_path, field_value))
    if tier == "meeting":
        if meeting_id is None:
            raise ValueError("a meeting fix needs meeting_id")
        query = {"occurrence_id": occurrence_id} if occurrence_id else {}
        return FixRequest("PATCH", f"/meetings/{meeting_id}", query, body)
    if tier == "user":
        if not user_id:
            raise ValueError("a user fix needs user_id")
        return FixRequest("PATCH", f"/users/{user_id}/settings", _option_for(path), body)
    if tier in ("group", "group_lock"):
        if not group_id:
            raise ValueError("a group fix needs group_id")
        kind = "settings" if tier == "group" else "lock_settings"
        return FixRequest("PATCH", f"/groups/{group_id}/{kind}", _option_for(path), body)
    kind = "settings" if tier == "account" else "lock_settings"
    return FixRequest("PATCH", f"/accounts/me/{kind}", _option_for(path), body)


# --- derivations -------------------------------------------------------------------------


def _screen_share(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if primary is MISSING:
        return MISSING
    if primary is False:
        return "off"
    return "host" if inputs.get("who_can_share_screen") == "host" else "all"


def _screen_share_fields(path: str, value: Any) -> dict[str, Any]:
    section = path.rsplit(".", 1)[0]
    if value == "off":
        return {path: False}
    return {path: True, f"{section}.who_can_share_screen": "host" if value == "host" else "all"}


def _has_passcode(primary: Any, inputs: Mapping[str, Any]) -> Any:
    # Meeting tier: the stored passcode (a string); other tiers: "require a passcode" (a boolean).
    return MISSING if primary is MISSING else bool(primary)


def _uses_pmi(primary: Any, inputs: Mapping[str, Any]) -> Any:
    if inputs.get("type") == 4:  # the PMI meeting itself
        return True
    return primary


def _settings(path: str, *, group: bool = True, group_lock: bool = True, lock: bool = True) -> dict[str, Any]:
    """The common case: the same path in user, group and account settings and both lock documents."""
    return {
        "user": path,
        "group": path if group else None,
        "group_lock": path if group_lock else None,
        "account": path,
        "account_lock": path if lock else None,
    }


_ADMITTERS = "meeting_security.waiting_room_settings.users_who_can_admit_participants_from_waiting_room"
_REQUIRE_PASSCODE = "schedule_meeting.require_password_for_scheduling_new_meetings"

_CONTROLS: tuple[Control, ...] = (
    Control(
        "waiting_room",
        "waiting room",
        meeting="settings.waiting_room",
        user="in_meeting.waiting_room",
        group="in_meeting.waiting_room",
        group_lock="in_meeting.waiting_room",
        account="meeting_security.waiting_room",
        account_lock="meeting_security.waiting_room",
        alternates={
            "user": ("meeting_security.waiting_room",),
            "group": ("meeting_security.waiting_room",),
            "group_lock": ("meeting_security.waiting_room",),
        },
        default=False,
        occurrence_fixable=True,
        notes="Turning the waiting room on turns join-before-host off. Account settings keep it only "
        "under meeting_security (option=meeting_security).",
    ),
    Control(
        "waiting_room_admitters",
        "who can admit people from the waiting room",
        user=_ADMITTERS,
        group=_ADMITTERS,
        account=_ADMITTERS,
        labels={
            0: "host and co-hosts only",
            1: "also people who bypassed the waiting room (when no host is present)",
        },
        notes="No lock key exists for waiting_room_settings. 0 = host and co-hosts only.",
    ),
    Control(
        "passcode",
        "meeting passcode",
        meeting="password",
        user=_REQUIRE_PASSCODE,
        group=_REQUIRE_PASSCODE,
        group_lock=_REQUIRE_PASSCODE,
        account=_REQUIRE_PASSCODE,
        account_lock=_REQUIRE_PASSCODE,
        alternates={t: ("meeting_security.meeting_password",) for t in TIERS if t != "meeting"},
        derive=Derive(
            _has_passcode,
            describe="meeting: the stored passcode is non-empty; other tiers: passcodes are required "
            "for new meetings",
        ),
        labels={True: "set", False: "not set"},
        fix_placeholder="generate",
        meeting_beats_locks=True,
        extra_paths={
            "requirement": "schedule_meeting.meeting_password_requirement",
            "requirement_alt": "meeting_security.meeting_password_requirement",
        },
        notes="The passcode is the top-level password of the meeting, never shown in reports. The "
        "meeting's stored passcode (or empty passcode) decides even under a lock: a lock on requiring "
        "passcodes makes Zoom generate one for new meetings, not for stored ones. When Zoom omits the "
        "password key, the host's 'require a passcode' setting decides. A fix value of 'generate' asks "
        "the planner for a passcode meeting the host's requirement.",
    ),
    Control(
        "screen_share",
        "screen sharing",
        **_settings("in_meeting.screen_sharing"),
        derive=Derive(
            _screen_share,
            inputs={"who_can_share_screen": "in_meeting.who_can_share_screen"},
            encode=_screen_share_fields,
            describe="'off' when screen_sharing is false, 'host' when who_can_share_screen is host, "
            "'all' otherwise",
        ),
        labels={"host": "host only", "all": "open to all participants", "off": "off for everyone"},
        notes="No lock key exists for who_can_share_screen; the screen_sharing lock is taken to cover it. "
        "No meeting field: in-meeting features follow the host's settings.",
    ),
    Control(
        "breakout_rooms",
        "breakout rooms",
        **_settings("in_meeting.breakout_room"),
        notes="End-to-end encryption disables breakout rooms. The meeting's breakout_room object only "
        "pre-assigns rooms; availability is the host's setting.",
    ),
    Control(
        "self_view",
        "hiding one's own video (self-view)",
        guidance="Zoom has no API field for this: each participant hides their own video in the Zoom "
        "client (right-click or open the menu on their own video and choose 'Hide Self View'). "
        "Tell participants about it before the session, especially people who find seeing "
        "themselves distressing.",
        notes="Client-side choice only (settings-map row 10); reported as manual.",
    ),
    Control(
        "participant_video",
        "participant video on entry",
        meeting="settings.participant_video",
        user="schedule_meeting.participants_video",
        group="schedule_meeting.participant_video",
        group_lock="schedule_meeting.participant_video",
        account="schedule_meeting.participant_video",
        account_lock="schedule_meeting.participant_video",
        occurrence_fixable=True,
        notes="The user field is plural (participants_video). Off only starts video off; "
        "participants can still turn it on.",
    ),
    Control(
        "join_before_host",
        "join before host",
        meeting="settings.join_before_host",
        **_settings("schedule_meeting.join_before_host"),
        default=False,
        occurrence_fixable=True,
        notes="A waiting room turns join-before-host off; end-to-end encryption disables it.",
    ),
    Control(
        "mute_upon_entry",
        "mute upon entry",
        meeting="settings.mute_upon_entry",
        group="schedule_meeting.mute_upon_entry",
        group_lock="schedule_meeting.mute_upon_entry",
        default=False,
        occurrence_fixable=True,
        notes="No user or account field: only groups hold a default and a lock.",
    ),
    Control(
        "use_pmi",
        "Personal Meeting ID",
        meeting="settings.use_pmi",
        user="schedule_meeting.use_pmi_for_scheduled_meetings",
        account="schedule_meeting.use_pmi_for_scheduled_meetings",
        account_lock="schedule_meeting.use_pmi_for_scheduled_meetings",
        derive=Derive(_uses_pmi, meeting_inputs={"type": "type"}, describe="a type 4 meeting is the PMI"),
        default=False,
        labels={True: "used", False: "not used"},
        notes="No group lock key exists. A meeting of type 4 is the PMI itself.",
    ),
    Control("private_chat", "private chat", **_settings("in_meeting.private_chat")),
    Control("file_transfer", "file transfer", **_settings("in_meeting.file_transfer")),
    Control("annotation", "annotation", **_settings("in_meeting.annotation")),
    Control(
        "auto_recording",
        "automatic recording",
        meeting="settings.auto_recording",
        **_settings("recording.auto_recording"),
        default="none",
        occurrence_fixable=True,
        labels={"none": "off", "local": "on (local)", "cloud": "on (cloud)"},
    ),
    Control(
        "alternative_hosts",
        "alternative hosts",
        meeting="settings.alternative_hosts",
        default="",
        labels={"": "empty"},
        notes="A semicolon-separated list of e-mails or user ids. An absent list names no one.",
    ),
    Control(
        "audio",
        "audio join options",
        meeting="settings.audio",
        user="schedule_meeting.audio_type",
        group="schedule_meeting.audio_type",
        account="schedule_meeting.audio_type",
        account_lock="schedule_meeting.audio_type",
        default="both",
        labels={
            "both": "phone and computer audio",
            "telephony": "phone only",
            "voip": "computer audio only",
            "thirdParty": "third-party audio",
        },
    ),
    Control(
        "closed_captions",
        "closed captions",
        **_settings("in_meeting.closed_caption"),
        alternates={t: ("in_meeting.closed_captioning.enable",) for t in ("user", "group", "account")},
        default=False,
        notes="Newer settings also hold in_meeting.closed_captioning.enable, read when closed_caption "
        "is absent.",
    ),
    Control(
        "focus_mode",
        "focus mode",
        meeting="settings.focus_mode",
        user="in_meeting.attention_mode_focus_mode",
        account="in_meeting.attention_mode_focus_mode",
        account_lock="in_meeting.attention_mode_focus_mode",
        notes="Only the meeting field starts a meeting in focus mode; the user and account fields make it "
        "available. No group field or group lock.",
    ),
    Control(
        "meeting_authentication",
        "only authenticated users can join",
        meeting="settings.meeting_authentication",
        user="meeting_authentication",
        group="meeting_authentication",
        group_lock="schedule_meeting.meeting_authentication",
        account="meeting_authentication",
        account_lock="schedule_meeting.meeting_authentication",
        notes="User, group and account values come from option=meeting_authentication.",
    ),
    Control(
        "registration",
        "registration",
        meeting="settings.approval_type",
        default=2,
        labels={
            0: "required, approved automatically",
            1: "required, approved by the host",
            2: "not required",
        },
        notes="Registration is per meeting; no user, group or account field.",
    ),
    Control(
        "encryption",
        "encryption type",
        meeting="settings.encryption_type",
        user="meeting_security.encryption_type",
        group="meeting_security.encryption_type",
        group_lock="meeting_security.encryption_type",
        account="meeting_security.encryption_type",
        account_lock="meeting_security.encryption_type",
        labels={"e2ee": "end-to-end", "enhanced_encryption": "enhanced"},
        notes="End-to-end encryption disables breakout rooms, join before host, cloud recording and "
        "1:1 private chat.",
    ),
    Control(
        "participant_rename",
        "participants can rename themselves",
        account="in_meeting.allow_participants_to_rename",
        notes="Account only, no lock. Turning it off stops participants removing their own surname; "
        "the host must rename them.",
    ),
)

CATALOGUE: dict[str, Control] = {c.name: c for c in _CONTROLS}
"""Every control by name (docs/controls.md is generated from it)."""


def get_control(name: str) -> Control:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown control {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None
