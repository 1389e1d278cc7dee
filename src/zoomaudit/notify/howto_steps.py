"""Where each safeguard is changed in Zoom, by the host or by a Zoom admin (for the host nudge).

One ``Place`` per control used by the built-in policy packs: the option on the meeting's own edit
page, the toggle in the host's Settings (tab, section, name as Zoom labels it), a tip for changing
it during the session, and the Zoom support articles the labels were checked against (2025-2026
copies of support.zoom.com and support.zoom.us, plus university help pages quoting Zoom's labels).
A label we could not check against any source is marked ``confirmed=False``; ``howto`` then
words the step generically ("find the setting named ...") instead of naming a section.
docs/host-steps.md lists the same content for people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """Where one safeguard lives in Zoom's web portal."""

    meeting: tuple[str, str] | None = None
    """On the meeting's edit page: (section, option), e.g. ("Security", "Waiting Room")."""
    settings: tuple[str, str, str] | None = None
    """In Settings: (tab, section, setting name); an empty section when we could not confirm it."""
    detail: str | None = None
    """A sentence after the setting's name: a sub-option to choose, in Zoom's words."""
    in_meeting: str | None = None
    """How the host changes it during the session, when Zoom allows that."""
    admin_only: bool = False
    """Only a Zoom admin sees this setting (account or group settings)."""
    participant: str | None = None
    """What each participant does themselves (a setting no host or admin controls)."""
    confirmed: bool = True
    """False: the setting name comes from Zoom's API wording and was not seen in Zoom's help."""
    sources: tuple[str, ...] = ()


KB = "https://support.zoom.com/hc/en/article?id=zm_kb&sysparm_article="
SETTINGS_LIST = "https://support.zoom.us/hc/en-us/articles/360034675592"  # user settings by tab
WAITING_ROOM = KB + "KB0063329"
MEETING_OPTIONS = "https://support.zoom.us/hc/en-us/articles/115005756143"  # Changing settings
SECURITY_MENU = KB + "KB0061231"
# University help pages that quote Zoom's own labels, where no Zoom article was found:
SCHEDULER = "https://ptshelp.freshservice.com/support/solutions/articles/11000092659"
UMICH_PASSCODES = "https://teamdynamix.umich.edu/TDClient/30/Portal/KB/ArticleDet?ID=3727"
PASSCODE_LIST = "https://uhlcithelp.zendesk.com/hc/en-us/articles/4405826316051"
WR_DETAIL = "Click Edit Options next to Waiting Room to see this choice, then Save."

