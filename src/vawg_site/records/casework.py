"""Casework reads: the people and crimes a staff account may open, and what it sees of them.

Every list and every detail read starts from :func:`crimes_visible` or :func:`people_visible`, the
account's scoped querysets, built from its role's reach (:data:`vawg_site.accounts.rules.
RECORD_REACH`): a detail page opens a record only through the same queryset its lists are drawn
from, so a list can never hold what the detail page would refuse. The professional-standards
compartment (``sealed`` records) is in that role's querysets alone; every other role's exclude it,
administrators and superusers included (a superuser flag grants nothing here).

Every function here that returns records writes the access log in the transaction of its read
(:func:`vawg_site.audit.services.access_record`): one "consult" row per record shown, with the
reason the person gave (:mod:`vawg_site.workspace` asks for it before opening a person or a crime).
A refused or unknown reference returns None and shows nothing: the two cannot be told apart.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from vawg.harm import HarmTable, crimes_harm, harm_table_default
from vawg.taxonomy import Taxonomy, crimes_classify, taxonomy_load
from vawg_site.accounts import selectors as accounts
from vawg_site.accounts.rules import (
    FORCE,
    TEAM,
    RecordReach,
    has_role,
    named_predicate,
    record_reach,
)
from vawg_site.audit.services import Action, access_record, access_record_many
from vawg_site.records.models import Assignment, Crime, Involvement, Order, Person

log = logging.getLogger(__name__)

CRIME = "records.crime"
PERSON = "records.person"
ORDER = "records.order"

HARM_WINDOW_DAYS = 365
"""Harm days on the person page are counted over the last 365 days of their allegations."""


# --- the scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """An account's reach, resolved: the role's reach, the team's borough codes and the user."""

    reach: RecordReach
    user_id: int | None
    borough_codes: frozenset[str]


def scope_of(user: Any) -> Scope:
    """The reach of ``user`` with its team's boroughs (none without a team), worked out once per
    user object (a request's), as :mod:`vawg_site.accounts.rules` keeps its staff profile: a
    person page asks for it three times."""
    kept: Scope | None = getattr(user, "_vawg_scope", None)
    if kept is not None and user.is_active:
        return kept
    reach, team_code = record_reach(user)
    boroughs: frozenset[str] = frozenset()
    if team_code is not None:
        boroughs = frozenset(
            b for t in accounts.team_list() if t.code == team_code for b in t.borough_codes
        )
    user_id = user.pk if reach.crimes is not None else None
    scope = Scope(reach=reach, user_id=user_id, borough_codes=boroughs)
    if user is not None:
        user._vawg_scope = scope
    return scope


def _open_assignments(user_id: int | None) -> QuerySet[Assignment]:
    if user_id is None:
        return Assignment.objects.none()
    return Assignment.objects.filter(user_id=user_id, ended_at__isnull=True)


def _crimes_in_reach(scope: Scope, reach: str | None) -> QuerySet[Crime]:
    base = Crime.objects.filter(sealed=scope.reach.sealed)
    if reach == FORCE:
        return base
    if reach == TEAM:
        assigned = _open_assignments(scope.user_id).filter(crime_id=OuterRef("pk"))
        return base.filter(Q(borough_code__in=scope.borough_codes) | Exists(assigned))
    return base.none()


def crimes_visible(user: Any) -> QuerySet[Crime]:
    """The crimes ``user`` may open (not logged: a queryset reads nothing until evaluated, and
    whoever evaluates it for a page logs what it shows)."""
    scope = scope_of(user)
    return _crimes_in_reach(scope, scope.reach.crimes)


