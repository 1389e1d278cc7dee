"""How a host changes a setting in Zoom, step by step, for the host nudge e-mail.

``steps_for(finding)`` gives the steps for one violation, from where its value was decided: a
meeting's own setting is changed by editing the meeting; a host's default in the host's own
settings; a value locked by the account or a group only by a Zoom admin.
"""

from __future__ import annotations

from zoomaudit.findings import Finding

WEB_PORTAL = "https://zoom.us/meeting"
PROFILE_SETTINGS = "https://zoom.us/profile/setting"


def steps_for(finding: Finding, expected_text: str) -> list[str]:
    """The steps for one violation; ``expected_text`` is the value to set, in words."""
    from zoomaudit.controls import CATALOGUE

    control = CATALOGUE.get(finding.control)
    name = control.title if control is not None else finding.control.replace("_", " ")
    if finding.locked or (finding.source or "").endswith("lock") or finding.source in ("account", "group"):
        return [
            f"This setting ({name}) is decided by your organisation's Zoom account, not by you.",
            "Forward this e-mail to your Zoom admin or safeguarding lead and ask them to change it.",
        ]
    if finding.source == "meeting":
        return [
            f"Sign in at {WEB_PORTAL} and open Meetings.",
            f'Click the meeting "{finding.topic or finding.meeting_id}", then Edit.',
            f'Set "{name}" to: {expected_text}.',
            'Click Save. A recurring meeting: choose "All occurrences" when asked.',
        ]
    return [
        f"Sign in at {PROFILE_SETTINGS} (Settings).",
        f'Find "{name}" and set it to: {expected_text}.',
        "This changes your default for new meetings; edit existing meetings too if they still "
        "show the old value.",
    ]
