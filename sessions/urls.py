from django.urls import path, re_path

from .views import (
    abstracts,
    attendance,
    availability,
    blocks,
    breaks,
    cfp,
    cfp_manage,
    cfp_review,
    cfp_setup,
    cfp_speaker,
    editor,
    feeds,
    formats,
    manage,
    personal,
    printing,
    public,
    screens,
    slides,
    speaker_tools,
    tags,
    tracks,
    versions,
    widget,
)

app_name = "agenda"

CODE = r"(?P<code>[A-Z0-9]{1,12})"
SLUG = r"(?P<congress_slug>[-a-zA-Z0-9_]+)"

CFP_PROPOSAL = "<slug:congress_slug>/proposals/<str:proposal_secret>/"
CFP_PERSON = "<slug:congress_slug>/speaking/<str:person_secret>/"
REVIEW = "<slug:congress_slug>/manage/review/<slug:call_slug>/"
CALL = "<slug:congress_slug>/manage/calls/<slug:call_slug>/"

urlpatterns = [
    # calls for proposals: public, without an account
    path("<slug:congress_slug>/calls/", cfp.call_list, name="cfp_calls"),
    path("<slug:congress_slug>/calls/<slug:call_slug>/", cfp.call_detail, name="cfp_call"),
    path(CFP_PROPOSAL, cfp.proposal_detail, name="cfp_proposal"),
    path(f"{CFP_PROPOSAL}withdraw/", cfp.proposal_withdraw, name="cfp_withdraw"),
    path(f"{CFP_PROPOSAL}people/", cfp.person_add, name="cfp_person_add"),
    path(
        f"{CFP_PROPOSAL}people/<int:person_id>/remove/",
        cfp.person_remove,
        name="cfp_person_remove",
    ),
    path(f"{CFP_PERSON}", cfp.person_detail, name="cfp_person"),
    path(
        f"{CFP_PERSON}unavailable/",
        cfp_speaker.unavailability_add,
        name="cfp_person_unavailability",
    ),
    path(
        f"{CFP_PERSON}slides/",
        cfp_speaker.slides_upload,
        name="cfp_person_slides",
    ),
    path(
        f"{CFP_PERSON}slides/<str:slides_code>/remove/",
        cfp_speaker.slides_remove,
        name="cfp_person_slides_remove",
    ),
    path(
        f"{CFP_PERSON}paid-registration/<str:order_code>/refund/",
        cfp_speaker.paid_offer_accept,
        name="cfp_person_paid_offer_accept",
    ),
    path(
        f"{CFP_PERSON}paid-registration/<str:order_code>/keep/",
        cfp_speaker.paid_offer_decline,
        name="cfp_person_paid_offer_decline",
    ),
    path(
        f"{CFP_PERSON}unavailable/<int:gap_id>/remove/",
        cfp_speaker.unavailability_remove,
        name="cfp_person_unavailability_remove",
    ),
    # review (proposals.review)
    path("<slug:congress_slug>/manage/review/", cfp_review.review_index, name="review_index"),
    path(f"{REVIEW}", cfp_review.review_list, name="review_list"),
    path(f"{REVIEW}next/", cfp_review.review_next, name="review_next"),
    path(f"{REVIEW}<str:proposal_code>/", cfp_review.review_proposal, name="review_proposal"),
    path(
        f"{REVIEW}<str:proposal_code>/json/",
        cfp_review.review_proposal_json,
        name="review_proposal_json",
    ),
    # calls for proposals: the organisers' side
    path("<slug:congress_slug>/manage/calls/", cfp_manage.call_list, name="manage_calls"),
    path(f"{CALL}", cfp_manage.call_detail, name="manage_call"),
    path(f"{CALL}assign/", cfp_manage.assign, name="manage_call_assign"),
    path(f"{CALL}reviewer/", cfp_manage.reviewer_profile, name="manage_call_reviewer"),
    path(
        f"{CALL}phases/<int:phase_id>/activate/",
        cfp_manage.phase_activate,
        name="manage_call_phase_activate",
    ),
    path(
        f"{CALL}parts/<slug:kind>/<int:part_id>/",
        cfp_setup.part_edit,
        name="manage_call_part",
    ),
    path(
        f"{CALL}parts/<slug:kind>/<int:part_id>/delete/",
        cfp_setup.part_delete,
        name="manage_call_part_delete",
    ),
    path(
        f"{CALL}parts/<slug:kind>/<int:part_id>/move/",
        cfp_setup.part_move,
        name="manage_call_part_move",
    ),
    path(f"{CALL}committee/", cfp_manage.committee, name="manage_call_committee"),
    path(f"{CALL}committee/send/", cfp_manage.send_decisions, name="manage_call_send"),
    path(f"{CALL}committee/remind/", cfp_manage.remind, name="manage_call_remind"),
    path("<slug:congress_slug>/manage/abstracts/", abstracts.abstracts, name="manage_abstracts"),
    path(
        "<slug:congress_slug>/manage/abstracts.pdf",
        abstracts.abstracts_pdf,
        name="manage_abstracts_pdf",
    ),
    # public, published programme
    path("<slug:congress_slug>/schedule/", public.schedule, name="schedule"),
    path("<slug:congress_slug>/schedule/changes/", public.changelog, name="changelog"),
    path(
        "<slug:congress_slug>/schedule/abstracts/",
        abstracts.public_abstracts,
        name="abstracts",
    ),
    path(
        "<slug:congress_slug>/schedule/abstracts.pdf",
        abstracts.public_abstracts_pdf,
        name="abstracts_pdf",
    ),
    path("<slug:congress_slug>/schedule/language/", public.choose_language, name="language"),
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
    path(
        "<slug:congress_slug>/schedule/sessions/<str:code>/slides/<str:slides_code>/",
        slides.slides_download,
        name="session_slides",
    ),
    re_path(rf"^{SLUG}/schedule/sessions/{CODE}\.ics$", feeds.session_ics, name="session_ics"),
    re_path(rf"^{SLUG}/schedule\.ics$", feeds.schedule_ics, name="schedule_ics"),
    re_path(rf"^{SLUG}/schedule\.json$", feeds.schedule_json, name="schedule_json"),
    re_path(rf"^{SLUG}/schedule\.xml$", feeds.schedule_xml, name="schedule_xml"),
    re_path(
        rf"^{SLUG}/schedule\.c3voc\.json$",
        feeds.schedule_c3voc_json,
        name="schedule_c3voc_json",
    ),
    re_path(
        rf"^{SLUG}/agenda/(?P<token>[-A-Za-z0-9_]{{1,64}})\.ics$",
        feeds.personal_ics,
        name="personal_ics",
    ),
    # "now and next" screens at room doors and in the foyer
    path("<slug:congress_slug>/screens/", screens.venue_screen, name="screen_venue"),
    path(
        "<slug:congress_slug>/screens/now.json", screens.venue_screen_json, name="screen_venue_json"
    ),
    path(
        "<slug:congress_slug>/screens/rooms/<int:room_id>/",
        screens.room_screen,
        name="screen_room",
    ),
    path(
        "<slug:congress_slug>/screens/rooms/<int:room_id>/now.json",
        screens.room_screen_json,
        name="screen_room_json",
    ),
    # the programme widget for the congress's own website (iframe variant)
    path("<slug:congress_slug>/widget/", widget.widget_page, name="widget"),
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
        "<slug:congress_slug>/manage/agenda/attendance/",
        attendance.attendance_sessions,
        name="attendance_sessions",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/attendance/",
        attendance.attendance_list,
        name="attendance_list",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/attendance/scan/",
        attendance.attendance_scan,
        name="attendance_scan",
    ),
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
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/slides/<str:slides_code>/remove/",
        slides.slides_remove,
        name="manage_session_slides_remove",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/cancel/",
        manage.session_cancel,
        name="manage_session_cancel",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/editor/",
        editor.editor_start,
        name="manage_editor_start",
    ),
    path("<slug:congress_slug>/manage/agenda/editor/move/", editor.editor_move, name="editor_move"),
    path(
        "<slug:congress_slug>/manage/agenda/editor/unschedule/",
        editor.editor_unschedule,
        name="editor_unschedule",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/editor/changes/",
        editor.editor_changes,
        name="editor_changes",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/editor/<str:day>/", editor.editor, name="manage_editor"
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/<str:code>/unavailable/",
        availability.unavailability_add,
        name="manage_speaker_unavailability",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/<str:code>/unavailable/<int:block_id>/delete/",
        availability.unavailability_delete,
        name="manage_speaker_unavailability_delete",
    ),
    path("<slug:congress_slug>/manage/agenda/conflicts/", manage.conflicts, name="conflicts"),
    path("<slug:congress_slug>/manage/agenda/formats/", formats.format_list, name="manage_formats"),
    path(
        "<slug:congress_slug>/manage/agenda/formats/<slug:format>/",
        formats.format_edit,
        name="manage_format_edit",
    ),
    path("<slug:congress_slug>/manage/agenda/tags/", tags.tag_list, name="manage_tags"),
    path(
        "<slug:congress_slug>/manage/agenda/tags/new/",
        tags.tag_edit,
        name="manage_tag_create",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/tags/<int:tag_id>/",
        tags.tag_edit,
        name="manage_tag_edit",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/tags/<int:tag_id>/delete/",
        tags.tag_delete,
        name="manage_tag_delete",
    ),
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
        "<slug:congress_slug>/manage/agenda/screens-and-widget/",
        widget.manage_widget,
        name="manage_widget",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/",
        manage.speaker_list,
        name="manage_speakers",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/search/",
        speaker_tools.speaker_search,
        name="manage_speaker_search",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/speakers/merge/",
        speaker_tools.speaker_merge,
        name="manage_speaker_merge",
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
    # breaks across rooms
    path("<slug:congress_slug>/manage/agenda/breaks/", breaks.break_list, name="manage_breaks"),
    path(
        "<slug:congress_slug>/manage/agenda/breaks/new/",
        breaks.break_edit,
        name="manage_break_create",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/breaks/<str:break_code>/",
        breaks.break_edit,
        name="manage_break_edit",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/breaks/<str:break_code>/delete/",
        breaks.break_delete,
        name="manage_break_delete",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/breaks/<str:break_code>/copy/",
        breaks.break_copy,
        name="manage_break_copy",
    ),
    # contributions of a session block
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/contributions/new/",
        blocks.contribution_edit,
        name="manage_contribution_create",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/contributions/<str:contribution_code>/",
        blocks.contribution_edit,
        name="manage_contribution_edit",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/contributions/<str:contribution_code>/delete/",
        blocks.contribution_delete,
        name="manage_contribution_delete",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/sessions/<str:code>/contributions/<str:contribution_code>/move/",
        blocks.contribution_move,
        name="manage_contribution_move",
    ),
    # published versions and printing
    path(
        "<slug:congress_slug>/manage/agenda/versions/",
        versions.version_list,
        name="manage_versions",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/versions/<int:number>/",
        versions.version_detail,
        name="manage_version",
    ),
    path("<slug:congress_slug>/manage/agenda/print/", printing.print_index, name="manage_print"),
    path(
        "<slug:congress_slug>/manage/agenda/print/day/<str:day>.pdf",
        printing.print_day,
        name="manage_print_day",
    ),
    path(
        "<slug:congress_slug>/manage/agenda/print/rooms/<int:room_id>.pdf",
        printing.print_room,
        name="manage_print_room",
    ),
]