def people_visible(user: Any) -> QuerySet[Person]:
    """The people ``user`` may open (not logged, as :func:`crimes_visible`).

    Within the compartment: the sealed people and everyone involved in a sealed crime (their
    victims among them). Outside it: people not sealed, with an involvement in one of the role's
    involvement roles on a crime the account reaches (not sealed; for a team, located in its
    boroughs or assigned to the account), or assigned to the account themselves and holding
    such an involvement somewhere."""
    scope = scope_of(user)
    reach = scope.reach
    if not reach.people or reach.people_reach is None:
        return Person.objects.none()
    roles = sorted(reach.people)
    if reach.sealed:
        on_sealed = Involvement.objects.filter(person_id=OuterRef("pk"), crime__sealed=True)
        return Person.objects.filter(Q(sealed=True) | Exists(on_sealed))
    base = Person.objects.filter(sealed=False)
    involved = Involvement.objects.filter(
        person_id=OuterRef("pk"), role__in=roles, crime__sealed=False
    )
    if reach.people_reach == FORCE:
        return base.filter(Exists(involved))
    crime_assigned = _open_assignments(scope.user_id).filter(crime_id=OuterRef("crime_id"))
    in_reach = involved.filter(
        Q(crime__borough_code__in=scope.borough_codes) | Exists(crime_assigned)
    )
    assigned = _open_assignments(scope.user_id).filter(person_id=OuterRef("pk"))
    return base.filter(Exists(in_reach) | (Exists(assigned) & Exists(involved)))


may_open_crime = named_predicate(
    "may_open_crime",
    lambda user, crime_ref: crimes_visible(user).filter(crime_ref=crime_ref).exists(),
)
"""Whether ``user`` may open the crime with reference ``obj`` (a ``rules`` predicate: reads
no content, logs nothing). The same queryset as the lists, so the two cannot disagree."""

may_open_person = named_predicate(
    "may_open_person",
    lambda user, person_ref: people_visible(user).filter(person_ref=person_ref).exists(),
)
"""Whether ``user`` may open the person with reference ``obj`` (as :data:`may_open_crime`)."""

may_export_person = has_role("public_protection") & may_open_person
"""Whether ``user`` may export the person with reference ``obj`` (a logged disclosure)."""


def _refused(user: Any, object_type: str, ref: str) -> None:
    # Failed authorisation is a security event (ASVS 16.3.2): to the application log, with the
    # account and the reference only.
    log.warning("refused %s %s to user %s", object_type, ref, getattr(user, "pk", None))


# --- search --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: str
    """``crime`` or ``person``."""
    ref: str
    summary: str
    """What the list shows besides the reference: a crime's date and offence, a person's sex
    and year of birth."""


def records_search(
    *, user: Any, reference: str, reason_code: str, reason_text: str = ""
) -> list[SearchHit]:
    """The crimes and people ``user`` may open whose reference is ``reference`` (exactly, case
    ignored), each shown one logged as consulted with the reason given."""
    ref = reference.strip()
    if not ref:
        return []
    with transaction.atomic():
        crimes = list(
            crimes_visible(user)
            .filter(crime_ref__iexact=ref)
            .values_list("crime_ref", "recorded_date", "offence_description")[:20]
        )
        people = list(
            people_visible(user)
            .filter(person_ref__iexact=ref)
            .values_list("person_ref", "sex", "birth_year")[:20]
        )
        for object_type, refs in (
            (CRIME, [c[0] for c in crimes]),
            (PERSON, [p[0] for p in people]),
        ):
            if refs:
                access_record_many(
                    action=Action.CONSULT,
                    object_type=object_type,
                    object_refs=refs,
                    reason_code=reason_code,
                    reason_text=reason_text,
                )
    hits = [
        SearchHit("crime", c, f"recorded {d.isoformat()}: {o or 'offence not described'}")
        for c, d, o in crimes
    ]
    hits += [
        SearchHit("person", p, f"{Person.Sex(s).label}, born {y or 'year unknown'}")
        for p, s, y in people
    ]
    return hits


# --- the list of crimes -------------------------------------------------------------------------


@dataclass(frozen=True)
class CrimeRow:
    crime_ref: str
    recorded_date: date
    offence: str
    borough_code: str


def crimes_count(*, user: Any) -> int:
    """How many crimes ``user`` may open (a count: no record is read, nothing is logged)."""
    return crimes_visible(user).count()


def crimes_list(
    *, user: Any, offset: int, limit: int, reason_code: str, reason_text: str = ""
) -> list[CrimeRow]:
    """A page of the crimes ``user`` may open, newest first; each one listed is logged as
    consulted with the reason given."""
    with transaction.atomic():
        rows = list(
            crimes_visible(user)
            .order_by("-recorded_date", "-id")
            .values_list("crime_ref", "recorded_date", "offence_description", "offence_code",
                         "borough_code")[offset : offset + limit]
        )  # fmt: skip
        if rows:
            access_record_many(
                action=Action.CONSULT, object_type=CRIME, object_refs=[r[0] for r in rows],
                reason_code=reason_code, reason_text=reason_text,
            )  # fmt: skip
    return [CrimeRow(ref, day, text or code, borough) for ref, day, text, code, borough in rows]


