"""Safeguarding measures zoomaudit cannot see through Zoom's API: a checklist for people.

Paraphrased from the two safeguarding documents behind zoomaudit (../shared/guidance/): a
safeguarding card for video-based services, and an article on running online sessions safely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    text: str


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "self-view",
        "Hiding self-view",
        "Tell participants they can stop seeing their own video while others still see them. "
        "People who find their own image distressing (for example with body dysmorphia or after "
        "trauma) often feel more at ease with it hidden.",
    ),
    ChecklistItem(
        "safe-word",
        "A safe word",
        "Agree a code word or phrase with each participant beforehand. Saying it lets them end the "
        "call at once, for example when someone who puts them at risk walks in, and tells staff "
        "that a follow-up is needed.",
    ),
    ChecklistItem(
        "signal-for-help",
        "Signal for Help",
        "Show vulnerable participants the Signal for Help hand gesture, a silent one-handed sign "
        "that someone is at risk and needs help.",
    ),
    ChecklistItem(
        "group-agreements",
        "Group agreements",
        "Agree ground rules before a group call so everyone knows what will happen, how to speak "
        "up, and how to ask for support privately, away from the group.",
    ),
    ChecklistItem(
        "breakout-facilitators",
        "Facilitated breakout rooms",
        "Open breakout rooms only when a facilitator can support each one. A breakout room is also "
        "the place for a one-to-one talk, for instance after someone discloses harm in the group.",
    ),
    ChecklistItem(
        "debriefing",
        "Debriefing",
        "Group video sessions can be draining. Leave time afterwards for participants and "
        "facilitators to reflect and be supported, so nobody is left upset or re-traumatised.",
    ),
    ChecklistItem(
        "holding-screen",
        "Holding screen with the safeguarding contact",
        "While people join, share a slide that sets out the session's rules (cameras, microphones, "
        "chat) and names the safeguarding lead with their contact details.",
    ),
    ChecklistItem(
        "second-person",
        "A second person controlling access",
        "Have a second staff member run the session's access while the lead runs the activity: "
        "admitting people from the waiting room, checking that each camera shows the person the "
        "account claims to be, and managing microphones and cameras.",
    ),
    ChecklistItem(
        "safeguarding-lead",
        "Safeguarding lead available",
        "Make sure the safeguarding lead can be reached during the session; if not, move the "
        "session to a time when they can.",
    ),
    ChecklistItem(
        "private-space",
        "A safe, private place to talk",
        "Check that each participant can join from somewhere quiet and private, where they cannot "
        "be overheard or seen by someone who could harm them.",
    ),
)
