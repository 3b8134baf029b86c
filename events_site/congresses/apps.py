from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressesConfig(AppConfig):
    name = "events_site.congresses"
    label = "congresses"
    verbose_name = _("Congresses")

    def ready(self) -> None:
        # Every API serializer of every app reads a model's datetime through one field that
        # refuses times without a UTC offset (DRF would silently take them as UTC) ...
        from django.db import models
        from rest_framework import serializers

        from .api_fields import AwareDateTimeField, LocalTimeField

        mapping = serializers.ModelSerializer.serializer_field_mapping
        mapping[models.DateTimeField] = AwareDateTimeField
        # ... and a daily time (a room's hours) as a local wall-clock time, never with an offset.
        mapping[models.TimeField] = LocalTimeField

        # django-axes announces a lockout only through its signal: the one receiver e-mails
        # the account's owner (events_site/congresses/sign_in.py).
        from axes.signals import user_locked_out

        from .sign_in import send_lockout_notice

        user_locked_out.connect(send_lockout_notice, dispatch_uid="convene-lockout-notice")

        # Sign-in history and sessions per person (events_site/congresses/sign_in_history.py):
        # audit entries for sign-ins, failed sign-ins and sign-outs, and the browser tracked.
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from .sign_in_history import record_failed_sign_in, record_sign_in, record_sign_out

        user_logged_in.connect(record_sign_in, dispatch_uid="convene-sign-in-history")
        user_login_failed.connect(record_failed_sign_in, dispatch_uid="convene-sign-in-failed")
        user_logged_out.connect(record_sign_out, dispatch_uid="convene-sign-out-history")

        # Signing out clears what the site kept in the browser (the offline check-in desk).
        from .sign_out import mark_signed_out

        user_logged_out.connect(mark_signed_out, dispatch_uid="convene-sign-out-clear-site-data")
