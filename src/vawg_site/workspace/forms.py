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
    password = forms.CharField(
        max_length=1024, strip=False, error_messages={"required": "Enter your password"}
    )
    code = forms.CharField(
        max_length=64, error_messages={"required": "Enter the code from your authenticator app"}
    )
