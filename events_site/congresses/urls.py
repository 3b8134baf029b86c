from django.urls import path

from . import views

app_name = "congresses"

urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.dashboard, name="dashboard"),
    path("<slug:congress_slug>/", views.congress_detail, name="detail"),
    path("<slug:congress_slug>/manage/", views.backoffice, name="backoffice"),
    path("<slug:congress_slug>/manage/security/", views.security, name="security"),
]
