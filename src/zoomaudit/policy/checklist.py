"""The manual safeguarding checklist: what the guidance asks for that no Zoom setting can show.

Reports print it next to the findings (docs/safeguarding.md explains each item). The wording is
zoomaudit's own summary of the guidance behind the pack, written for hosts and safeguarding leads.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    what_to_do: str
    policy_id: str | None = None
    """The pack policy that covers part of it, if any."""


MANUAL_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "self-view",
        "Hiding self-view",
        "Tell participants they can hide their own video from themselves in the Zoom app; others still "
        "see them. It helps people who find seeing themselves distressing.",
        "hide-self-view",
    ),
    ChecklistItem(
        "safe-word",
        "A safe word",
        "Agree a word or phrase with each participant at risk that means 'I have to go now' or 'I am "
        "not safe', and what you will do when you hear it.",
    ),
    ChecklistItem(
        "signal-for-help",
        "Signal for Help",
        "Show people the one-handed Signal for Help gesture and make sure every facilitator knows it "
        "and what to do when they see it.",
    ),
    ChecklistItem(
        "private-space",
        "A safe, private place to join from",
        "Check at the start, privately if you can, that each person can talk without being overheard "
        "or seen by someone who could harm them.",
    ),
    ChecklistItem(
        "group-agreements",
        "Group agreements",
        "Agree with the group how it will work: cameras and microphones, the chat, taking turns to "
        "talk, and how anyone can get one-to-one help outside the group.",
    ),
    ChecklistItem(
        "holding-screen",
        "A holding screen with the rules",
        "While people join, share a slide with the session's rules, tips for carers and the "
        "safeguarding lead's contact details.",
    ),
    ChecklistItem(
        "identity-check",
        "Identity check at the door",
        "The person admitting people checks that each camera image fits the account name, for example "
        "that no adult is posing as a young person.",
        "waiting-room",
    ),
    ChecklistItem(
        "second-person",
        "A second person running access",
        "Have a second member of staff admit people, watch the chat and control cameras and "
        "microphones while the lead runs the session.",
        "alternative-host",
    ),
    ChecklistItem(
        "breakout-facilitators",
        "Facilitated breakout rooms",
        "Only open breakout rooms that a facilitator can staff, and use one for a private conversation "
        "when someone starts to disclose harm in the group.",
        "breakout-rooms-available",
    ),
    ChecklistItem(
        "safeguarding-lead",
        "Safeguarding lead available",
        "Confirm the safeguarding lead can be reached during and after the session; if not, postpone it.",
    ),
    ChecklistItem(
        "carers",
        "Expectations for carers",
        "Ask carers to supervise online sessions as they would in person, to talk with the child or "
        "adult afterwards, and to remove surnames from display names.",
    ),
    ChecklistItem(
        "debrief",
        "Debriefing",
        "Offer participants and facilitators a chance to reflect and debrief after intense group work.",
    ),
    ChecklistItem(
        "removed-rejoin",
        "Removed people stay out",
        "In the Zoom web portal (Settings, Meeting, In Meeting (Basic)) keep 'Allow removed participants "
        "to rejoin' off, locked by an admin, so a person the host removes cannot come straight back.",
        "removed-cannot-rejoin",
    ),
)
