from django.urls import path

from . import api_token_views, views

app_name = "congresses"

urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.dashboard, name="dashboard"),
    path("<slug:congress_slug>/", views.congress_detail, name="detail"),
    path("<slug:congress_slug>/manage/", views.backoffice, name="backoffice"),
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
]
