"""Large synthetic accounts for tests and benchmarks: a seeded, realistic mix of configurations."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from zoomaudit.sandbox.build import meeting, pmi_meeting
from zoomaudit.sandbox.defaults import account_locks, account_settings, zoom_id
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

DOMAIN = "example-charity.org"
FIRST = (
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Priya",
    "Omar",
    "Mia",
    "Ravi",
    "Ellie",
    "Kofi",
    "Zara",
    "Liam",
    "Aisha",
    "Tom",
    "Nina",
    "Yusuf",
    "Grace",
    "Owen",
    "Leah",
    "Ben",
)
LAST = (
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Walker",
    "Ahmed",
    "Clarke",
    "Hughes",
    "Green",
    "Lewis",
    "Hall",
    "Wood",
    "Price",
    "Reid",
    "Moss",
    "Kaur",
)
GROUP_NAMES = (
    "Youth workers",
    "Counsellors",
    "Volunteers",
    "Admins",
    "Family support",
    "Outreach",
    "Trustees",
    "Helpline",
    "Schools team",
    "Mentors",
)
TOPICS = (
    "1:1 support session",
    "Youth group",
    "Peer-support circle",
    "Volunteer training",
    "Counselling session",
    "Team meeting",
    "Parent information evening",
    "Homework club",
    "Public talk",
    "Supervision",
)


def _maybe(rng: random.Random, p_absent: float, value: object) -> object:
    return ... if rng.random() < p_absent else value


def _settings(rng: random.Random) -> Doc:
    """Mostly safe, with realistic slips; some keys not stated at all."""
    choices: dict[str, object] = {
        "waiting_room": _maybe(rng, 0.1, rng.random() < 0.8),
        "join_before_host": _maybe(rng, 0.1, rng.random() < 0.15),
        "mute_upon_entry": _maybe(rng, 0.2, rng.random() < 0.7),
        "participant_video": _maybe(rng, 0.1, rng.random() < 0.3),
        "host_video": rng.random() < 0.8,
        "auto_recording": _maybe(rng, 0.1, rng.choices(("none", "cloud", "local"), (85, 10, 5))[0]),
        "audio": _maybe(rng, 0.05, rng.choices(("both", "voip", "telephony"), (80, 15, 5))[0]),
        "approval_type": rng.choices((2, 0, 1), (85, 10, 5))[0],
        "meeting_authentication": _maybe(rng, 0.2, rng.random() < 0.2),
        "focus_mode": _maybe(rng, 0.3, rng.random() < 0.1),
        "use_pmi": rng.random() < 0.05,
        "encryption_type": "enhanced_encryption",
    }
    return {k: v for k, v in choices.items() if v is not ...}


def _password(rng: random.Random) -> str:
    kind = rng.choices(("strong", "weak", "none"), (80, 15, 5))[0]
    if kind == "none":
        return ""
    if kind == "weak":
        return str(rng.randrange(100000, 999999))
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(rng.choice(alphabet) for _ in range(5)) + str(rng.randrange(1000, 9999))


def _user_settings(rng: random.Random) -> Doc:
    doc: Doc = {}
    if rng.random() < 0.15:
        doc.setdefault("in_meeting", {})["who_can_share_screen"] = "all"
    if rng.random() < 0.2:
        doc.setdefault("in_meeting", {})["private_chat"] = False
    if rng.random() < 0.1:
        doc.setdefault("in_meeting", {})["file_transfer"] = True
    if rng.random() < 0.1:
        doc.setdefault("in_meeting", {})["annotation"] = True
    if rng.random() < 0.05:
        doc.setdefault("in_meeting", {})["breakout_room"] = False
    if rng.random() < 0.05:
        doc.setdefault("recording", {})["auto_recording"] = "cloud"
    if rng.random() < 0.1:
        doc["meeting_security"] = {
            "waiting_room_settings": {"users_who_can_admit_participants_from_waiting_room": 1}
        }
    return doc


ACCOUNT_ID_STRIDE = 10_000_000
"""How far apart two synthetic accounts' meeting ids and PMIs lie: Zoom's meeting ids are unique
across accounts, so a meeting id of one account never names a meeting of another. It leaves room
for ~760,000 meetings and ~99,000 users per account."""

MAX_ACCOUNTS = 99


def account_name(index: int) -> str:
    """The short name of the ``index``-th synthetic account (1-based): ``acct01``, ``acct02``..."""
    return f"acct{index:02d}"


def account_credentials(seed: int, index: int) -> tuple[str, str, str]:
    """(account id, client id, client secret) of synthetic account ``index`` (0: the single
    account of ``synthetic_state`` as it always was; 1..: ``acct01``...), derived from the seed
    alone so that a test or a benchmark can compute them without asking the sandbox."""
    if index == 0:
        return f"SynthAcct{seed:06d}", f"synthClient{seed}", f"synth-secret-{seed}"
    tag = f"{index:02d}"
    return f"SynthAcct{seed:06d}A{tag}", f"synthClient{seed}a{tag}", f"synth-secret-{seed}-a{tag}"


def synthetic_state(
    users: int = 500,
    meetings: int = 5000,
    seed: int = 1,
    groups: int | None = None,
    now: datetime | None = None,
    account: int = 0,
) -> SandboxState:
    """An account of ``users`` active users and ``meetings`` scheduled meetings, seeded.

    ``account``: 0 for the one synthetic account (the default, unchanged); ``1..99`` for the
    accounts of a sandbox serving several, each with its own ids, credentials and data.
    """
    if not 0 <= account <= MAX_ACCOUNTS:
        raise ValueError(f"synthetic account index {account} is outside 0..{MAX_ACCOUNTS}")
    # The single account keeps its integer seed (its data is what it always was); each of
    # several accounts draws from its own seeded stream (a str seed is hashed deterministically).
    rng = random.Random(seed if account == 0 else f"{seed}/{account}")
    tag = "" if account == 0 else f"a{account:02d}-"
    offset = account * ACCOUNT_ID_STRIDE
    # An e-mail address belongs to one Zoom account: each of several accounts has its own domain.
    domain = DOMAIN if account == 0 else f"{account_name(account)}.{DOMAIN}"
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    state = SandboxState(*account_credentials(seed, account), built_at=now)
    if account:
        state.name = account_name(account)
    state.account_settings = account_settings(domain)
    state.account_locks = account_locks()
    n_groups = groups if groups is not None else max(2, min(10, users // 50))
    group_ids = []
    for g in range(n_groups):
        name = GROUP_NAMES[g % len(GROUP_NAMES)] + (
            "" if g < len(GROUP_NAMES) else f" {g // len(GROUP_NAMES) + 1}"
        )
        group = SandboxGroup(zoom_id(f"synth-{seed}-{tag}group-{g}"), name)
        if g % 3 == 0:
            group.settings = {"schedule_meeting": {"mute_upon_entry": True}}
            group.locks = {"schedule_meeting": {"mute_upon_entry": True}}
        elif g % 3 == 1:
            group.settings = {
                "meeting_security": {"waiting_room": True},
                "in_meeting": {"waiting_room": True},
            }
            group.locks = {"meeting_security": {"waiting_room": True}, "in_meeting": {"waiting_room": True}}
        state.add_group(group)
        group_ids.append(group.id)
    people = []
    for i in range(users):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        email = f"{first}.{last}.{i}@{domain}".lower()
        member_of = [group_ids[i % n_groups]] if n_groups else []
        if n_groups > 1 and rng.random() < 0.1:
            member_of.append(group_ids[(i + 1) % n_groups])
        user = SandboxUser(
            id=zoom_id(f"synth-{seed}-{tag}{email}"),
            email=email,
            first_name=first,
            last_name=last,
            pmi=6000000000 + offset + i * 101,
            group_ids=member_of,
            settings=_user_settings(rng),
        )
        people.append(state.add_user(user))
    created = today - timedelta(days=30)
    for user in people:
        # Every user has a PMI room (GET /meetings/{pmi} works); most have PMI switched off.
        if rng.random() < 0.7:
            user.settings.setdefault("schedule_meeting", {})["personal_meeting"] = False
        state.add_meeting(pmi_meeting(user, created, _password(rng) or "112233", _settings(rng)))
    for m in range(meetings):
        host = people[rng.randrange(users)] if users else None
        if host is None:
            break
        type_ = rng.choices((2, 8, 3), (65, 25, 10))[0]
        start = today + timedelta(days=rng.randrange(1, 60), hours=rng.randrange(8, 20))
        doc = meeting(
            meeting_id=90000000000 + offset + m * 13,
            host=host,
            topic=f"{TOPICS[m % len(TOPICS)]} #{m}",
            type_=type_,
            start=None if type_ == 3 else start,
            created=created,
            duration=rng.choice((30, 45, 60, 90)),
            password=_password(rng),
            settings=_settings(rng),
            occurrence_count=4,
        )
        state.add_meeting(doc)
        if type_ == 8 and rng.random() < 0.05:
            occ = doc["occurrences"][0]["occurrence_id"]  # the next one, which zoomaudit reads
            state.occurrence_overrides[(doc["id"], occ)] = {"settings": {"waiting_room": False}}
    return state


def synthetic_accounts(
    count: int,
    users: int = 500,
    meetings: int = 5000,
    seed: int = 1,
    groups: int | None = None,
    now: datetime | None = None,
) -> list[SandboxState]:
    """``count`` synthetic accounts ``acct01``.. of ``users`` and ``meetings`` each (for a
    sandbox serving several accounts); ids and credentials as ``account_credentials`` gives."""
    if not 1 <= count <= MAX_ACCOUNTS:
        raise ValueError(f"the number of synthetic accounts must be within 1..{MAX_ACCOUNTS}, not {count}")
    now = now or datetime.now(UTC)
    return [synthetic_state(users, meetings, seed, groups, now, account=i) for i in range(1, count + 1)]
