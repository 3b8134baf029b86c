"""Forms of the team page and of an invitation's link."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from .enums import Role
from .forms import Form, TextRuleMixin


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Roles"))
        super().__init__(choices=Role.choices, **kwargs)


class InviteForm(Form):
    email = forms.EmailField(label=_("E-mail"))
    roles = RolesField()


class MemberRolesForm(Form):
    roles = RolesField(required=False)


class AccountFromInvitationForm(TextRuleMixin, BaseUserCreationForm):
    """An account for someone invited who has none: the password rules of the site apply."""

    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name")
