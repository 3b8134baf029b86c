from django.urls import path

from . import views

app_name = "congresses"

urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.dashboard, name="dashboard"),
    path("<slug:congress_slug>/", views.congress_detail, name="detail"),
    path("<slug:congress_slug>/manage/", views.backoffice, name="backoffice"),
    path("<slug:congress_slug>/manage/audit/", views.audit_page, name="audit"),
    path(
        "<slug:congress_slug>/manage/audit/export.<str:fmt>",
        views.audit_export,
        name="audit_export",
    ),
]
