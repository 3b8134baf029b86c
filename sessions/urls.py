from django.urls import path, re_path

from .views import feeds, manage, personal, public, tracks

app_name = "agenda"

CODE = r"(?P<code>[A-Z0-9]{1,12})"
SLUG = r"(?P<congress_slug>[-a-zA-Z0-9_]+)"

urlpatterns = [
    # public, published programme
    path("<slug:congress_slug>/schedule/", public.schedule, name="schedule"),
    path("<slug:congress_slug>/schedule/changes/", public.changelog, name="changelog"),
    path("<slug:congress_slug>/schedule/speakers/", public.speaker_list, name="speakers"),
    path(
        "<slug:congress_slug>/schedule/speakers/<str:code>/",
        public.speaker_detail,
        name="speaker",
    ),
    path(
        "<slug:congress_slug>/schedule/sessions/<str:code>/",
        public.session_detail,
        name="session",
    ),
    re_path(rf"^{SLUG}/schedule/sessions/{CODE}\.ics$", feeds.session_ics, name="session_ics"),
    re_path(rf"^{SLUG}/schedule\.ics$", feeds.schedule_ics, name="schedule_ics"),
    re_path(rf"^{SLUG}/schedule\.json$", feeds.schedule_json, name="schedule_json"),
    re_path(rf"^{SLUG}/schedule\.xml$", feeds.schedule_xml, name="schedule_xml"),
    re_path(
        rf"^{SLUG}/agenda/(?P<token>[-A-Za-z0-9_]{{1,64}})\.ics$",
        feeds.personal_ics,
        name="personal_ics",
    ),
    # the delegate's own agenda (secret link)
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/",
        personal.personal_agenda,
        name="personal",
    ),
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/mark/<str:code>/",
        personal.mark,
        name="personal_mark",
    ),
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/unmark/<str:code>/",
        personal.unmark,
        name="personal_unmark",
    ),
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/sign-up/<str:code>/",
        personal.sign_up,
        name="personal_sign_up",
    ),
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/give-up/<str:code>/",
        personal.cancel_sign_up,
        name="personal_cancel_sign_up",
    ),
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/feed/regenerate/",
        personal.regenerate_feed,
        name="personal_regenerate_feed",
    ),
    path(
        "<slug:congress_slug>/my-agenda/<str:delegate_secret>/feed/revoke/",
        personal.revoke_feed,
        name="personal_revoke_feed",
    ),
    # organisers
    path("<slug:congress_slug>/manage/agenda/", manage.session_list, name="manage_sessions"),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/new/",
        manage.session_create,
        name="manage_session_create",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/",
        manage.session_edit,
        name="manage_session_edit",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/cancel/",
        manage.session_cancel,
        name="manage_session_cancel",
    ),
    path("<slug:congress_slug>/manage/agenda/conflicts/", manage.conflicts, name="conflicts"),
    path("<slug:congress_slug>/manage/agenda/tracks/", tracks.track_list, name="manage_tracks"),
    path(
        "<slug:congress_slug>/manage/agenda/tracks/new/",
        tracks.track_edit,
        name="manage_track_create",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/tracks/<int:track_id>/",
        tracks.track_edit,
        name="manage_track_edit",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/tracks/<int:track_id>/delete/",
        tracks.track_delete,
        name="manage_track_delete",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/tracks/<int:track_id>/move/",
        tracks.track_move,
        name="manage_track_move",
    ),
    path("<slug:congress_slug>/manage/agenda/publish/", manage.publish, name="publish"),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/",
        manage.speaker_list,
        name="manage_speakers",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/new/",
        manage.speaker_edit,
        name="manage_speaker_create",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/<str:code>/",
        manage.speaker_edit,
        name="manage_speaker_edit",
    ),
]
