"""Generate docs/controls.md from the catalogue: ``python -m zoomaudit.policy.docs [--check] [FILE]``.

A test renders it and compares it with the committed file, so the docs cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from zoomaudit.controls import CATALOGUE, NO_DEFAULT, TIERS, Control

_HEADER = """\
# Controls

<!-- Generated from src/zoomaudit/controls/catalogue.py by `python -m zoomaudit.policy.docs`.
     Do not edit by hand: a test fails when this file and the catalogue differ. -->

A **control** is one safeguarding setting and the Zoom field that holds it at each tier. Policies
(docs/policies.md) name a control and say what its value must be; the resolver works out the value
in force for each meeting and which tier decided it. Field paths are dotted: meeting paths are
relative to the `GET /meetings/{id}` body (`settings.waiting_room`, or the top-level `password`);
user, group and account paths are relative to the merged settings document of that tier (the default
view plus `?option=meeting_security` and `?option=meeting_authentication`); lock paths are relative
to the merged `lock_settings` document. Facts come from ../shared/zoom-api/settings-map.md.

## How the value in force is decided

First match wins:

| # | tier | when |
| --- | --- | --- |
| 1 | `account_lock` | the account's lock flag is true; the value is the account setting |
| 2 | `group_lock` | the host's deciding group (below) locks it; the value is that group's \
setting (the account's when the group does not state it) |
| 3 | `meeting` | the control has a meeting field and the meeting (or occurrence) states it |
| 4 | `user` | the host's user settings state it |
| 5 | `group` | the host's deciding group states it |
| 6 | `account` | the account settings state it |
| 7 | `default` | Zoom documents a default (the finding says the value was not stated) |

A missing key is **not stated**: it passes to the next tier and is never read as false. When no tier
states a value and Zoom documents no default, the value is unknown and a policy on it gives an
`error` finding ("cannot be judged"), never a pass or a violation.

**A host in several groups.** Zoom: "When a setting is locked at the group level, the lock and its
corresponding setting value are inherited from the user's highest-priority group that has the
setting coupled to it. A locked setting in a lower-priority group has no effect if the user also
belongs to a higher-priority group that manages the same setting", and a group's unselected
settings "are not managed by that group and do not create conflicts"; an account lock wins over
every group (Zoom Library, "New groups and settings management experience", Settings Resolution:
https://library.zoom.com/admin-corner/account-and-endpoint-management/new-groups-and-settings-management-experience-explainer/settings-resolution;
support article KB0073040 "New groups and settings management experience"). So one group decides a
setting for a host, value and lock: the **deciding group**, the host's highest-priority group that
manages the setting. A group **manages** a setting when its settings or lock-settings document
states the setting's field (the key is present); Zoom does not document how an unselected setting
appears in `GET /groups/{id}/settings`, and an absent key is read as "not managed", as it is "not
stated" everywhere else.

Zoom's API does not expose the priority: `GET /groups` and `GET /groups/{id}` answer `id`, `name`
and `total_members`, and `GET /users` answers `group_ids` in no documented order (zoom/rivet-javascript
`users/users.d.ts`: `GroupsListGroupsResponse`, `GroupsGetGroupResponse`, `UsersListUsersResponse`).
The order comes from `ZOOMAUDIT_GROUP_PRIORITY` (docs/configuration.md); a group it does not name
has an unknown rank. The groups that could be the deciding group are the highest-ranked group that
manages the setting and every managing group of unknown rank. When they agree (same value, same
lock) there is no ambiguity. When they disagree, each is tried as the deciding group: if the
verdict input (the value) is the same either way, that value is judged and the finding names the
first candidate's tier; otherwise the finding is `error` ("cannot be judged"), naming the groups,
what each says and `ZOOMAUDIT_GROUP_PRIORITY`. The order in which Zoom lists a host's groups never
decides. The passcode requirement behind `passcode-strength` follows the same deciding group; when
it is unknown, every candidate group's rules apply at once (stricter than Zoom, never looser).

**Alternate fields.** Some settings appear under two names at one tier (the waiting room is both
`in_meeting.waiting_room` and `meeting_security.waiting_room` in user settings). The value is read
from the first field present; the setting counts as locked when any of its lock fields is true.

**Derived values.** A few controls combine several fields into one value; the rule is shown for
each below. Companion fields are read at the deciding tier and, when absent there, at the tiers
below it. Fix values are given in the control's own terms (`screen_share: host`) and turned into the
fields to PATCH; lock-tier fixes take the lock flag (true/false).

**The passcode.** A meeting's stored passcode (or stored empty passcode) decides even when the
account or a group locks "require a passcode": Zoom applies that lock by generating passcodes for
new meetings, and the stored value is what people joining meet. A meeting's passcode is judged from
the meeting alone: a non-empty `password` is a passcode, an empty one is none; without the
`password` key, a `pwd=` in `join_url`, a non-empty `encrypted_password` or a non-empty
`pstn_password` shows a passcode whose text Zoom did not send (passcode-strength: error). When none
of them tells, passcode-required and passcode-strength are errors (cannot be judged): the host's
"require a passcode" setting says nothing of an existing meeting. Rules: `zoomaudit.passcodes`.

**Occurrences.** For one occurrence of a recurring meeting, the meeting tier is the occurrence's own
stored settings (`GET /meetings/{id}?occurrence_id=`).

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _paths(control: Control, tier: str) -> str:
    paths = control.paths(tier)  # type: ignore[arg-type]
    return "<br>".join(f"`{p}`" for p in paths) if paths else "-"


def _control_section(control: Control) -> str:
    lines = [f"### `{control.name}`: {control.title}", ""]
    if control.manual:
        lines += ["**Manual**: Zoom has no API field for this. " + _cell(control.guidance), ""]
    else:
        lines += ["| tier | field |", "| --- | --- |"]
        lines += [f"| {tier} | {_paths(control, tier)} |" for tier in TIERS]
        lines.append("")
        default = (
            "none documented (unknown when unstated)"
            if control.default is NO_DEFAULT
            else f"`{control.default!r}`"
        )
        lines.append(f"- Zoom's default: {default}")
        if control.derive is not None and control.derive.describe:
            lines.append(f"- Value: {_cell(control.derive.describe)}")
        if control.labels:
            words = ", ".join(f"`{v!r}` = {w}" for v, w in control.labels.items())
            lines.append(f"- Values: {_cell(words)}")
        if control.occurrence_fixable:
            lines.append("- Can be fixed for a single occurrence of a recurring meeting.")
        if control.fix_placeholder:
            lines.append(f"- Fix value `{control.fix_placeholder}`: the fix planner fills in the value.")
        for name, path in control.extra_paths.items():
            lines.append(f"- Also reads `{path}` ({name}).")
        if control.cannot_judge:
            values = ", ".join(f"`{v!r}`" for v in control.cannot_judge)
            lines.append(f"- {values}: an answer Zoom does not document; the finding is an error.")
        if control.account_lock_flag:
            lines.append(
                f"- Locked at the account when `{control.account_lock_flag}` in the account *settings* "
                "is true (Zoom keeps this lock beside the setting, not in the lock settings)."
            )
    if control.notes:
        lines.append(f"- Note: {_cell(control.notes)}")
    for source in control.sources:
        lines.append(f"- Source: {_cell(source)}")
    lines.append("")
    return "\n".join(lines)


def render_controls_md() -> str:
    summary = ["## Summary", "", "| control | meeting | user | group | account | group lock | account lock |"]
    summary.append("| --- | --- | --- | --- | --- | --- | --- |")
    for control in CATALOGUE.values():
        if control.manual:
            summary.append(f"| `{control.name}` | manual: no API field | | | | | |")
            continue
        cells = " | ".join(_paths(control, t) for t in TIERS)
        summary.append(f"| `{control.name}` | {cells} |")
    sections = "\n".join(_control_section(c) for c in CATALOGUE.values())
    return _HEADER + "\n".join(summary) + "\n\n## Each control\n\n" + sections.rstrip() + "\n"


def default_path() -> Path:
    return Path(__file__).resolve().parents[3] / "docs" / "controls.md"


USAGE = "usage: python -m zoomaudit.policy.docs [--check] [FILE]  (FILE: docs/controls.md by default)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if any(a.startswith("-") for a in args) or len(args) > 1:
        # Anything else that looks like an option is a mistake, never a file name to write.
        print(USAGE, file=sys.stderr)
        return 0 if set(args) & {"-h", "--help"} else 2
    target = Path(args[0]) if args else default_path()
    text = render_controls_md()
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run python -m zoomaudit.policy.docs", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
