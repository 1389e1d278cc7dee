"""How a host changes a setting in Zoom, step by step, for the host nudge e-mail.

``steps_for(finding, expected_text)`` gives the steps for one violation, from where its value was
decided: a meeting's own setting is changed by editing the meeting; a host's default in the host's
own Settings; a value locked by the account or a group (or a setting only admins have) only by a
Zoom admin, so the host is asked to forward the e-mail. Where each setting lives in Zoom is in
``howto_steps.PLACES``. Steps are plain sentences for a non-technical reader: no field names, and
never a passcode (the finding's actual value is never read here).
"""

from __future__ import annotations

from typing import Any

from zoomaudit.findings import Finding
from zoomaudit.notify.howto_steps import PLACES, Place

WEB_PORTAL = "https://zoom.us/meeting"
PROFILE_SETTINGS = "https://zoom.us/profile/setting"
ADMIN_SOURCES = ("account", "group", "account_lock", "group_lock")


def steps_for(finding: Finding, expected_text: str) -> list[str]:
    """The steps for one violation; ``expected_text`` is the value to set, in words."""
    name = _name(finding.control)
    want = _passcode_rule(finding.expected) if finding.control == "passcode" else expected_text
    place = PLACES.get(finding.control)
    if place is None:
        return _generic(finding, name, want)
    if place.participant is not None:
        return _participant(name, place.participant)
    if _admin_decides(finding) or place.admin_only or (place.meeting is None and not place.settings):
        return _ask_admin(finding, name, want, place)
    if place.meeting is not None and (finding.source == "meeting" or place.settings is None):
        return _meeting(finding, name, want, place)
    return _settings(name, want, place)


def _name(control: str) -> str:
    from zoomaudit.controls import CATALOGUE

    entry = CATALOGUE.get(control)
    return entry.title if entry is not None else control.replace("_", " ")


def _admin_decides(finding: Finding) -> bool:
    return finding.locked or (finding.source or "") in ADMIN_SOURCES


def _passcode_rule(expected: Any) -> str:
    """What a good passcode is, in words, from the policy's rule (never from the passcode)."""
    rule = expected if isinstance(expected, dict) else {}
    if isinstance(rule.get("params"), dict):
        rule = rule["params"]
    length = rule.get("length")
    size = length if isinstance(length, int) and length > 0 else 8
    kinds = ["letters", "numbers"]
    if rule.get("have_upper_and_lower_characters"):
        kinds[0] = "upper- and lower-case letters"
    if rule.get("have_special_character"):
        kinds.append("a symbol such as ! or #")
    text = f"a new passcode of at least {size} characters with {', '.join(kinds[:-1])}"
    text += f" and {kinds[-1]}"
    if rule.get("consecutive_characters_length"):
        text += ", with no runs such as 1234 or aaaa"
    return text


def _want_sentence(finding: Finding, label: str, want: str) -> str:
    if finding.control == "passcode":
        return f'Tick "{label}" and type {want}, or let Zoom create one.'
    return f'Set "{label}" to: {want}.'


def _meeting(finding: Finding, name: str, want: str, place: Place) -> list[str]:
    assert place.meeting is not None
    section, option = place.meeting
    title = finding.topic or (f"with ID {finding.meeting_id}" if finding.meeting_id else "")
    steps = [
        f"Sign in at {WEB_PORTAL} (Meetings).",
        f'Click the meeting "{title}", then Edit.'
        if finding.topic
        else f"Click the meeting {title}, then Edit.",
    ]
    if place.confirmed:
        steps.append(f'Go to the "{section}" part of the page.')
        steps.append(_want_sentence(finding, option, want))
    else:
        steps.append(f'Find the option for {name} (Zoom calls it "{option}").')
        steps.append(f"Set it to: {want}." if finding.control != "passcode" else f"Set {want}.")
    steps.append('Click Save. For a recurring meeting, choose "All occurrences" when asked.')
    return steps + _tip(place)


def _settings(name: str, want: str, place: Place) -> list[str]:
    assert place.settings is not None
    tab, section, label = place.settings
    steps = [f"Sign in at {PROFILE_SETTINGS} (Settings)."]
    if place.confirmed and section:
        steps.append(f'Open the "{tab}" tab, then the "{section}" section.')
        steps.append(f'Find "{label}" and set it to: {want}.')
    elif place.confirmed:
        steps.append(f'Open the "{tab}" tab.')
        steps.append(f'Find "{label}" and set it to: {want}.')
    else:
        steps.append(f'Open the "{tab}" tab and find the setting named "{label}" (about {name}).')
        steps.append(f"Set it to: {want}.")
    steps += [place.detail] if place.detail else []
    steps.append(
        "This changes your own default for sessions you host. If the switch is grey with a "
        "padlock, your organisation has fixed it: forward this e-mail to your Zoom admin."
    )
    if place.meeting is not None:
        steps.append("Sessions you have already scheduled keep their own setting: edit them too.")
    return steps + _tip(place)


def _ask_admin(finding: Finding, name: str, want: str, place: Place) -> list[str]:
    where = (
        "your group in your organisation's Zoom account"
        if "group" in (finding.source or "")
        else "your organisation's Zoom account"
    )
    steps = [
        f"You cannot change this yourself: {name} is set for {where}.",
        f"Forward this e-mail to your Zoom admin or safeguarding lead and ask them to set it to: {want}.",
    ]
    if place.settings is not None:
        tab, section, label = place.settings
        part = f'"{tab}" tab, "{section}" section' if section else f'"{tab}" tab'
        steps.append(
            f"Where they change it: in the Zoom web portal, Admin > Account Management > Account "
            f'Settings (or User Management > Groups > the group), {part}, the setting named "{label}". '
            "They can lock it so it stays that way."
        )
        steps += [place.detail] if place.detail else []
    else:
        steps.append(
            "Where they change it: in the Zoom web portal, Admin > Account Management > Account "
            "Settings (or User Management > Groups > the group), Meeting tab."
        )
    return steps


def _participant(name: str, how: str) -> list[str]:
    return [
        f"Zoom has no switch for the host here: {name} is each participant's own choice.",
        how,
        "Tell participants about it before the session, or at its start.",
    ]


def _tip(place: Place) -> list[str]:
    return [place.in_meeting] if place.in_meeting else []


def _generic(finding: Finding, name: str, want: str) -> list[str]:
    if _admin_decides(finding):
        return [
            f"You cannot change this yourself: {name} is set for your organisation's Zoom account.",
            f"Forward this e-mail to your Zoom admin or safeguarding lead and ask them to set it to: {want}.",
        ]
    if finding.source == "meeting":
        return [
            f"Sign in at {WEB_PORTAL} (Meetings).",
            f'Click the meeting "{finding.topic or finding.meeting_id}", then Edit.',
            f"Find the option for {name} and set it to: {want}.",
            'Click Save. For a recurring meeting, choose "All occurrences" when asked.',
        ]
    return [
        f"Sign in at {PROFILE_SETTINGS} (Settings).",
        f"Find the setting for {name} and set it to: {want}.",
    ]
