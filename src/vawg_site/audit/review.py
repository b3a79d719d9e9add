"""The nightly review of the access log: the rules that flag a day's reads of the force's records
for a privacy officer to look at (docs/audit.md, "The nightly review").

The ICO asks that logs be reviewed proactively, and names what to look for: staff looking at a
colleague's record, at records outside their work with no reason to, in unusual volumes, or at
the records of people in the public eye
(https://ico.org.uk/for-organisations/law-enforcement/guide-to-le-processing/accountability-and-governance/logging).
Each rule here is a pure function of plain data: the day's reads (:class:`Read`, one per log
row) and the look-ups it needs, passed in by the job that gathers them
(``vawg_site.records.access_review``), since this app may import neither the records nor the
accounts. Each returns :class:`Finding` objects, one per account flagged, holding counts and the
range of the log's event ids, and never a record's reference: an alert says that something is
worth a look and where to look, not what was looked at.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

PERSON = "records.person"
CRIME = "records.crime"
REVIEWED_TYPES = (PERSON, CRIME)
"""The object types the review reads: people and crimes (orders and involvements are only ever
read with one of them)."""

COLLEAGUE = "colleague"
OUTSIDE_TEAM = "outside_team"
VOLUME = "volume"
HIGH_PROFILE = "high_profile"
PATTERNS: dict[str, str] = {
    COLLEAGUE: "Read a colleague's own record",
    OUTSIDE_TEAM: "Read records outside their team with no assignment",
    VOLUME: "Read an unusual number of records",
    HIGH_PROFILE: "Read a high-profile person's record",
}
"""Each pattern's code and what the queue calls it."""

VOLUME_FLOOR = 50
"""A day's distinct records read must pass this before its volume is unusual, whatever the
history: a person page logs the person and every crime and order it lists, so a handful of
pages of prolific offenders make tens of records on an ordinary day."""
VOLUME_FACTOR = 3.0
"""Unusual is more than this many times the account's own median day, or its role's."""
HISTORY_DAYS = 28
"""The account's own history: its daily counts over the 28 days before the day reviewed (four
whole weeks, so each weekday is there four times), days with no reads counted as 0."""
MIN_PEERS = 3
"""The role's median is compared only when at least this many other accounts of the role read
records that day (with fewer, one colleague's quiet day would make anyone look busy)."""


@dataclass(frozen=True, slots=True)
class Read:
    """One row of the log: a consultation or a disclosure of a person or a crime by an account.
    ``role`` and ``team`` are codes (``accounts.roles``, a BCU's code), blank when unknown."""

    event_id: int
    user_id: int
    username: str
    role: str
    team: str
    object_type: str
    object_ref: str
    request_id: str


@dataclass(frozen=True)
class Finding:
    """One account flagged for one pattern over the day: how many events and distinct records
    match, the ids of the first and last of those events, and for volume the threshold passed
    and what it came from. Holds no record's reference."""

    pattern: str
    user_id: int
    username: str
    event_count: int
    record_count: int
    first_event_id: int
    last_event_id: int
    threshold: float | None = None
    basis: str = ""
    """For volume: ``own`` (the account's own history) or ``role`` (its role's that day)."""


