"""Forms of the officer and citizen pages: they only parse what was typed; the services decide."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from gddt.accounts.models import Role

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Type the 6 digits that the authenticator app shows.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "maxlength": 7,
                "pattern": r"\d{3} ?\d{3}",
            }
        ),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "autofocus": True}
        ),
    )


class RolesForm(forms.Form):
    office_code = forms.CharField(label=_("Office"), max_length=10)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = forms.DateField(label=_("From"), required=False)
    ends_on = forms.DateField(label=_("Until"), required=False)


# --- citizens' pages ---------------------------------------------------------------------------------------------


def _password_field(label: "StrPromise", autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, max_length=4096, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete})
    )


class CitizenSignInForm(forms.Form):
    username = forms.CharField(
        label=_("Personal ID number or social insurance number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "numeric", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    password = _password_field(_("Password"), "current-password")


class _NewPasswordForm(forms.Form):
    new_password = _password_field(_("New password"), "new-password")
    new_password_again = _password_field(_("New password, once more"), "new-password")

    def clean(self) -> dict:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password_again")
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", _("The two new passwords differ: type the same one twice."))
        return data


class PasswordChangeForm(_NewPasswordForm):
    old_password = _password_field(_("Current password"), "current-password")
    field_order = ["old_password", "new_password", "new_password_again"]


class PasswordResetRequestForm(forms.Form):
    username = CitizenSignInForm.base_fields["username"]
    phone = forms.CharField(
        label=_("Registered phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class PasswordResetConfirmForm(_NewPasswordForm):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    field_order = ["code", "new_password", "new_password_again"]
