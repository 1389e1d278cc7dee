"""A realistic Business account's settings and locks, shared by the demo and synthetic accounts.

Field names follow settings-map.md §2 (current names). Values are what a small charity on a
Business plan typically has: Zoom's "secure every meeting" rule on, passcodes required, the
waiting room on by default, private chat still on (Zoom's default) and nothing locked except
what an admin deliberately locked.
"""

from __future__ import annotations

import base64
import copy
import hashlib

from zoomaudit.sandbox.state import Doc

PASSCODE_REQUIREMENT: Doc = {
    "length": 6,
    "have_letter": False,
    "have_number": False,
    "have_special_character": False,
    "have_upper_and_lower_characters": False,
    "only_allow_numeric": False,
    "consecutive_characters_length": 0,
    "weak_enhance_detection": True,
}


def zoom_id(seed: str, length: int = 22) -> str:
    """A deterministic id that looks like Zoom's (base64url, no padding)."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode().rstrip("=")[:length]


def account_settings(domain: str) -> Doc:
    return _with_records_and_presence(
        _with_records_and_presence(_core_settings(domain)), WAITING_ROOM_OPTIONS
    )


def _core_settings(domain: str) -> Doc:
    return {
        "schedule_meeting": {
            "host_video": False,
            "participant_video": False,
            "allow_host_to_disable_participant_video": True,
            "audio_type": "both",
            "join_before_host": False,
            "jbh_time": 5,
            "enforce_login": False,
            "enforce_login_with_domains": False,
            "enforce_login_domains": "",
            "not_store_meeting_topic": False,
            "force_pmi_jbh_password": True,
            "require_password_for_scheduling_new_meetings": True,
            "require_password_for_scheduled_meetings": True,
            "require_password_for_instant_meetings": True,
            "require_password_for_pmi_meetings": "all",
            "meeting_password_requirement": dict(PASSCODE_REQUIREMENT),
            "personal_meeting": True,
            "use_pmi_for_scheduled_meetings": False,
            "use_pmi_for_instant_meetings": False,
        },
        "in_meeting": {
            "allow_participants_to_rename": True,
            "allow_participants_chat_with": 4,
            "allow_users_save_chats": 2,
            "annotation": False,
            "attention_mode_focus_mode": True,
            "auto_saving_chat": False,
            "breakout_room": True,
            "breakout_room_schedule": True,
            "chat": True,
            "closed_caption": True,
            "closed_captioning": {"enable": True, "auto_transcribing": True, "save_caption": False},
            "co_host": True,
            "custom_data_center_regions": False,
            "disable_screen_sharing_for_host_meetings": False,
            "disable_screen_sharing_for_in_meeting_guests": False,
            "e2e_encryption": False,
            "entry_exit_chime": "none",
            "far_end_camera_control": False,
            "feedback": False,
            "file_transfer": False,
            "meeting_reactions": True,
            "non_verbal_feedback": True,
            "polling": True,
            "private_chat": True,
            "remote_control": False,
            "request_permission_to_unmute_participants": False,
            "screen_sharing": True,
            "show_meeting_control_toolbar": False,
            "virtual_background": True,
            "whiteboard": True,
            "who_can_share_screen": "host",
            "who_can_share_screen_when_someone_is_sharing": "host",
            "participants_share_simultaneously": "one",
        },
        "email_notification": {
            "cloud_recording_available_reminder": True,
            "jbh_reminder": True,
            "cancel_meeting_reminder": True,
            "alternative_host_reminder": True,
            "schedule_for_reminder": True,
        },
        "recording": {
            "auto_recording": "none",
            "cloud_recording": True,
            "local_recording": True,
            "record_speaker_view": True,
            "save_chat_text": True,
            "show_timestamp": True,
            "recording_audio_transcript": False,
            "account_user_access_recording": True,
            "prevent_host_access_recording": False,
        },
        "telephony": {
            "third_party_audio": False,
            "audio_conference_info": "",
        },
        "feature": {"meeting_capacity": 300},  # an account/user section only
        "meeting_security": {
            "auto_security": True,
            "block_user_domain": False,
            "block_user_domain_list": [],
            "embed_password_in_join_link": True,
            "encryption_type": "enhanced_encryption",
            "end_to_end_encrypted_meetings": False,
            "meeting_password": True,
            "meeting_password_requirement": dict(PASSCODE_REQUIREMENT),
            "only_authenticated_can_join_from_webclient": False,
            "phone_password": True,
            "pmi_password": True,
            "require_password_for_scheduled_meeting": True,
            "require_password_for_scheduled_webinar": False,
            "waiting_room": True,
            "waiting_room_settings": {
                "participants_to_place_in_waiting_room": 0,
                "users_who_can_admit_participants_from_waiting_room": 0,
                "whitelisted_domains_for_waiting_room": "",
            },
            "webinar_password": False,
        },
        "meeting_authentication": False,
        "allow_authentication_exception": True,
        "authentication_options": [
            {
                "id": zoom_id(f"auth-zoom-{domain}"),
                "name": "Signed in to Zoom",
                "type": "enforce_login",
                "default_option": True,
                "visible": True,
            },
            {
                "id": zoom_id(f"auth-domain-{domain}"),
                "name": "Staff and partner organisations",
                "type": "enforce_login_with_domains",
                "domains": domain,
                "default_option": False,
                "visible": True,
            },
        ],
    }


# The account's newer waiting-room options (zoom/rivet-javascript 0.4.0
# AccountsGetAccountSettingsResponse.meeting_security.waiting_room_options, shaped like the ZoomNet
# sample accounts-{accountId}-settings_GET.json). They agree with waiting_room_settings: everyone
# waits (admit_type 1), only hosts and co-hosts admit, invited users do not bypass, and people go
# back to the waiting room when the host drops. The options are not locked.
WAITING_ROOM_OPTIONS: Doc = {
    "meeting_security": {
        "waiting_room_options": {
            "enable": True,
            "locked": False,
            "admit_type": 1,
            "internal_user_auto_admit": 1,
            "admit_domain_allowlist": "",
            "who_can_admit_participants": 0,
            "sort_order_of_people": 0,
            "more_options": {
                "user_invited_by_host_can_bypass_waiting_room": False,
                "move_participants_to_waiting_room_when_host_dropped": True,
                "allow_participants_to_reply_to_host": True,
            },
        }
    }
}


def account_locks() -> Doc:
    """Nothing locked yet; the demo and generator lock what they mean to."""
    return _with_records_and_presence(_core_locks(), RECORDS_AND_PRESENCE_LOCKS)


def _core_locks() -> Doc:
    return {
        "schedule_meeting": {
            "audio_type": False,
            "embed_password_in_join_link": False,
            "host_video": False,
            "join_before_host": False,
            "meeting_authentication": False,
            "participant_video": False,
            "require_password_for_instant_meetings": False,
            "require_password_for_pmi_meetings": False,
            "require_password_for_scheduling_new_meetings": False,
            "use_pmi_for_instant_meetings": False,
            "use_pmi_for_scheduled_meetings": False,
        },
        "in_meeting": {
            "annotation": False,
            "attention_mode_focus_mode": False,
            "auto_saving_chat": False,
            "breakout_room": False,
            "chat": False,
            "closed_caption": False,
            "co_host": False,
            "file_transfer": False,
            "private_chat": False,
            "remote_control": False,
            "request_permission_to_unmute_participants": False,
            "screen_sharing": False,
            "whiteboard": False,
        },
        "recording": {"auto_recording": False, "cloud_recording": False, "local_recording": False},
        "meeting_security": {
            "auto_security": False,
            "block_user_domain": False,
            "embed_password_in_join_link": False,
            "encryption_type": False,
            "end_to_end_encrypted_meetings": False,
            "meeting_password": False,
            "only_authenticated_can_join_from_webclient": False,
            "phone_password": False,
            "pmi_password": False,
            "waiting_room": False,
            "webinar_password": False,
        },
    }


# What a session leaves behind and who is in the room (the controls of
# zoomaudit/controls/catalogue_records.py), as zoom/rivet-javascript 0.4.0 types them for the
# account (AccountsGetAccountSettingsResponse / AccountsGetLockedSettingsResponse). The charity
# keeps continuous chat off and automatic AI summaries off, shows a recording disclaimer that asks
# for consent, marks guests, and (as before) lets people record locally.
RECORDS_AND_PRESENCE_SETTINGS: Doc = {
    "schedule_meeting": {
        "continuous_meeting_chat": {
            "enable": False,
            "can_add_external_users": False,
            "auto_add_invited_external_users": False,
        },
    },
    "in_meeting": {
        "alert_guest_join": True,
        "meeting_summary_with_ai_companion": {
            "enable": True,
            "auto_enable": False,
            "who_will_receive_summary": 1,
        },
    },
    "recording": {
        "recording_disclaimer": True,
        "ask_participants_to_consent_disclaimer": True,
        "ask_host_to_confirm_disclaimer": False,
    },
}
RECORDS_AND_PRESENCE_LOCKS: Doc = {
    "schedule_meeting": {"continuous_meeting_chat": False},
    "in_meeting": {"alert_guest_join": False},
}


def _with_records_and_presence(doc: Doc, later: Doc | None = None) -> Doc:
    """A deep copy of ``doc`` with those settings (or ``later``) merged into its sections."""
    out = copy.deepcopy(doc)
    for section, values in (RECORDS_AND_PRESENCE_SETTINGS if later is None else later).items():
        out.setdefault(section, {}).update(copy.deepcopy(values))
    return out