# --- the person page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class InvolvementRow:
    recorded_date: date
    crime_ref: str
    crime_openable: bool
    offence: str
    vawg_group: str | None
    harm_days: float | None
    role: str
    relationship: str
    outcome_code: str


@dataclass(frozen=True)
class OrderRow:
    order_ref: str
    order_type: str
    as_subject: bool
    start_date: date
    end_date: date | None
    breaches: int


@dataclass(frozen=True)
class PersonView:
    person_ref: str
    sex: str
    birth_year: int | None
    ethnicity: str
    involvements: list[InvolvementRow]
    offences_by_group: list[tuple[str, int]]
    """Allegations (as suspect or offender) by VAWG group, "not VAWG" last."""
    victims_counted: int
    """Distinct victims on the crimes the person is a suspect or offender in."""
    harm_days_365: float
    """Harm days of their allegations recorded in the 365 days to their latest one."""
    orders: list[OrderRow]
    retention_group: int | None
    next_review_date: date | None
    high_profile: bool


@functools.cache
def _reference_tables() -> tuple[Taxonomy, HarmTable]:
    """The shipped taxonomy and harm table, read and checked once per process (they change only
    with a release)."""
    return taxonomy_load(), harm_table_default()


ClassKey = tuple[str, str, bool, bool]
"""What an involvement's VAWG group and harm days depend on: the crime's offence code and
description, its domestic-abuse flag, and whether a victim is female."""

_CLASSES: dict[ClassKey, tuple[str | None, float | None]] = {}
"""Each key's VAWG group and harm days, as the core classified it, kept for the process. A
Polars plan for a page's few rows cost about 10 ms of CPU on every person and crime page, more
than the page's SQL; the keys are few (offences, and descriptions as the force writes them)."""
CLASSES_KEPT = 50_000


def _key(row: Mapping[str, Any]) -> ClassKey:
    return (
        row["crime__offence_code"],
        row["crime__offence_description"],
        bool(row["crime__domestic_abuse"]),
        bool(row["female_victim"]),
    )


def _classified(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str | None, float | None]]:
    """The VAWG group and harm days of each row, in order, from the core's one classifier
    (:func:`vawg.taxonomy.crimes_classify`, :func:`vawg.harm.crimes_harm`), which is given only
    the rows whose key it has not classified before in this process."""
    keys = [_key(r) for r in rows]
    known = {k: found for k in keys if (found := _CLASSES.get(k)) is not None}
    missing = [k for k in dict.fromkeys(keys) if k not in known]
    if missing:
        frame = pl.DataFrame(
            {
                "crime_id": list(range(len(missing))),
                "offence_code": [k[0] for k in missing],
                "offence_description": [k[1] for k in missing],
                "domestic_abuse": [k[2] for k in missing],
                "female_victim": [k[3] for k in missing],
            },
            schema={
                "crime_id": pl.Int64,
                "offence_code": pl.String,
                "offence_description": pl.String,
                "domestic_abuse": pl.Boolean,
                "female_victim": pl.Boolean,
            },
        )
        taxonomy, harm = _reference_tables()
        out = crimes_harm(crimes_classify(frame.lazy(), taxonomy=taxonomy), harm=harm).collect()
        if len(_CLASSES) + len(missing) > CLASSES_KEPT:
            _CLASSES.clear()
        # The core's answer is not in the order of its input: each row is matched by its id.
        for i, group, days in out.select("crime_id", "vawg_group", "harm_days").iter_rows():
            known[missing[i]] = _CLASSES[missing[i]] = (group, days)
    return [known[k] for k in keys]


def person_open(
    *, user: Any, person_ref: str, reason_code: str, reason_text: str = ""
) -> PersonView | None:
    """The person page's content for ``person_ref``, or None when ``user`` may not open it (or
    there is none). Logs the person, each crime listed and each order listed as consulted."""
    return _person_read(
        user=user, person_ref=person_ref, action=Action.CONSULT, recipient="",
        reason_code=reason_code, reason_text=reason_text,
    )  # fmt: skip


