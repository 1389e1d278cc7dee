"""Builders for the policy tests: settings documents, hosts, meetings and policy files."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from zoomaudit.policy import PolicySet, evaluate_batch, load_policies
from zoomaudit.snapshot import AccountContext, GroupContext, HostBatch, HostContext, Subject
from zoomaudit.zoom.models import Meeting, User

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
HOST_ID = "u-host"
HOST_EMAIL = "host@example.org"


def place(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set ``value`` at a dotted ``path`` in ``doc`` (creating sections) and return ``doc``."""
    node = doc
    *heads, last = path.split(".")
    for part in heads:
        node = node.setdefault(part, {})
    node[last] = value
    return doc


def group(gid: str, name: str | None = None, settings: Any = None, locks: Any = None) -> GroupContext:
    return GroupContext(id=gid, name=name or gid, settings=settings or {}, locks=locks or {})


def account(
    settings: Any = None, locks: Any = None, groups: list[GroupContext] | None = None
) -> AccountContext:
    return AccountContext(settings=settings or {}, locks=locks or {}, groups={g.id: g for g in groups or []})


def host(settings: Any = None, group_ids: tuple[str, ...] = (), email: str = HOST_EMAIL) -> HostContext:
    return HostContext(user=User(id=HOST_ID, email=email), settings=settings or {}, group_ids=group_ids)


def meeting(meeting_id: int = 1001, settings: Any = None, **fields: Any) -> Meeting:
    body: dict[str, Any] = {"id": meeting_id, "topic": "Peer support", "type": 2, "host_id": HOST_ID}
    body.update(fields)
    if settings is not None:
        body["settings"] = settings
    return Meeting.model_validate(body)


def subject(
    meeting_id: int = 1001, settings: Any = None, occurrence_id: str | None = None, **fields: Any
) -> Subject:
    return Subject(meeting=meeting(meeting_id, settings, **fields), occurrence_id=occurrence_id)


def batch(the_host: HostContext, *subjects: Subject) -> HostBatch:
    return HostBatch(host=the_host, subjects=list(subjects))


def write(folder: Path, name: str, text: str) -> Path:
    """Write a policy file (dedented) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


Setup = Mapping[str, Mapping[str, Any]]
"""Values by tier (``meeting``, ``user``, ``group``, ``account``, ``group_lock``, ``account_lock``)
and dotted path; meeting paths are ``settings.x`` or a top-level field such as ``password``."""


@pytest.fixture(scope="module")
def pack() -> PolicySet:
    return load_policies()


def enabled_only(pack: PolicySet, policy_id: str) -> PolicySet:
    """A policy set of one pack policy, enabled (some ship disabled)."""
    policy = pack.get(policy_id)
    assert policy is not None
    enabled = policy.model_copy(update={"enabled": True})
    enabled.compile()
    return PolicySet.build([enabled], "test")


def evaluate_setup(pack: PolicySet, policy_id: str, setup: Setup) -> list[Any]:
    """The findings of one pack policy for one meeting of a host in group "Youth" (g1), every tier
    stating what ``setup`` says."""
    settings: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    docs: dict[str, dict[str, Any]] = {
        t: {} for t in ("user", "group", "account", "group_lock", "account_lock")
    }
    for tier, values in setup.items():
        for path, value in values.items():
            if tier != "meeting":
                place(docs[tier], path, value)
            elif path.startswith("settings."):
                place(settings, path.removeprefix("settings."), value)
            else:
                fields[path] = value
    acc = account(
        docs["account"], docs["account_lock"], [group("g1", "Youth", docs["group"], docs["group_lock"])]
    )
    the_host = host(docs["user"], ("g1",))
    return evaluate_batch(
        enabled_only(pack, policy_id), acc, batch(the_host, subject(settings=settings, **fields))
    )
