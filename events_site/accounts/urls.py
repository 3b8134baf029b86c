from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("reauth/", views.reauth, name="reauth"),
    path("two-factor/", views.two_factor_overview, name="two_factor"),
    path("two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/code/", views.two_factor_verify, name="two_factor_verify"),
    path(
        "two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new/",
        views.two_factor_regenerate,
        name="two_factor_regenerate",
    ),
    path("two-factor/turn-off/", views.two_factor_disable, name="two_factor_disable"),
]