def person_export(
    *, user: Any, person_ref: str, recipient: str, reason_code: str, reason_text: str = ""
) -> PersonView | None:
    """What :func:`person_open` reads, for an export to ``recipient``: logged as a disclosure
    of the person, each crime and each order, naming the recipient."""
    return _person_read(
        user=user, person_ref=person_ref, action=Action.DISCLOSE, recipient=recipient,
        reason_code=reason_code, reason_text=reason_text,
    )  # fmt: skip


def _person_read(
    *, user: Any, person_ref: str, action: str, recipient: str, reason_code: str,
    reason_text: str,
) -> PersonView | None:  # fmt: skip
    with transaction.atomic():
        person = people_visible(user).filter(person_ref=person_ref).first()
        if person is None:
            _refused(user, PERSON, person_ref)
            return None
        openable = set(
            crimes_visible(user)
            .filter(involvements__person=person)
            .values_list("crime_ref", flat=True)
        )
        female_victim = Involvement.objects.filter(
            crime_id=OuterRef("crime_id"), role=Involvement.Role.VICTIM, person__sex="F"
        )
        rows = list(
            Involvement.objects.filter(person=person)
            .annotate(female_victim=Exists(female_victim))
            .values(
                "crime_id", "role", "relationship", "crime__crime_ref", "crime__recorded_date",
                "crime__offence_code", "crime__offence_description", "crime__domestic_abuse",
                "crime__outcome_code", "female_victim",
            )
            .order_by("crime__recorded_date", "crime__crime_ref")
        )  # fmt: skip
        classified = _classified(rows)
        orders = list(
            Order.objects.filter(Q(subject=person) | Q(protected=person)).order_by("start_date")
        )
        access_record(
            action=action, object_type=PERSON, object_ref=person.person_ref,
            reason_code=reason_code, reason_text=reason_text, recipient=recipient,
        )  # fmt: skip
        shown = sorted({r["crime__crime_ref"] for r in rows})
        for object_type, refs in ((CRIME, shown), (ORDER, [o.order_ref for o in orders])):
            if refs:
                access_record_many(
                    action=action, object_type=object_type, object_refs=refs,
                    reason_code=reason_code, reason_text=reason_text, recipient=recipient,
                )  # fmt: skip
        alleged_ids = [r["crime_id"] for r in rows if r["role"] in ("suspect", "offender")]
        victims = (
            Involvement.objects.filter(crime_id__in=alleged_ids, role=Involvement.Role.VICTIM)
            .exclude(person=person)
            .values("person_id")
            .distinct()
            .count()
        )
    involvements = [
        InvolvementRow(
            recorded_date=r["crime__recorded_date"],
            crime_ref=r["crime__crime_ref"],
            crime_openable=r["crime__crime_ref"] in openable,
            offence=r["crime__offence_description"] or r["crime__offence_code"],
            vawg_group=g,
            harm_days=h,
            role=r["role"],
            relationship=r["relationship"],
            outcome_code=r["crime__outcome_code"],
        )
        for r, (g, h) in zip(rows, classified, strict=True)
    ]
    alleged = [i for i in involvements if i.role in ("suspect", "offender")]
    counted = Counter(i.vawg_group or "not VAWG" for i in alleged)
    by_group = sorted(counted.items(), key=lambda kv: (kv[0] == "not VAWG", -kv[1], kv[0]))
    harm = 0.0
    if alleged:
        latest = max(i.recorded_date for i in alleged)
        start = latest - timedelta(days=HARM_WINDOW_DAYS - 1)
        harm = sum(i.harm_days or 0.0 for i in alleged if i.recorded_date >= start)
    return PersonView(
        person_ref=person.person_ref,
        sex=Person.Sex(person.sex).label,
        birth_year=person.birth_year,
        ethnicity=person.ethnicity,
        involvements=involvements,
        offences_by_group=by_group,
        victims_counted=victims,
        harm_days_365=harm,
        orders=[
            OrderRow(
                order_ref=o.order_ref,
                order_type=o.order_type,
                as_subject=o.subject_id == person.pk,
                start_date=o.start_date,
                end_date=o.end_date,
                breaches=len(o.breach_dates or []),
            )
            for o in orders
        ],
        retention_group=person.retention_group,
        next_review_date=person.next_review_date,
        high_profile=person.high_profile,
    )


