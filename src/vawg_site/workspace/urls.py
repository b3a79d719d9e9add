"""The workspace's URL patterns, included at ``/workspace/`` (namespace ``workspace``)."""

from django.urls import path

from vawg_site.workspace import auditor, passkeys, records, retention, views

app_name = "workspace"

PASSKEY_CEREMONIES = frozenset(
    {
        "passkey_register_begin",
        "passkey_register_complete",
        "passkey_verify_begin",
        "passkey_verify_complete",
    }
)
"""The passkey ceremonies (JSON, POST only) behind the set-up and code steps: registering a first
passkey at the set-up, and verifying with one at the code step, happen before a second factor is
verified, so they are sign-in steps. They refuse everything else themselves
(``workspace.passkeys``): registering for an account that has a second factor needs a verified,
recent sign-in; verifying needs a password-only session of an account with a passkey."""
SIGN_IN_STEPS = frozenset({"sign_in", "second_factor", "enrol", "sign_out", *PASSKEY_CEREMONIES})
"""The patterns open before a second factor is verified; every other one needs it."""

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.second_factor, name="second_factor"),
    path("sign-in/set-up/", views.enrol, name="enrol"),
    path("sign-in/confirm/", views.confirm, name="confirm"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/passkeys/", passkeys.passkeys, name="passkeys"),
    path("sign-in/passkey/set-up/", passkeys.passkey_set_up, name="passkey_set_up"),
    path(
        "sign-in/passkey/register/begin/",
        passkeys.PasskeyRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "sign-in/passkey/register/complete/",
        passkeys.PasskeyRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    path(
        "sign-in/passkey/verify/begin/",
        passkeys.PasskeyVerifyBegin.as_view(),
        name="passkey_verify_begin",
    ),
    path(
        "sign-in/passkey/verify/complete/",
        passkeys.PasskeyVerifyComplete.as_view(),
        name="passkey_verify_complete",
    ),
    path("records/", records.search, name="records_search"),
    path("records/crimes/", records.crimes, name="crimes"),
    path("records/person/<str:person_ref>/", records.person, name="person"),
    path("records/person/<str:person_ref>/export/", records.person_export, name="person_export"),
    path("records/crime/<str:crime_ref>/", records.crime, name="crime"),
    path("audit/", auditor.search, name="audit_search"),
    path(
        "audit/object/<str:object_type>/<path:object_ref>/",
        auditor.object_history,
        name="audit_object",
    ),
]

# The nightly review's queue (issue #13).
urlpatterns += [path("audit/review/", auditor.review_queue, name="audit_review")]
# Retention reviews (docs/retention.md), appended.
urlpatterns += [
    path("retention/", retention.due, name="retention_due"),
    path("retention/person/<str:person_ref>/", retention.review, name="retention_review"),
    path("retention/erasures/", retention.erasures, name="retention_erasures"),
    path("retention/erasures/<int:review_id>/", retention.erasure, name="retention_erasure"),
]
