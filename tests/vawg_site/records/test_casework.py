"""Casework reads: each account's scoped querysets hold exactly what its role and team may open
(tests/vawg_site/casework_world.py writes the rules out by hand), the compartment is sealed from
every other role (superusers included), and every read writes its audit rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.vawg_site.casework_world import CRIMES, EXPECTED, PEOPLE, World, world_build

from vawg.harm import crimes_harm, harm_table_default
from vawg.taxonomy import crimes_classify, taxonomy_load
from vawg_site.audit.models import AccessEvent
from vawg_site.common.access import access_context
from vawg_site.records import casework, services
from vawg_site.records.models import Assignment, Crime, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return world_build()


@pytest.mark.parametrize("account", sorted(EXPECTED))
def test_each_account_reaches_what_the_rules_say(world: World, account: str) -> None:
    user = world.users[account]
    crimes, people = EXPECTED[account]
    assert set(casework.crimes_visible(user).values_list("crime_ref", flat=True)) == crimes
    assert set(casework.people_visible(user).values_list("person_ref", flat=True)) == people
    for ref in CRIMES:
        assert casework.may_open_crime(user, ref) is (ref in crimes), ref
    for ref in PEOPLE:
        assert casework.may_open_person(user, ref) is (ref in people), ref


def test_the_compartment_is_invisible_to_the_superuser_and_the_administrator(
    world: World,
) -> None:
    for account in ("superuser", "administrator", "analyst", "pp_A", "pp_B"):
        user = world.users[account]
        assert not casework.crimes_visible(user).filter(sealed=True).exists()
        assert not casework.people_visible(user).filter(person_ref__in=["pS", "vS"]).exists()


def test_an_ended_assignment_no_longer_opens_the_record(world: World) -> None:
    user = world.users["pp_A"]
    assert casework.may_open_person(user, "sB")
    assignment = Assignment.objects.get(user=user, person__person_ref="sB")
    services.assignment_end(assignment_id=assignment.pk)
    assert not casework.may_open_person(user, "sB")
    assert _events() == [("alter", "records.person", "sB", "offender-management", "")]
    assert AccessEvent.objects.get().reason_text == "assignment to pp_A ended"


def test_an_assignment_is_logged_on_the_record_it_opens(world: World) -> None:
    user = world.users["nl_A"]
    made = services.assignment_open(user=user, crime_ref="cB")
    again = services.assignment_open(user=user, crime_ref="cB")
    assert made.pk == again.pk
    assert casework.may_open_crime(user, "cB")
    assert _events() == [("alter", "records.crime", "cB", "offender-management", "")]
    assert AccessEvent.objects.get().reason_text == "assigned to nl_A"
    with pytest.raises(ValueError, match="one of the two"):
        services.assignment_open(user=user, crime_ref="cB", person_ref="sB")
    with pytest.raises(services.RecordNotFoundError):
        services.assignment_open(user=user, person_ref="nobody")


def test_an_inactive_account_reaches_nothing(world: World) -> None:
    user = world.users["pp_A"]
    assert casework.crimes_visible(user).exists()  # its scope is kept on the user object
    user.is_active = False
    user.save()
    assert not casework.crimes_visible(user).exists()
    assert not casework.people_visible(user).exists()


def _events() -> list[tuple[str, str, str, str, str]]:
    return list(
        AccessEvent.objects.order_by("id").values_list(
            "action", "object_type", "object_ref", "reason_code", "recipient"
        )
    )


def test_opening_a_person_logs_the_person_and_every_crime_and_order_shown(world: World) -> None:
    user = world.users["pp_A"]
    with access_context(user=user, request_id="r1", channel="page"):
        view = casework.person_open(user=user, person_ref="sA", reason_code="investigation")
    assert view is not None
    assert [i.crime_ref for i in view.involvements] == ["cA"]
    assert view.victims_counted == 1
    assert view.offences_by_group == [("stalking", 1)]
    assert [o.order_ref for o in view.orders] == ["oA"]
    assert view.orders[0].breaches == 1
    assert _events() == [
        ("consult", "records.person", "sA", "investigation", ""),
        ("consult", "records.crime", "cA", "investigation", ""),
        ("consult", "records.order", "oA", "investigation", ""),
    ]
    event = AccessEvent.objects.first()
    assert event is not None
    assert (event.username, event.request_id) == ("pp_A", "r1")


def test_harm_days_count_the_allegations_of_the_last_365_days(world: World) -> None:
    user = world.users["analyst"]
    view = casework.person_open(user=user, person_ref="sB", reason_code="statistics")
    assert view is not None
    # 19C (rape of a female aged 16 or over) is 1,825 harm days in the default table.
    assert view.harm_days_365 == 1825.0


def test_a_refused_person_is_none_and_logs_nothing(world: World) -> None:
    user = world.users["pp_B"]
    assert casework.person_open(user=user, person_ref="sA", reason_code="investigation") is None
    assert casework.person_open(user=user, person_ref="nobody", reason_code="audit") is None
    assert _events() == []


def test_a_crime_names_only_the_people_the_reader_may_open_and_logs_them(world: World) -> None:
    view = casework.crime_open(user=world.users["vc_A"], crime_ref="cA", reason_code="safeguarding")
    assert view is not None
    shown = {p.role: p.person_ref for p in view.parties}
    assert shown == {"victim": "vA", "suspect": None, "witness": None}
    assert _events() == [
        ("consult", "records.crime", "cA", "safeguarding", ""),
        ("consult", "records.person", "vA", "safeguarding", ""),
    ]


def test_a_search_logs_each_record_it_lists(world: World) -> None:
    user = world.users["pp_A"]
    hits = casework.records_search(user=user, reference="ca", reason_code="investigation")
    assert [(h.kind, h.ref) for h in hits] == [("crime", "cA")]
    assert casework.records_search(user=user, reference="cB", reason_code="investigation") == []
    assert _events() == [("consult", "records.crime", "cA", "investigation", "")]


def test_an_export_is_a_disclosure_naming_its_recipient(world: World) -> None:
    user = world.users["pp_A"]
    with access_context(user=user, channel="export"):
        view = casework.person_export(
            user=user, person_ref="sA", recipient="CPS case 01AB", reason_code="legal"
        )
    assert view is not None
    assert _events() == [
        ("disclose", "records.person", "sA", "legal", "CPS case 01AB"),
        ("disclose", "records.crime", "cA", "legal", "CPS case 01AB"),
        ("disclose", "records.order", "oA", "legal", "CPS case 01AB"),
    ]
    assert set(AccessEvent.objects.values_list("channel", flat=True)) == {"export"}


def test_sealing_a_person_seals_their_crimes_and_logs_an_alteration(world: World) -> None:
    assert services.person_seal(person_ref="sA", reason_text="matched to the staff register") == 1
    assert Crime.objects.get(crime_ref="cA").sealed
    assert Person.objects.get(person_ref="sA").sealed
    assert not casework.may_open_crime(world.users["pp_A"], "cA")
    assert casework.may_open_crime(world.users["standards"], "cA")
    assert _events() == [("alter", "records.person", "sA", "audit", "")]


def test_the_review_lookups_read_boroughs_and_assignments(world: World) -> None:
    boroughs = casework.record_boroughs(object_type=casework.PERSON, refs=["vA", "vX"])
    assert boroughs == {"vA": frozenset({world.borough_a}), "vX": frozenset()}
    assigned = casework.assigned_refs(user_id=world.users["pp_A"].pk)
    assert assigned[casework.PERSON] == frozenset({"sB"})
    services.person_high_profile_set(person_ref="vB", high_profile=True, reason_text="in the news")
    assert casework.high_profile_refs() == frozenset({"vB"})
    assert _events() == [("alter", "records.person", "vB", "audit", "")]


def test_crimes_are_placed_in_their_borough_by_location(real_data_dir: Path, db: None) -> None:
    from vawg_site.ingest.services.force import crimes_place

    # Camden's town hall, and a point in the North Sea.
    Crime.objects.create(crime_ref="in", recorded_date="2024-01-01", offence_code="8Q",
                         easting=530100.0, northing=182900.0)  # fmt: skip
    Crime.objects.create(crime_ref="out", recorded_date="2024-01-01", offence_code="8Q",
                         easting=650000.0, northing=300000.0, borough_code="E09000001")  # fmt: skip
    assert crimes_place() == 2
    assert dict(Crime.objects.values_list("crime_ref", "borough_code")) == {
        "in": "E09000007",
        "out": "",
    }
    assert crimes_place() == 0


def test_the_list_of_crimes_logs_each_row_shown_newest_first(world: World) -> None:
    user = world.users["vc_A"]
    assert casework.crimes_count(user=user) == 2
    assert _events() == []  # a count reads no record
    Crime.objects.filter(crime_ref="cX").update(recorded_date="2024-05-01")
    rows = casework.crimes_list(user=user, offset=0, limit=1, reason_code="safeguarding")
    assert [r.crime_ref for r in rows] == ["cX"]
    rows = casework.crimes_list(user=user, offset=1, limit=1, reason_code="safeguarding")
    assert [r.crime_ref for r in rows] == ["cA"]
    assert _events() == [
        ("consult", "records.crime", "cX", "safeguarding", ""),
        ("consult", "records.crime", "cA", "safeguarding", ""),
    ]


def test_a_scope_is_worked_out_once_per_user_object(world: World) -> None:
    user = world.users["pp_A"]
    casework.scope_of(user)
    with CaptureQueriesContext(connection) as queries:
        scope = casework.scope_of(user)
    assert len(queries.captured_queries) == 0
    assert world.borough_a in scope.borough_codes


def _row(code: str, description: str, domestic: bool, female: bool) -> dict[str, object]:
    return {
        "crime_id": 0, "crime__offence_code": code, "crime__offence_description": description,
        "crime__domestic_abuse": domestic, "female_victim": female,
    }  # fmt: skip


def test_classification_is_the_cores_worked_out_once_per_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(casework, "_CLASSES", {})
    rows = [
        _row("19C", "Rape of a female aged 16 or over", False, True),
        _row("8Q", "Stalking", True, True),
        _row("105A", "Common assault", True, False),
        _row("19C", "Rape of a female aged 16 or over", False, True),
    ]
    frame = pl.DataFrame(
        {
            "crime_id": list(range(len(rows))),
            "offence_code": [r["crime__offence_code"] for r in rows],
            "offence_description": [r["crime__offence_description"] for r in rows],
            "domestic_abuse": [r["crime__domestic_abuse"] for r in rows],
            "female_victim": [r["female_victim"] for r in rows],
        }
    )
    core = crimes_harm(
        crimes_classify(frame.lazy(), taxonomy=taxonomy_load()), harm=harm_table_default()
    ).collect()
    # The core's answer need not be in the order of its input: rows are matched by their id.
    core = core.sort("crime_id")
    expected = list(zip(core["vawg_group"], core["harm_days"], strict=True))
    assert casework._classified(rows) == expected
    assert expected[0][1] == 1825.0  # 19C in the default table
    calls: list[int] = []

    def counted(crimes: pl.LazyFrame, **kwargs: object) -> pl.LazyFrame:
        calls.append(1)
        return crimes_classify(crimes, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(casework, "crimes_classify", counted)
    assert casework._classified(rows[1:]) == expected[1:]
    assert calls == []
    assert casework._classified([_row("8Q", "Stalking", False, True)])[0][0] == expected[1][0]
    assert calls == [1]


def test_the_search_by_reference_has_an_index_whatever_the_case(db: None) -> None:
    with connection.cursor() as cursor:
        crime = connection.introspection.get_constraints(cursor, Crime._meta.db_table)
        person = connection.introspection.get_constraints(cursor, Person._meta.db_table)
    assert crime["crime_ref_upper"]["index"]
    assert person["person_ref_upper"]["index"]
