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


REASON_CHOICES_CASEWORK = (
    ("investigation", "Investigating an offence"),
    ("safeguarding", "Safeguarding a victim or a person at risk"),
    ("offender-management", "Managing a perpetrator or an order"),
    ("case-review", "Reviewing a case or its retention"),
    ("statistics", "Statistics and analysis"),
    ("audit", "Auditing lawfulness or professional standards"),
    ("legal", "A legal obligation or court proceedings"),
    ("other", "Other (say why below)"),
)
"""The reasons a person gives for opening a person or a crime (the access log's reasons, less
the loads'); their codes are :class:`vawg_site.audit.models.Reason`'s."""


class ReasonForm(forms.Form):
    """Why the person is opening a record: a reason from the list and, for "other", a few
    words (optional otherwise). Kept in the session for that record until sign-out."""

    reason = forms.ChoiceField(
        choices=REASON_CHOICES_CASEWORK,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are opening this record"},
    )
    reason_text = forms.CharField(required=False, max_length=500)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("reason") == "other" and not (data.get("reason_text") or "").strip():
            self.add_error("reason_text", "Say in a few words why you are opening this record")
        return data


class RecordSearchForm(ReasonForm):
    """A search for a crime or a person by its reference, with the reason for the search."""

    reference = forms.CharField(
        max_length=64, error_messages={"required": "Enter a crime or person reference"}
    )
    field_order = ["reference", "reason", "reason_text"]


class RecordExportForm(forms.Form):
    """An export of a person's record: a disclosure, so who it is for is required."""

    recipient = forms.CharField(
        max_length=255,
        error_messages={"required": "Enter who the export is for, such as a court or an agency"},
    )


class ReviewDecisionForm(forms.Form):
    """A privacy officer's decision on one alert of the nightly review."""

    alert = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(
        choices=[("dismissed", "Dismiss"), ("referred", "Refer")],
        error_messages={"required": "Choose whether to dismiss or refer the alert"},
    )
    note = forms.CharField(
        max_length=1000,
        error_messages={"required": "Say why, in a few words (no personal details)"},
    )


class ReviewExportForm(forms.Form):
    """The review's alerts exported for the ICO: to whom is required; the days (UTC, the alerts'
    windows) are optional."""

    recipient = forms.CharField(
        max_length=255,
        error_messages={"required": "Enter who the export is for, such as the ICO case reference"},
    )
    start = forms.DateField(
        required=False, error_messages={"invalid": "Enter the first day as a date"}
    )
    end = forms.DateField(
        required=False, error_messages={"invalid": "Enter the last day as a date"}
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day must be the same as or after the first day")
        return data
