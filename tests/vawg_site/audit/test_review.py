"""The nightly review's rules, on plain data: each flags its pattern and leaves the innocent twin
alone, and a finding holds counts and event ids, never a record's reference."""

from __future__ import annotations

import dataclasses
import doctest
import itertools

from vawg_site.audit import review
from vawg_site.audit.review import CRIME, PERSON, Finding, Lookups, Read

_ids = itertools.count(1)

CAMDEN, ISLINGTON, WESTMINSTER = "E09000007", "E09000019", "E09000033"
TEAMS = {"CN": frozenset({CAMDEN, ISLINGTON}), "AW": frozenset({WESTMINSTER})}
TEAM_ROLES = frozenset({"public_protection", "neighbourhood_lead", "victim_care"})


def _read(
    user_id: int,
    ref: str,
    *,
    kind: str = PERSON,
    role: str = "public_protection",
    team: str = "CN",
    request: str = "",
) -> Read:
    event_id = next(_ids)
    return Read(
        event_id=event_id,
        user_id=user_id,
        username=f"user-{user_id}",
        role=role,
        team=team,
        object_type=kind,
        object_ref=ref,
        request_id=request or f"req-{event_id}",
    )


def _lookups(**changes: object) -> Lookups:
    base = Lookups(team_roles=TEAM_ROLES, team_boroughs=TEAMS)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# --- a colleague's record -------------------------------------------------------------------------


def test_a_colleagues_own_record_is_flagged_and_a_strangers_is_not() -> None:
    staff = {"P-COLLEAGUE": 2}
    bad = [_read(1, "P-COLLEAGUE"), _read(1, "P-COLLEAGUE"), _read(1, "P-OTHER")]
    (finding,) = review.colleague_reads(bad, staff_person_refs=staff)
    assert (finding.pattern, finding.user_id, finding.username) == ("colleague", 1, "user-1")
    assert (finding.event_count, finding.record_count) == (2, 1)
    assert (finding.first_event_id, finding.last_event_id) == (bad[0].event_id, bad[1].event_id)
    innocent = [_read(1, "P-OTHER"), _read(2, "P-COLLEAGUE")]  # the second is their own record
    assert review.colleague_reads(innocent, staff_person_refs=staff) == []


def test_a_crime_reference_that_happens_to_match_is_not_a_colleagues_record() -> None:
    reads = [_read(1, "P-COLLEAGUE", kind=CRIME)]
    assert review.colleague_reads(reads, staff_person_refs={"P-COLLEAGUE": 2}) == []


# --- outside the team with no assignment ----------------------------------------------------------


def test_a_record_wholly_outside_the_team_is_flagged_unless_assigned() -> None:
    boroughs = {
        (PERSON, "P-WEST"): frozenset({WESTMINSTER}),
        (CRIME, "C-WEST"): frozenset({WESTMINSTER}),
        (PERSON, "P-BOTH"): frozenset({WESTMINSTER, CAMDEN}),
        (CRIME, "C-HOME"): frozenset({ISLINGTON}),
    }
    reads = [
        _read(1, "P-WEST"),
        _read(1, "C-WEST", kind=CRIME),
        _read(1, "P-BOTH"),
        _read(1, "C-HOME", kind=CRIME),
    ]
    (finding,) = review.outside_team_reads(reads, lookups=_lookups(record_boroughs=boroughs))
    assert (finding.pattern, finding.user_id, finding.record_count) == ("outside_team", 1, 2)
    assigned = {1: {PERSON: frozenset({"P-WEST"}), CRIME: frozenset({"C-WEST"})}}
    lookups = _lookups(record_boroughs=boroughs, assigned=assigned)
    assert review.outside_team_reads(reads, lookups=lookups) == []


def test_only_team_based_roles_are_held_to_their_team() -> None:
    boroughs = {(PERSON, "P-WEST"): frozenset({WESTMINSTER})}
    lookups = _lookups(record_boroughs=boroughs)
    analyst = [_read(1, "P-WEST", role="analyst", team="")]
    assert review.outside_team_reads(analyst, lookups=lookups) == []
    officer = [_read(1, "P-WEST", role="public_protection", team="CN")]
    assert len(review.outside_team_reads(officer, lookups=lookups)) == 1
    in_west = [_read(1, "P-WEST", role="public_protection", team="AW")]
    assert review.outside_team_reads(in_west, lookups=lookups) == []


def test_a_crime_listed_on_a_person_page_in_reach_is_not_flagged() -> None:
    boroughs = {
        (PERSON, "P-HOME"): frozenset({CAMDEN, WESTMINSTER}),
        (CRIME, "C-WEST"): frozenset({WESTMINSTER}),
        (PERSON, "P-WEST"): frozenset({WESTMINSTER}),
    }
    lookups = _lookups(record_boroughs=boroughs)
    listed = [
        _read(1, "P-HOME", request="page-1"),
        _read(1, "C-WEST", kind=CRIME, request="page-1"),
    ]
    assert review.outside_team_reads(listed, lookups=lookups) == []
    sought = [_read(1, "C-WEST", kind=CRIME, request="page-2")]
    assert len(review.outside_team_reads(sought, lookups=lookups)) == 1
    # The crimes of a person outside the team are flagged with the person.
    outside = [
        _read(1, "P-WEST", request="page-3"),
        _read(1, "C-WEST", kind=CRIME, request="page-3"),
    ]
    (finding,) = review.outside_team_reads(outside, lookups=lookups)
    assert finding.record_count == 2


