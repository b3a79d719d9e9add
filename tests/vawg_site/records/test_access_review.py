"""The nightly review run on a day of the real log: it gathers what the rules need from the records
and the accounts, writes one alert per account and pattern (and nothing for the innocent twin of
each), writes nothing more when run again for the same day, logs its own reading of the log, and
its alerts hold nothing of any record."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from vawg_site.accounts.services import staff_person_ref_set, staff_role_set
from vawg_site.audit.models import AccessEvent, ReviewAlert
from vawg_site.audit.selectors import AUDIT_LOG, events_by_object, review_daily_counts
from vawg_site.audit.services import Action, Reason, access_record_many, review_alert_decide
from vawg_site.common.access import access_context
from vawg_site.records.access_review import access_review_run, review_window
from vawg_site.records.models import Assignment, Crime, Involvement, Person

pytestmark = pytest.mark.django_db

CAMDEN, WESTMINSTER = "E09000007", "E09000033"


def _account(username: str, role: str, team: str | None = None) -> Any:
    user = get_user_model().objects.create_user(username, password="not-used-here-1234")
    staff_role_set(user=user, role=role, team=team)
    return user


def _person(ref: str, *, borough: str, high_profile: bool = False) -> Person:
    person = Person.objects.create(person_ref=ref, sex="F", high_profile=high_profile)
    crime = Crime.objects.create(
        crime_ref=f"C-{ref}", recorded_date=dt.date(2026, 11, 1), offence_code="8Q",
        borough_code=borough,
    )  # fmt: skip
    Involvement.objects.create(crime=crime, person=person, role="victim")
    return person


def _read(user: Any, refs: list[str], *, kind: str = "records.person") -> None:
    """``user`` reads ``refs`` in one request of their own."""
    with access_context(user=user, channel="page", request_id=uuid.uuid4().hex):
        access_record_many(
            action=Action.CONSULT,
            object_type=kind,
            object_refs=refs,
            reason_code=Reason.INVESTIGATION,
        )


@pytest.fixture
def day_of_reads(db: None) -> dict[str, Any]:
    """One officer who does each bad thing, and a twin who does its innocent counterpart."""
    colleague = _account("colleague", "victim_care", "CN")
    staff_person_ref_set(user=colleague, person_ref="P-COLLEAGUE")
    snoop = _account("snoop", "public_protection", "CN")
    twin = _account("twin", "public_protection", "CN")
    bulk = _account("bulk", "analyst")
    steady = _account("steady", "analyst")
    _person("P-COLLEAGUE", borough=CAMDEN)
    _person("P-HOME", borough=CAMDEN)
    west = _person("P-WEST", borough=WESTMINSTER)
    _person("P-FAMOUS", borough=CAMDEN, high_profile=True)
    Assignment.objects.create(user=twin, person=west)

    _read(snoop, ["P-COLLEAGUE", "P-WEST", "P-FAMOUS"])
    _read(snoop, ["C-P-WEST"], kind="records.crime")
    _read(twin, ["P-HOME", "P-WEST"])  # P-WEST is assigned to the twin
    _read(colleague, ["P-COLLEAGUE"])  # their own record: not a colleague's
    _read(bulk, [f"P-BULK-{i}" for i in range(60)])
    _read(steady, [f"P-STEADY-{i}" for i in range(40)])  # an analyst: held to no team
    day = AccessEvent.objects.latest("id").occurred_at.astimezone(dt.UTC).date()
    return {"day": day, "snoop": snoop, "twin": twin, "bulk": bulk, "colleague": colleague}


def _alerts() -> set[tuple[str, str]]:
    return set(ReviewAlert.objects.values_list("pattern", "username"))


def test_each_pattern_is_flagged_and_no_twin_is(day_of_reads: dict[str, Any]) -> None:
    run = access_review_run(day=day_of_reads["day"])
    assert _alerts() == {
        ("colleague", "snoop"),
        ("outside_team", "snoop"),
        ("high_profile", "snoop"),
        ("volume", "bulk"),
    }
    assert (run.findings, run.alerts_added) == (4, 4)
    assert run.reads == AccessEvent.objects.exclude(object_type=AUDIT_LOG).count()
    outside = ReviewAlert.objects.get(pattern="outside_team")
    assert (outside.event_count, outside.record_count) == (2, 2)  # the person and their crime
    assert outside.window_start == dt.datetime.combine(day_of_reads["day"], dt.time(), dt.UTC)
    assert outside.window_end - outside.window_start == dt.timedelta(days=1)
    assert outside.status == "open"
    volume = ReviewAlert.objects.get(pattern="volume")
    assert (volume.record_count, volume.threshold, volume.basis) == (60, 50.0, "own")
    events = AccessEvent.objects.filter(user_id=day_of_reads["bulk"].pk).order_by("id")
    assert (volume.first_event_id, volume.last_event_id) == (events[0].pk, events[59].pk)


def test_running_the_same_day_again_adds_nothing_and_keeps_decisions(
    day_of_reads: dict[str, Any],
) -> None:
    access_review_run(day=day_of_reads["day"])
    alert = ReviewAlert.objects.get(pattern="high_profile")
    review_alert_decide(
        alert_id=alert.pk, decision="dismissed", reviewer=day_of_reads["twin"], note="on duty"
    )
    again = access_review_run(day=day_of_reads["day"])
    assert (again.findings, again.alerts_added) == (4, 0)
    assert ReviewAlert.objects.count() == 4
    alert.refresh_from_db()
    assert (alert.status, alert.review_note) == ("dismissed", "on duty")


def test_another_day_is_another_window(day_of_reads: dict[str, Any]) -> None:
    run = access_review_run(day=day_of_reads["day"] - dt.timedelta(days=1))
    assert (run.reads, run.findings, run.alerts_added) == (0, 0, 0)
    assert not ReviewAlert.objects.exists()


def test_an_alert_holds_no_reference_request_or_content(day_of_reads: dict[str, Any]) -> None:
    access_review_run(day=day_of_reads["day"])
    events = AccessEvent.objects.exclude(object_type=AUDIT_LOG)
    secrets = set(events.values_list("object_ref", flat=True)) | set(
        events.values_list("request_id", flat=True)
    )
    secrets |= {"Camden", "Westminster", CAMDEN, WESTMINSTER}
    assert len(secrets) > 60
    for alert in ReviewAlert.objects.values():
        for value in alert.values():
            assert not any(s in str(value) for s in secrets), (alert, value)


def test_the_review_logs_its_reading_of_the_log(day_of_reads: dict[str, Any]) -> None:
    day = day_of_reads["day"]
    access_review_run(day=day)
    (event,) = events_by_object(AUDIT_LOG, f"review={day.isoformat()}")
    assert (event.action, event.reason_code, event.channel, event.user_id) == (
        "consult",
        "audit",
        "command",
        None,
    )


def test_the_team_as_logged_at_the_time_is_the_one_held(db: None) -> None:
    mover = _account("mover", "public_protection", "AW")
    _person("P-HOME", borough=CAMDEN)
    _read(mover, ["P-HOME"])  # logged in Central West: outside the team
    staff_role_set(user=mover, role="public_protection", team="CN")  # moved since
    day = AccessEvent.objects.latest("id").occurred_at.astimezone(dt.UTC).date()
    access_review_run(day=day)
    assert _alerts() == {("outside_team", "mover")}


def test_daily_counts_are_distinct_records_per_account_and_day(
    day_of_reads: dict[str, Any],
) -> None:
    start, end = review_window(day_of_reads["day"])
    _read(day_of_reads["snoop"], ["P-WEST", "P-WEST"])  # read again: the same record
    counts = review_daily_counts(start=start, end=end)
    assert counts[day_of_reads["snoop"].pk] == {day_of_reads["day"]: 4}  # 3 people, 1 crime
    assert counts[day_of_reads["bulk"].pk] == {day_of_reads["day"]: 60}
    assert review_daily_counts(start=end, end=end + dt.timedelta(days=1)) == {}


def test_the_command_reviews_the_day_given_and_yesterday_by_default(
    day_of_reads: dict[str, Any],
) -> None:
    out = StringIO()
    call_command("audit_review", "--date", day_of_reads["day"].isoformat(), stdout=out)
    assert "4 findings, 4 new alerts" in out.getvalue()
    out = StringIO()
    call_command("audit_review", "--date", day_of_reads["day"].isoformat(), stdout=out)
    assert "4 findings, 0 new alerts" in out.getvalue()
    out = StringIO()
    call_command("audit_review", stdout=out)
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    assert f"Reviewed {yesterday.isoformat()} (UTC)" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit_review", "--date", "3 December")


def test_a_row_logged_without_a_team_is_judged_by_the_accounts_team_now(db: None) -> None:
    """Rows from before the log carried the team: the role's group name, no team."""
    old = get_user_model().objects.create_user("old-row", password="not-used-here-1234")
    old.groups.add(Group.objects.get(name="Public-protection officer"))  # no staff profile yet
    _person("P-HOME", borough=CAMDEN)
    _read(old, ["P-HOME"])
    event = AccessEvent.objects.latest("id")
    assert (event.role, event.team) == ("Public-protection officer", "")
    staff_role_set(user=old, role="public_protection", team="CN")  # Camden's team
    day = event.occurred_at.astimezone(dt.UTC).date()
    assert access_review_run(day=day).findings == 0
    staff_role_set(user=old, role="public_protection", team="AW")
    assert access_review_run(day=day).findings == 1
    assert _alerts() == {("outside_team", "old-row")}
