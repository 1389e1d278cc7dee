"""Builders for the policy tests: settings documents, hosts, meetings and policy files."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

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
