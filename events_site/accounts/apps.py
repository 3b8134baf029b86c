from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Organiser accounts: second factor, recent re-authentication, sign-in history and sessions.
    Below every app beside the congress core, and independent of it (it knows people, not
    congresses)."""

    name = "events_site.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .reauth import stamp_on_sign_in

        user_logged_in.connect(stamp_on_sign_in, dispatch_uid="convene-reauth-stamp")
