"""Every state change of the agenda app. Admin, forms, API and commands call these only."""

from .formats import save_format_setting
from .personal import (
    cancel_signup,
    get_or_create_agenda,
    mark_session,
    regenerate_feed_token,
    revoke_feed_token,
    sign_up,
    unmark_session,
)
from .programme import (
    SavedSession,
    cancel_session,
    create_session,
    create_speaker,
    create_track,
    delete_track,
    move_track,
    save_room,
    update_session,
    update_speaker,
    update_track,
)
from .publishing import preview_changes, publish_schedule
from .scheduling import Conflict, check_session, congress_conflicts
from .tags import create_tag, delete_tag, update_tag
from .widget import save_widget_origins

__all__ = [
    "Conflict",
    "SavedSession",
    "cancel_session",
    "cancel_signup",
    "check_session",
    "congress_conflicts",
    "create_session",
    "create_speaker",
    "create_tag",
    "create_track",
    "delete_tag",
    "delete_track",
    "move_track",
    "get_or_create_agenda",
    "mark_session",
    "preview_changes",
    "publish_schedule",
    "regenerate_feed_token",
    "revoke_feed_token",
    "save_format_setting",
    "save_room",
    "save_widget_origins",
    "sign_up",
    "unmark_session",
    "update_session",
    "update_speaker",
    "update_tag",
    "update_track",
]
