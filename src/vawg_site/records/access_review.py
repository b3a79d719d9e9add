"""The nightly review of the access log, run for one day: gathers the day's reads from the log
and what the rules need from the records and the accounts, runs the rules
(:mod:`vawg_site.audit.review`) and writes their alerts for the privacy officer's queue.

It lives here, not in ``audit``, because it reads the records (boroughs, assignments, the
high-profile mark: references and codes only, through ``records.casework``) and the accounts
(roles, teams, staff members' own person references), which the audit app, a lower layer, may
not import. ``vawg manage audit_review`` runs it (docs/audit.md, "The nightly review").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from vawg_site.accounts import selectors as accounts
from vawg_site.accounts.roles import ROLES
from vawg_site.audit import review
from vawg_site.audit.selectors import AUDIT_LOG, review_daily_counts, review_reads
from vawg_site.audit.services import Action, Reason, access_record, review_alerts_record
from vawg_site.common.access import access_context
from vawg_site.records.casework import assigned_refs, high_profile_refs, record_boroughs

CHUNK = 500
"""References looked up at a time (well under any engine's limit on query parameters)."""


@dataclass(frozen=True)
class ReviewRun:
    window_start: datetime
    window_end: datetime
    reads: int
    findings: int
    alerts_added: int


def review_window(day: date) -> tuple[datetime, datetime]:
    """The UTC day ``day``, from its midnight (inclusive) to the next (exclusive)."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def _chunks(refs: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(refs), CHUNK):
        yield refs[i : i + CHUNK]


def _resolved(reads: list[review.Read]) -> list[review.Read]:
    """The reads with their role as a code and their team: as logged at the time, else as the
    account's profile is now (rows logged before the log carried the team, or with an account's
    groups in place of its role). Changes ``reads`` in place (a day's reads can be millions)."""
    codes = frozenset(r.code for r in ROLES)
    unknown = {r.user_id for r in reads if r.role not in codes or not r.team}
    now = accounts.staff_roles_and_teams(user_ids=unknown)
    for i, read in enumerate(reads):
        if read.user_id in now and (read.role not in codes or not read.team):
            role_now, team_now = now[read.user_id]
            role = read.role if read.role in codes else role_now
            team = read.team or team_now
            if (role, team) != (read.role, read.team):
                reads[i] = replace(read, role=role, team=team)
    return reads


def _lookups(reads: list[review.Read], *, start: datetime) -> review.Lookups:
    team_roles = frozenset(r.code for r in ROLES if r.needs_team)
    team_reads = [r for r in reads if r.role in team_roles]
    boroughs: dict[tuple[str, str], frozenset[str]] = {}
    for object_type in review.REVIEWED_TYPES:
        refs = sorted({r.object_ref for r in team_reads if r.object_type == object_type})
        for chunk in _chunks(refs):
            found = record_boroughs(object_type=object_type, refs=chunk)
            boroughs.update({(object_type, ref): codes for ref, codes in found.items()})
    history_start = start - timedelta(days=review.HISTORY_DAYS)
    daily = review_daily_counts(start=history_start, end=start)
    days = [history_start.date() + timedelta(days=i) for i in range(review.HISTORY_DAYS)]
    users = {r.user_id for r in reads}
    return review.Lookups(
        staff_person_refs=accounts.staff_person_refs(),
        team_roles=team_roles,
        team_boroughs={t.code: frozenset(t.borough_codes) for t in accounts.team_list()},
        record_boroughs=boroughs,
        assigned={u: assigned_refs(user_id=u) for u in {r.user_id for r in team_reads}},
        high_profile=high_profile_refs(),
        history={u: [daily.get(u, {}).get(d, 0) for d in days] for u in users},
    )


def access_review_run(*, day: date) -> ReviewRun:
    """Review the reads of people and crimes logged on the UTC day ``day`` and add an open alert
    for each finding that has none yet; the review's reading of the log is itself logged (one
    ``consult`` of ``audit-log``, reason ``audit``, reference ``review=<day>``)."""
    start, end = review_window(day)
    with transaction.atomic(), access_context(channel="command", reason_code=Reason.AUDIT):
        role_codes = {r.name: r.code for r in ROLES}
        reads = _resolved(review_reads(start=start, end=end, role_codes=role_codes))
        findings = review.review_findings(reads, lookups=_lookups(reads, start=start))
        added = review_alerts_record(findings=findings, window_start=start, window_end=end)
        access_record(
            action=Action.CONSULT, object_type=AUDIT_LOG, object_ref=f"review={day.isoformat()}"
        )
    return ReviewRun(
        window_start=start,
        window_end=end,
        reads=len(reads),
        findings=len(findings),
        alerts_added=added,
    )
