from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("reauth/", views.reauth, name="reauth"),
]