PLACES: dict[str, Place] = {
    "waiting_room": Place(
        meeting=("Security", "Waiting Room"),
        settings=("Meeting", "Security", "Waiting Room"),
        in_meeting="During the session you can also click Security in the meeting controls and "
        "choose Enable Waiting Room (this lasts for that session only).",
        sources=(WAITING_ROOM, SETTINGS_LIST, SECURITY_MENU, SCHEDULER),
    ),
    "waiting_room_who": Place(
        settings=("Meeting", "Security", "Waiting Room"),
        detail=WR_DETAIL,
        sources=(WAITING_ROOM, SETTINGS_LIST),
    ),
    "waiting_room_admitters": Place(
        settings=("Meeting", "Security", "Waiting Room"),
        detail=WR_DETAIL,
        sources=(WAITING_ROOM,),
    ),
    "waiting_room_host_dropped": Place(
        settings=("Meeting", "Security", "Waiting Room"),
        detail=WR_DETAIL,
        admin_only=True,
        sources=(WAITING_ROOM,),
    ),
    "passcode": Place(
        meeting=("Security", "Passcode"),
        settings=("Meeting", "Security", "Require a passcode when scheduling new meetings"),
        sources=(SETTINGS_LIST, SCHEDULER),
    ),
    "passcode_in_link": Place(
        settings=("Meeting", "Security", "Embed passcode in invite link for one-click join"),
        sources=(UMICH_PASSCODES, PASSCODE_LIST),
    ),
    "phone_passcode": Place(
        settings=("Meeting", "Security", "Require passcode for participants joining by phone"),
        sources=(PASSCODE_LIST,),
    ),
    "meeting_authentication": Place(
        meeting=("Security", "Require authentication to join"),
        settings=("Meeting", "Security", "Only authenticated users can join meetings"),
        sources=(KB + "KB0059862", KB + "KB0066906"),
    ),
    "join_before_host": Place(
        meeting=("Options", "Allow participants to join anytime"),
        settings=("Meeting", "Schedule Meeting", "Allow participants to join before host"),
        sources=(KB + "KB0060501",),
    ),
    "use_pmi": Place(
        meeting=("Meeting ID", "Generate Automatically (not Personal Meeting ID)"),
        settings=("Meeting", "", "Use Personal Meeting ID (PMI) when scheduling a meeting"),
        confirmed=False,
        sources=(SCHEDULER,),
    ),
    "alternative_hosts": Place(
        meeting=("Options", "Alternative hosts"),
        confirmed=False,
    ),
    "registration": Place(
        meeting=("Registration", "Required"),
        sources=("https://gethelp.fuller.edu/support/solutions/articles/18000006362",),
    ),
    "audio": Place(
        meeting=("Audio", "Telephone, Computer Audio or Both"),
        settings=("Meeting", "Schedule Meeting", "Audio type"),
        confirmed=False,
        sources=(SCHEDULER,),
    ),
    "participant_video": Place(
        meeting=("Video", "Participant"),
        settings=("Meeting", "Schedule Meeting", "Participants video"),
        sources=(MEETING_OPTIONS, SCHEDULER),
    ),
    "mute_upon_entry": Place(
        meeting=("Options", "Mute participants upon entry"),
        settings=("Meeting", "", "Mute all participants when they join a meeting"),
        in_meeting="During the session you can also open Participants, click More and choose "
        "Mute participants on entry.",
        confirmed=False,
        sources=("https://security.psu.edu/zoom-meetings/change-while-hosting/",),
    ),
    "focus_mode": Place(
        meeting=("Options", "Enable focus mode when meeting starts"),
        settings=("Meeting", "In Meeting (Advanced)", "Focus Mode"),
        in_meeting="During the session you can also click More in the meeting controls and "
        "choose Start Focus Mode.",
        sources=(KB + "KB0065898",),
    ),
    "continuous_chat": Place(
        meeting=("Meeting chat", "Enable Continuous Meeting Chat"),
        settings=("Meeting", "", "Continuous meeting chat"),
        confirmed=False,
        sources=(KB + "KB0060343",),
    ),
    "screen_share": Place(
        settings=("Meeting", "In Meeting (Basic)", "Screen sharing"),
        detail='Under it, "Who can share?" chooses Host Only or All Participants; switching Screen '
        "sharing off stops everyone sharing.",
        in_meeting="During the session you can also click the arrow next to Share Screen, open "
        'Advanced Sharing Options (newer versions: Host tools for share) and set "Who can '
        'share?"; or click Security and tick or untick Share Screen.',
        sources=(KB + "KB0058641", SECURITY_MENU),
    ),
    "private_chat": Place(
        settings=("Meeting", "In Meeting (Basic)", "Meeting chat - Direct messages"),
        in_meeting="During the session you can also open Chat, click the three dots (More) and "
        "choose who participants can chat with.",
        sources=(KB + "KB0061093", KB + "KB0060343"),
    ),
    "file_transfer": Place(
        settings=("Meeting", "In Meeting (Basic)", "Send files via meeting chat"),
        confirmed=False,
        sources=(KB + "KB0058821", KB + "KB0063370"),
    ),
    "annotation": Place(
        settings=("Meeting", "In Meeting (Basic)", "Annotation"),
        in_meeting="During the session you can also click Security and untick Annotate on Shared Content.",
        confirmed=False,
        sources=(SECURITY_MENU,),
    ),
    "breakout_rooms": Place(
        settings=("Meeting", "In Meeting (Advanced)", "Breakout room"),
        in_meeting="Breakout rooms only open when you or a co-host click Breakout Rooms in the "
        "meeting controls, so you decide in the session whether to use them.",
        confirmed=False,
        sources=(SETTINGS_LIST,),
    ),
    "closed_captions": Place(
        settings=("Meeting", "In Meeting (Advanced)", "Closed captioning"),
        confirmed=False,
        sources=(SETTINGS_LIST,),
    ),
    "auto_recording": Place(
        meeting=("Options", "Automatically record meeting"),
        settings=("Recording", "", "Automatic recording"),
        sources=(KB + "KB0065362",),
    ),
    "local_recording": Place(
        settings=("Recording", "", "Local recording"),
        confirmed=False,
        sources=(KB + "KB0065362",),
    ),
    "recording_consent": Place(
        settings=("Recording", "", "Recording disclaimer"),
        sources=("https://support.zoom.us/hc/en-us/articles/360026909191", KB + "KB0059819"),
    ),
    "ai_summary": Place(
        settings=("AI Companion", "Meeting", "Meeting Summary with AI Companion"),
        detail="Its tick box for starting the summary automatically decides whether a summary "
        "starts on its own.",
        in_meeting="During the session you can also click AI Companion in the meeting controls "
        "and stop the summary.",
        sources=(KB + "KB0057960",),
    ),
    "guest_alert": Place(
        settings=(
            "Meeting",
            "In Meeting (Advanced)",
            "Identify guest participants in the meeting/webinar",
        ),
        admin_only=True,
        sources=(KB + "KB0066590",),
    ),
    "removed_rejoin": Place(
        settings=("Meeting", "In Meeting (Basic)", "Allow removed participants to rejoin"),
        detail="The change counts from the next time a session starts, not in one already running.",
        sources=(KB + "KB0066980",),
    ),
    "self_view": Place(
        participant="Each participant hides their own video: in the Zoom app they right-click "
        "(or open the menu on) their own video and choose Hide Self View.",
        confirmed=False,
    ),
}