@dataclass(frozen=True)
class Lookups:
    """What the rules need besides the reads, gathered by the job from the records and the
    accounts. ``record_boroughs`` maps (object type, reference) to the ONS borough codes the
    record belongs to; ``assigned`` maps an account to the references assigned to it, by object
    type; ``team_boroughs`` a team's code to its boroughs; ``team_roles`` the codes of the roles
    that work within a team; ``staff_person_refs`` a staff member's own person reference to their
    account; ``history`` an account to its daily counts of distinct records read over the
    :data:`HISTORY_DAYS` before the day."""

    staff_person_refs: Mapping[str, int] = field(default_factory=dict)
    team_roles: frozenset[str] = frozenset()
    team_boroughs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    record_boroughs: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    assigned: Mapping[int, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    high_profile: frozenset[str] = frozenset()
    history: Mapping[int, Sequence[int]] = field(default_factory=dict)


def _by_user(reads: Iterable[Read]) -> dict[int, list[Read]]:
    out: dict[int, list[Read]] = defaultdict(list)
    for read in reads:
        out[read.user_id].append(read)
    return dict(out)


def _findings(pattern: str, flagged: Iterable[Read]) -> list[Finding]:
    """One finding per account among ``flagged``, by account id."""
    return [
        Finding(
            pattern=pattern,
            user_id=user_id,
            username=max(reads, key=lambda r: r.event_id).username,
            event_count=len(reads),
            record_count=len({(r.object_type, r.object_ref) for r in reads}),
            first_event_id=min(r.event_id for r in reads),
            last_event_id=max(r.event_id for r in reads),
        )
        for user_id, reads in sorted(_by_user(flagged).items())
    ]


def colleague_reads(
    reads: Iterable[Read], *, staff_person_refs: Mapping[str, int]
) -> list[Finding]:
    """Reads of a person whose record is another staff member's own (their ``person_ref``).

    >>> r = Read(1, 7, "a", "public_protection", "CN", PERSON, "P-9", "q")
    >>> [f.record_count for f in colleague_reads([r], staff_person_refs={"P-9": 8})]
    [1]
    >>> colleague_reads([r], staff_person_refs={"P-9": 7})  # their own record: another rule's
    []
    """
    return _findings(
        COLLEAGUE,
        (
            r
            for r in reads
            if r.object_type == PERSON
            and staff_person_refs.get(r.object_ref, r.user_id) != r.user_id
        ),
    )


def _in_reach(read: Read, lookups: Lookups, boroughs: frozenset[str]) -> bool:
    record = lookups.record_boroughs.get((read.object_type, read.object_ref), frozenset())
    assigned = lookups.assigned.get(read.user_id, {}).get(read.object_type, frozenset())
    return bool(record & boroughs) or read.object_ref in assigned


def outside_team_reads(reads: Iterable[Read], *, lookups: Lookups) -> list[Finding]:
    """Reads, by an account of a team-based role, of a person or crime none of whose boroughs is
    one of its team's and that was never assigned to it.

    A record with no borough at all (a crime with no location) counts as outside: a team's reach
    holds it only by assignment. A person page lists every crime of the person, those outside
    the team included, and logs them as read: a crime read in the same request as a person in
    the account's reach is therefore not flagged (it was listed, not sought). An account with no
    team reads everything outside it.
    """
    reads = list(reads)
    team_reads = [r for r in reads if r.role in lookups.team_roles]
    listed_with: set[tuple[int, str]] = set()
    outside: list[Read] = []
    for read in team_reads:
        boroughs = lookups.team_boroughs.get(read.team, frozenset())
        if _in_reach(read, lookups, boroughs):
            if read.object_type == PERSON:
                listed_with.add((read.user_id, read.request_id))
        else:
            outside.append(read)
    return _findings(
        OUTSIDE_TEAM,
        (
            r
            for r in outside
            if not (r.object_type == CRIME and (r.user_id, r.request_id) in listed_with)
        ),
    )


def volume_threshold(
    history: Sequence[int], *, floor: int = VOLUME_FLOOR, factor: float = VOLUME_FACTOR
) -> float:
    """The count an account's day must pass to be unusual against its own history: the larger
    of ``floor`` and ``factor`` times the median of ``history`` (its daily counts, zero days
    included). The median, not the mean, so that one earlier busy day does not hide the next.

    >>> volume_threshold([0] * 28), volume_threshold([10] * 20 + [0] * 8), volume_threshold([40])
    (50, 50, 120.0)
    """
    median = statistics.median(history) if history else 0
    return max(floor, factor * median)


def volume_reads(
    reads: Iterable[Read],
    *,
    history: Mapping[int, Sequence[int]],
    floor: int = VOLUME_FLOOR,
    factor: float = VOLUME_FACTOR,
    min_peers: int = MIN_PEERS,
) -> list[Finding]:
    """Accounts whose distinct records read today pass :func:`volume_threshold` of their own
    history, or the same threshold of their role's day (the median of the other accounts of
    the role that read any record today, when there are at least ``min_peers`` of them). The
    second catches an account that has always read far more than its colleagues, which its own
    history cannot."""
    by_user = _by_user(reads)
    counts = {u: len({(r.object_type, r.object_ref) for r in rs}) for u, rs in by_user.items()}
    roles = {u: max(rs, key=lambda r: r.event_id).role for u, rs in by_user.items()}
    out: list[Finding] = []
    for user_id, count in sorted(counts.items()):
        own = volume_threshold(history.get(user_id, ()), floor=floor, factor=factor)
        peers = [c for u, c in counts.items() if u != user_id and roles[u] == roles[user_id]]
        role = (
            volume_threshold(peers, floor=floor, factor=factor)
            if roles[user_id] and len(peers) >= min_peers
            else None
        )
        if count > own:
            threshold, basis = own, "own"
        elif role is not None and count > role:
            threshold, basis = role, "role"
        else:
            continue
        (finding,) = _findings(VOLUME, by_user[user_id])
        out.append(replace(finding, threshold=float(threshold), basis=basis))
    return out


def high_profile_reads(reads: Iterable[Read], *, high_profile: frozenset[str]) -> list[Finding]:
    """Any read of a person marked high-profile, by anyone."""
    return _findings(
        HIGH_PROFILE, (r for r in reads if r.object_type == PERSON and r.object_ref in high_profile)
    )


def review_findings(reads: Sequence[Read], *, lookups: Lookups) -> list[Finding]:
    """Every rule over the day's ``reads``, by pattern then account."""
    return [
        *colleague_reads(reads, staff_person_refs=lookups.staff_person_refs),
        *outside_team_reads(reads, lookups=lookups),
        *volume_reads(reads, history=lookups.history),
        *high_profile_reads(reads, high_profile=lookups.high_profile),
    ]


def finding_summary(
    *, pattern: str, event_count: int, record_count: int, threshold: float | None, basis: str
) -> str:
    """What the queue says of an alert, from its counts alone.

    >>> finding_summary(pattern=VOLUME, event_count=90, record_count=80, threshold=50, basis="own")
    "80 records read in 90 events, over this account's usual threshold of 50"
    """
    text = f"{record_count} record{'s' if record_count != 1 else ''} read in {event_count} "
    text += "event" if event_count == 1 else "events"
    if pattern == VOLUME and threshold is not None:
        whose = "this account's usual" if basis == "own" else "its role's usual"
        text += f", over {whose} threshold of {threshold:g}"
    return text
