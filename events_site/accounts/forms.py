from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from . import two_factor


class PasswordAgainForm(forms.Form):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        again = authenticate(self.request, username=user.get_username(), password=password)
        if again is None or again.pk != user.pk:
            raise forms.ValidationError(_("That is not your password."), code="wrong_password")
        return password


class CodeForm(forms.Form):
    """One code: six digits from the app or (where allowed) a recovery code; checked against
    the person's devices by the view, after the shape is known to be right."""

    code = forms.CharField(
        label=_("Code"),
        # Long enough for a pasted code with spaces; anything longer is refused before checking.
        max_length=two_factor.MAX_CODE_INPUT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        try:
            return two_factor.normalise_code(self.cleaned_data["code"])
        except two_factor.CodeRefused as refused:
            raise forms.ValidationError(refused.message, code="shape") from None

    def refuse(self) -> None:
        self.add_error("code", forms.ValidationError(self.wrong_message, code="wrong_code"))

    wrong_message = _("That code is not right (or was used already). Try the next one.")
