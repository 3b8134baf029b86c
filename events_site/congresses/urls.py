from django.urls import path

from . import views

app_name = "congresses"

urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.dashboard, name="dashboard"),
    path("accounts/activity/", views.sign_in_activity, name="sign_in_activity"),
    path("accounts/activity/sign-out/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("<slug:congress_slug>/", views.congress_detail, name="detail"),
    path("<slug:congress_slug>/manage/", views.backoffice, name="backoffice"),
]
