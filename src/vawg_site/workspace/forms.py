"""The sign-in forms. Fields are plain text and password inputs that accept pasting and
autofill (WCAG 2.2 SC 3.3.8): the templates give each its ``autocomplete`` value."""

from __future__ import annotations

from django import forms

SIGN_IN_REFUSED = (
    "We could not sign you in with that username and password. After 5 attempts that fail, "
    "signing in to this account from your device is paused for an hour."
)
CODE_REFUSED = (
    "That code was not accepted. Enter the 6-digit code your authenticator app shows now, or one "
    "of your recovery codes. After a wrong code, wait a few seconds before the next."
)


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(
        max_length=1024, strip=False, error_messages={"required": "Enter your password"}
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=64, error_messages={"required": "Enter the code from your authenticator app"}
    )


class ConfirmForm(forms.Form):
    """Step-up: the password and a code; for a person with a passkey the code may be left out,
    and the passkey given on the next page instead."""

    password = forms.CharField(
        max_length=1024, strip=False, error_messages={"required": "Enter your password"}
    )
    code = forms.CharField(
        max_length=64, error_messages={"required": "Enter the code from your authenticator app"}
    )

    def __init__(self, *args: object, passkey: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].required = not passkey


OBJECT_TYPE_HINT = "For example records.person, records.crime, records.order or audit-log"


class AuditSearchForm(forms.Form):
    """The auditor's search of the access log (a GET form; every field optional). The window is
    in whole days, London time: from the start of ``start`` to the end of ``end``."""

    username = forms.CharField(required=False, max_length=150)
    object_type = forms.RegexField(
        required=False,
        max_length=64,
        regex=r"^[a-z0-9_.-]+$",
        error_messages={"invalid": "Enter an object type such as records.person"},
    )
    object_ref = forms.CharField(required=False, max_length=64)
    start = forms.DateField(
        required=False, error_messages={"invalid": "Enter the first day as a date"}
    )
    end = forms.DateField(
        required=False, error_messages={"invalid": "Enter the last day as a date"}
    )
    recipient = forms.CharField(required=False, max_length=255)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("object_ref") and not data.get("object_type"):
            self.add_error("object_type", "Enter the type of the object the reference is for")
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day must be the same as or after the first day")
        return data


class AuditExportForm(AuditSearchForm):
    """The same search, exported: to whom it is disclosed is required."""

    recipient = forms.CharField(
        max_length=255,
        error_messages={"required": "Enter who the export is for, such as the ICO case reference"},
    )