def test_a_record_with_no_borough_counts_as_outside() -> None:
    reads = [_read(1, "C-NOWHERE", kind=CRIME)]
    lookups = _lookups(record_boroughs={(CRIME, "C-NOWHERE"): frozenset()})
    assert len(review.outside_team_reads(reads, lookups=lookups)) == 1


# --- unusual volume -------------------------------------------------------------------------------


def _many(user_id: int, count: int, *, role: str = "analyst") -> list[Read]:
    return [_read(user_id, f"P-{user_id}-{i}", role=role, team="") for i in range(count)]


def test_the_threshold_is_the_floor_or_three_times_the_median_day() -> None:
    assert review.volume_threshold([]) == 50
    assert review.volume_threshold([0] * 28) == 50
    assert review.volume_threshold([30] * 15 + [0] * 13) == 90
    assert review.volume_threshold([30] * 13 + [0] * 15) == 50  # most days nothing: the floor
    assert review.volume_threshold([100] * 27 + [10_000]) == 300  # one huge day moves nothing


def test_a_day_far_above_the_accounts_own_history_is_flagged() -> None:
    history = {1: [20] * 28, 2: [20] * 28}
    reads = _many(1, 61) + _many(2, 60)  # 3 x 20 = 60: user 2 is at it, not over it
    (finding,) = review.volume_reads(reads, history=history)
    assert (finding.pattern, finding.user_id, finding.record_count) == ("volume", 1, 61)
    assert (finding.threshold, finding.basis) == (60.0, "own")


def test_reading_the_same_records_again_is_not_volume() -> None:
    reads = [_read(1, f"P-{i % 10}", role="analyst", team="") for i in range(500)]
    assert review.volume_reads(reads, history={1: [0] * 28}) == []


def test_an_account_always_far_above_its_role_is_flagged_by_its_peers() -> None:
    reads = _many(1, 200) + _many(2, 20) + _many(3, 25) + _many(4, 30)
    history = {1: [200] * 28, 2: [20] * 28, 3: [25] * 28, 4: [30] * 28}
    (finding,) = review.volume_reads(reads, history=history)
    assert (finding.user_id, finding.threshold, finding.basis) == (1, 75.0, "role")
    # With fewer than three peers of the role, there is no role to compare with.
    few = _many(1, 200) + _many(2, 20) + _many(3, 25)
    assert review.volume_reads(few, history=history) == []
    # Peers of another role are not its peers.
    other = _many(1, 200) + [r for u in (2, 3, 4) for r in _many(u, 20, role="publisher")]
    assert review.volume_reads(other, history=history) == []


# --- high-profile records -------------------------------------------------------------------------


def test_any_read_of_a_high_profile_person_is_flagged() -> None:
    reads = [_read(1, "P-FAMOUS", role="analyst", team=""), _read(2, "P-FAMOUS"), _read(3, "P-1")]
    findings = review.high_profile_reads(reads, high_profile=frozenset({"P-FAMOUS"}))
    assert [(f.pattern, f.user_id) for f in findings] == [("high_profile", 1), ("high_profile", 2)]
    assert review.high_profile_reads([_read(3, "P-1")], high_profile=frozenset({"P-FAMOUS"})) == []


# --- together -------------------------------------------------------------------------------------


def test_every_rule_runs_and_no_finding_holds_a_reference() -> None:
    reads = [
        _read(1, "P-COLLEAGUE"),
        _read(1, "P-FAMOUS"),
        _read(1, "C-WEST", kind=CRIME),
        *_many(5, 51),
    ]
    lookups = _lookups(
        staff_person_refs={"P-COLLEAGUE": 9},
        record_boroughs={
            (PERSON, "P-COLLEAGUE"): frozenset({CAMDEN}),
            (PERSON, "P-FAMOUS"): frozenset({CAMDEN}),
            (CRIME, "C-WEST"): frozenset({WESTMINSTER}),
        },
        high_profile=frozenset({"P-FAMOUS"}),
    )
    findings = review.review_findings(reads, lookups=lookups)
    assert [(f.pattern, f.user_id) for f in findings] == [
        ("colleague", 1),
        ("outside_team", 1),
        ("volume", 5),
        ("high_profile", 1),
    ]
    refs = {r.object_ref for r in reads} | {r.request_id for r in reads}
    for finding in findings:
        values = {str(v) for v in dataclasses.asdict(finding).values()}
        assert not values & refs, finding
    assert {f.name for f in dataclasses.fields(Finding)} == {
        "pattern", "user_id", "username", "event_count", "record_count", "first_event_id",
        "last_event_id", "threshold", "basis",
    }  # fmt: skip


def test_the_summary_is_counts_only() -> None:
    text = review.finding_summary(
        pattern="outside_team", event_count=3, record_count=1, threshold=None, basis=""
    )
    assert text == "1 record read in 3 events"


def test_the_examples_in_the_docstrings_hold() -> None:
    results = doctest.testmod(review)
    assert results.attempted >= 5
    assert results.failed == 0
