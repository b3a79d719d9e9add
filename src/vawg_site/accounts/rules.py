"""Object-level rules: predicates on (user, object) that say whether a staff account may do
something with a thing, as ``rules`` (django-rules) predicates.

Each is called as ``predicate(user)`` or ``predicate(user, obj)`` and returns a bool, and they
combine with ``&``, ``|`` and ``~``. They read the account's role and team from
``accounts.models.StaffMember`` (not from Django permissions), so a superuser flag grants nothing
here: the professional-standards compartment in particular is for that role alone,
administrators and superusers included. For the same reason they are tested directly (or through
a ``rules.RuleSet``), never through ``user.has_perm``, which Django answers True for any
superuser before asking a backend.

    may_open_person = has_role("public_protection") & (in_team_of | is_assigned)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rules.predicates import Predicate as RulesPredicate

from vawg_site.accounts.models import StaffMember, Team, TeamBorough
from vawg_site.accounts.roles import role_get

Test = Callable[[Any, Any], bool]


def named_predicate(name: str, test: Test) -> RulesPredicate:
    """A ``rules`` predicate named ``name`` that runs ``test(user, obj)``, ``obj`` None when
    it is called with the user alone."""

    def run(user: Any, obj: Any = None) -> bool:
        return bool(test(user, obj))

    return RulesPredicate(run, name=name)


def _member(user: Any) -> StaffMember | None:
    """The active account's staff profile, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_vawg_staff_member"):
        user._vawg_staff_member = (
            StaffMember.objects.select_related("team").filter(user_id=user.pk).first()
        )
    member: StaffMember | None = user._vawg_staff_member
    return member


def has_role(*codes: str) -> RulesPredicate:
    """True for an active account whose role is one of ``codes`` (``accounts.roles``)."""
    for code in codes:
        role_get(code)  # an unknown code is a programming error: fail where the rule is written
    wanted = frozenset(codes)
    return named_predicate(
        f"has_role({', '.join(codes)})",
        lambda user, _obj: (m := _member(user)) is not None and m.role in wanted,
    )


def team_code_of(obj: Any) -> str | None:
    """The code of the team an object belongs to: a team's own code, an object's ``team_code``,
    or the team of its ``borough_code`` (ONS); None when it has none of these."""
    if obj is None:
        return None
    if isinstance(obj, Team):
        return obj.code
    team_code = getattr(obj, "team_code", None)
    if team_code:
        return str(team_code)
    borough = getattr(obj, "borough_code", None)
    if borough:
        row = TeamBorough.objects.select_related("team").filter(borough_code=borough).first()
        return row.team.code if row is not None else None
    return None


def _in_team_of(user: Any, obj: Any) -> bool:
    member = _member(user)
    if member is None or member.team is None:
        return False
    return team_code_of(obj) == member.team.code


in_team_of = named_predicate("in_team_of", _in_team_of)
"""True when the object belongs to the account's own team (BCU); False without a team."""

is_assigned = named_predicate(
    "is_assigned",
    lambda user, obj: (
        _member(user) is not None and user.pk in set(getattr(obj, "assigned_user_ids", ()) or ())
    ),
)
"""True when the object lists the account among its ``assigned_user_ids``."""

is_professional_standards = has_role("professional_standards")
"""The only way into the professional-standards compartment."""

is_auditor = has_role("auditor")
is_administrator = has_role("administrator")


# --- what each role may open in the force's records ----------------------------------------------

TEAM, FORCE = "team", "force"


class RecordReach:
    """What a role may open in the force's records (``records.casework`` turns it into scoped
    querysets, the detail pages and the lists read through those, so a list cannot hold what
    the detail page refuses).

    ``crimes``: ``TEAM`` (the crimes located in the team's boroughs, or assigned to the account),
    ``FORCE`` (every crime) or None. ``people``: the involvement roles (victim, suspect, offender,
    witness) through which a person may be opened, reached as ``crimes`` is (a person is in a
    team's reach when one of their involvements in those roles is on a crime in the team's
    boroughs, or when they are assigned to the account). ``sealed``: True for the
    professional-standards compartment, which holds the sealed records and only those; every
    other reach excludes them.
    """

    def __init__(
        self,
        *,
        crimes: str | None,
        people: frozenset[str] = frozenset(),
        people_reach: str | None = None,
        sealed: bool = False,
    ) -> None:
        self.crimes = crimes
        self.people = people
        self.people_reach = people_reach if people else None
        self.sealed = sealed

    def __repr__(self) -> str:
        return (
            f"RecordReach(crimes={self.crimes}, people={sorted(self.people)}, "
            f"people_reach={self.people_reach}, sealed={self.sealed})"
        )


_ALL_ROLES = frozenset({"victim", "suspect", "offender", "witness"})
_SUSPECTS = frozenset({"suspect", "offender"})

RECORD_REACH: dict[str, RecordReach] = {
    "public_protection": RecordReach(crimes=TEAM, people=_ALL_ROLES, people_reach=TEAM),
    "neighbourhood_lead": RecordReach(crimes=TEAM),
    "victim_care": RecordReach(crimes=TEAM, people=frozenset({"victim"}), people_reach=TEAM),
    "analyst": RecordReach(crimes=FORCE, people=_SUSPECTS, people_reach=FORCE),
    "professional_standards": RecordReach(
        crimes=FORCE, people=_ALL_ROLES, people_reach=FORCE, sealed=True
    ),
}
"""Each role's reach; a role not listed (publisher, auditor, administrator) opens no record."""

NO_REACH = RecordReach(crimes=None)


def record_reach(user: Any) -> tuple[RecordReach, str | None]:
    """The account's reach and its team's code (None without one). An account with no staff
    profile, or inactive, reaches nothing; a team reach without a team reaches only what is
    assigned to the account."""
    member = _member(user)
    if member is None:
        return NO_REACH, None
    return RECORD_REACH.get(member.role, NO_REACH), member.team.code if member.team else None
