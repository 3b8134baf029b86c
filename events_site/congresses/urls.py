from django.urls import path

from . import api_token_views, congress_pages, team_pages, venue_pages, views

app_name = "congresses"

urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.dashboard, name="dashboard"),
    path("manage/congresses/new/", congress_pages.congress_new, name="congress_new"),
    path("manage/invitations/<str:secret>/", team_pages.invitation, name="invitation"),
    path("accounts/activity/", views.sign_in_activity, name="sign_in_activity"),
    path("accounts/activity/sign-out/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("<slug:congress_slug>/", views.congress_detail, name="detail"),
    path("<slug:congress_slug>/manage/", views.backoffice, name="backoffice"),
    path("<slug:congress_slug>/manage/audit/", views.audit_page, name="audit"),
    path(
        "<slug:congress_slug>/manage/audit/export.<str:fmt>",
        views.audit_export,
        name="audit_export",
    ),
    path(
        "<slug:congress_slug>/manage/settings/", congress_pages.congress_settings, name="settings"
    ),
    path(
        "<slug:congress_slug>/manage/copy-setup/",
        congress_pages.copy_setup_page,
        name="copy_setup",
    ),
    path("<slug:congress_slug>/manage/team/", team_pages.team, name="team"),
    path("<slug:congress_slug>/manage/team/invite/", team_pages.team_invite, name="team_invite"),
    path(
        "<slug:congress_slug>/manage/team/<int:user_id>/roles/",
        team_pages.team_member_roles,
        name="team_member_roles",
    ),
    path(
        "<slug:congress_slug>/manage/team/invitations/<int:invitation_id>/withdraw/",
        team_pages.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<slug:congress_slug>/manage/venues/", venue_pages.venue_list, name="venues"),
    path("<slug:congress_slug>/manage/venues/new/", venue_pages.venue_edit, name="venue_new"),
    path(
        "<slug:congress_slug>/manage/venues/<int:venue_id>/",
        venue_pages.venue_edit,
        name="venue_edit",
    ),
    path(
        "<slug:congress_slug>/manage/venues/<int:venue_id>/delete/",
        venue_pages.venue_delete,
        name="venue_delete",
    ),
    path(
        "<slug:congress_slug>/manage/venues/<int:venue_id>/rooms/new/",
        venue_pages.room_edit,
        name="room_new",
    ),
    path(
        "<slug:congress_slug>/manage/rooms/<int:room_id>/", venue_pages.room_edit, name="room_edit"
    ),
    path(
        "<slug:congress_slug>/manage/rooms/<int:room_id>/delete/",
        venue_pages.room_delete,
        name="room_delete",
    ),
    path(
        "<slug:congress_slug>/manage/rooms/<int:room_id>/move/",
        venue_pages.room_move,
        name="room_move",
    ),
    path("<slug:congress_slug>/manage/tokens/", api_token_views.token_list, name="api_tokens"),
    path(
        "<slug:congress_slug>/manage/tokens/new/",
        api_token_views.token_create,
        name="api_token_create",
    ),
    path(
        "<slug:congress_slug>/manage/tokens/<int:token_id>/revoke/",
        api_token_views.token_revoke,
        name="api_token_revoke",
    ),
    path("<slug:congress_slug>/manage/security/", views.security, name="security"),
]