# --- the crime page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyRow:
    role: str
    relationship: str
    person_ref: str | None
    """The person's reference when the reader may open them, else None (shown as a count)."""


@dataclass(frozen=True)
class CrimeView:
    crime_ref: str
    recorded_date: date
    committed_date: date | None
    offence_code: str
    offence: str
    vawg_group: str | None
    harm_days: float | None
    domestic_abuse: bool
    borough_code: str
    outcome_code: str
    outcome_date: date | None
    parties: list[PartyRow]


def crime_open(
    *, user: Any, crime_ref: str, reason_code: str, reason_text: str = ""
) -> CrimeView | None:
    """The crime page's content for ``crime_ref``, or None when ``user`` may not open it (or
    there is none). Logs the crime, and each person it names to the reader, as consulted. The
    location is shown only as its borough."""
    with transaction.atomic():
        crime = crimes_visible(user).filter(crime_ref=crime_ref).first()
        if crime is None:
            _refused(user, CRIME, crime_ref)
            return None
        parties = list(
            Involvement.objects.filter(crime=crime)
            .values_list("role", "relationship", "person_id", "person__person_ref", "person__sex")
            .order_by("role", "person__person_ref")
        )
        ids = [p[2] for p in parties]
        openable = set(people_visible(user).filter(pk__in=ids).values_list("pk", flat=True))
        access_record(
            action=Action.CONSULT, object_type=CRIME, object_ref=crime.crime_ref,
            reason_code=reason_code, reason_text=reason_text,
        )  # fmt: skip
        named = sorted({p[3] for p in parties if p[2] in openable})
        if named:
            access_record_many(
                action=Action.CONSULT, object_type=PERSON, object_refs=named,
                reason_code=reason_code, reason_text=reason_text,
            )  # fmt: skip
    female = any(p[0] == Involvement.Role.VICTIM and p[4] == "F" for p in parties)
    ((vawg_group, harm_days),) = _classified(
        [
            {
                "crime_id": crime.pk,
                "crime__offence_code": crime.offence_code,
                "crime__offence_description": crime.offence_description,
                "crime__domestic_abuse": crime.domestic_abuse,
                "female_victim": female,
            }
        ]
    )
    return CrimeView(
        crime_ref=crime.crime_ref,
        recorded_date=crime.recorded_date,
        committed_date=crime.committed_date,
        offence_code=crime.offence_code,
        offence=crime.offence_description or crime.offence_code,
        vawg_group=vawg_group,
        harm_days=harm_days,
        domestic_abuse=crime.domestic_abuse,
        borough_code=crime.borough_code,
        outcome_code=crime.outcome_code,
        outcome_date=crime.outcome_date,
        parties=[
            PartyRow(role=r, relationship=rel, person_ref=ref if pid in openable else None)
            for r, rel, pid, ref, _ in parties
        ],
    )


# --- for the review of the access log -------------------------------------------------------------


def record_boroughs(*, object_type: str, refs: list[str]) -> dict[str, frozenset[str]]:
    """The borough codes each record belongs to (a crime: its own; a person: those of the
    crimes they are involved in), for the review of the access log. Reads references and
    borough codes only, no content, and is not itself a consultation of the records."""
    out: dict[str, set[str]] = {r: set() for r in refs}
    if object_type == CRIME:
        for ref, code in Crime.objects.filter(crime_ref__in=refs).values_list(
            "crime_ref", "borough_code"
        ):
            if code:
                out[ref].add(code)
    elif object_type == PERSON:
        for ref, code in Involvement.objects.filter(person__person_ref__in=refs).values_list(
            "person__person_ref", "crime__borough_code"
        ):
            if code:
                out[ref].add(code)
    return {k: frozenset(v) for k, v in out.items()}


def assigned_refs(*, user_id: int) -> dict[str, frozenset[str]]:
    """The references assigned to account ``user_id`` (open or ended), by object type."""
    rows = Assignment.objects.filter(user_id=user_id).values_list(
        "person__person_ref", "crime__crime_ref"
    )
    people = frozenset(p for p, _ in rows if p)
    crimes = frozenset(c for _, c in rows if c)
    return {PERSON: people, CRIME: crimes}


def high_profile_refs() -> frozenset[str]:
    """The references of the people marked high-profile."""
    return frozenset(Person.objects.filter(high_profile=True).values_list("person_ref", flat=True))
