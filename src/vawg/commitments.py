"""The Met's VAWG Action Plan as this project reads it: three pillars, ten commitments, and for
each commitment what the platform offers today and which of its pages serve it.

This is data, not analysis: the home page lists it and a test checks that every page named here
exists. The wording is the project's own summary of the Metropolitan Police Service's "A New
Charter for London: Violence Against Women and Girls Action Plan" (2023); the numbering matches
the project's issues. A commitment with no pages says so plainly ("not built yet") rather than
linking to a placeholder.

>>> [c.number for c in commitments_for_pillar(pillar=PILLARS[2])]
[9, 10]
>>> COMMITMENTS[1].is_built
True
>>> [c.number for c in COMMITMENTS if c.has_progress_page]
[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pillar:
    """One of the plan's three pillars.

    ``slug`` is a stable identifier for HTML ids and links; ``name`` is what people read.
    """

    slug: str
    name: str
    summary: str


@dataclass(frozen=True)
class PlatformPage:
    """A page of the site that serves a commitment.

    ``route`` is the Django URL name (``namespace:name``) of a page that exists; a test resolves
    every one of them. ``title`` is the link text.
    """

    title: str
    route: str


@dataclass(frozen=True)
class Commitment:
    """One of the plan's ten commitments and what the platform does for it.

    ``platform_offers`` describes what the platform gives for the commitment, today or as
    planned; ``pages`` lists the pages that exist for it, empty while none is built yet.
    """

    number: int
    pillar: Pillar
    title: str
    summary: str
    platform_offers: str
    pages: tuple[PlatformPage, ...] = ()
    meaning: str = ""
    measures: tuple[str, ...] = ()

    @property
    def is_built(self) -> bool:
        """True when at least one page for this commitment exists."""
        return bool(self.pages) or self.has_progress_page

    @property
    def has_progress_page(self) -> bool:
        """True when the commitment has its own progress page (``/commitments/<n>/``): it has
        at least one measure the platform can compute from data it loads."""
        return bool(self.measures)


TRUST = Pillar(
    slug="trust-and-confidence",
    name="Trust and confidence",
    summary="Earn back the trust of women and girls in London by putting the Met's own house "
    "in order, being open with data and listening to victim survivors.",
)
PURSUIT = Pillar(
    slug="relentless-pursuit-of-perpetrators",
    name="Relentless pursuit of perpetrators",
    summary="Find the people who cause the most harm, use every power available to restrict "
    "them, and bring more of them to justice.",
)
SAFER_SPACES = Pillar(
    slug="safer-spaces",
    name="Safer spaces",
    summary="Make streets, transport and public places safer, starting from where harm happens "
    "and where women and girls say they feel unsafe.",
)

PILLARS: tuple[Pillar, ...] = (TRUST, PURSUIT, SAFER_SPACES)

BOROUGH_DATA = PlatformPage(title="VAWG offences by borough", route="public:borough_data")
DASHBOARD = PlatformPage(title="VAWG data dashboard", route="public:dashboard")
WARD_MAP = PlatformPage(title="Ward hotspot map", route="public:ward_map")
STREET_MAP = PlatformPage(title="Street-level violence map (proxy)", route="public:street_map")

# Measure keys: each names a block of the commitment page template.
PUBLISHED_TREND = "published_trend"
PUBLISHED_VICTIMS = "published_victims"
WARD_HOTSPOTS = "ward_hotspots"
CHARGE_RATE = "charge_rate"
OUTCOME_MIX = "outcome_mix"
TIME_TO_OUTCOME = "time_to_outcome"
ORDERS = "orders"
REPEAT_VICTIMISATION = "repeat_victimisation"
LIST_SIZE = "list_size"
STOP_SEARCH_WOMEN = "stop_search_women"
BOROUGH_CHANGES = "borough_changes"
STREET_PLACES = "street_places"
OPEN_DATA_MEASURES = frozenset({STOP_SEARCH_WOMEN, BOROUGH_CHANGES, STREET_PLACES})
"""Measures of data already published by its owner (data.police.uk, the London Datastore)
computed by ``vawg_site.public.commitment_selectors``: shown as published, with the source."""
FORCE_MEASURES = frozenset(
    {CHARGE_RATE, OUTCOME_MIX, TIME_TO_OUTCOME, ORDERS, REPEAT_VICTIMISATION, LIST_SIZE}
)
"""Measures computed from the force extract: shown only through disclosure control."""

COMMITMENTS: tuple[Commitment, ...] = (
    Commitment(
        number=1,
        pillar=TRUST,
        title="Tackle police-perpetrated VAWG and root out sexism and misogyny",
        summary="Deal firmly with officers and staff who commit violence against women and "
        "girls, and remove sexism and misogyny from the force's culture.",
        platform_offers="Today: how the Met uses stop and search on women and girls, from "
        "data.police.uk: how many searches, how many of girls under 18, how many ended with no "
        "further action, and how many removed more than outer clothing. Planned: misconduct "
        "cases involving VAWG allegations against officers and staff, from report to outcome; "
        "no open data set holds them yet, so the platform cannot measure them.",
        meaning="Women and girls cannot trust a force whose own officers and staff abuse them "
        "or treat them with contempt. The Met has to find and remove those who do, and show "
        "that it uses its powers over women and girls fairly and only when it needs to.",
        measures=(STOP_SEARCH_WOMEN,),
    ),
    Commitment(
        number=2,
        pillar=TRUST,
        title="Share more VAWG data with the public",
        summary="Publish VAWG data people can explore and reuse: interactive pages and open "
        "data files.",
        platform_offers="Today: a dashboard of the Met's published VAWG offences and victims "
        "by borough, ward, offence group, month, victim age group and ethnic group, and hotspot "
        "maps, each with its table and a CSV download, under the Open Government Licence.",
        pages=(DASHBOARD, BOROUGH_DATA, WARD_MAP, STREET_MAP),
        meaning="Londoners should be able to see for themselves how much violence against women "
        "and girls the Met records, where, and against whom, without asking for it. Sharing "
        "data means publishing it in a form people can explore, check and reuse, while never "
        "identifying a victim.",
        measures=(PUBLISHED_TREND, PUBLISHED_VICTIMS),
    ),
    Commitment(
        number=3,
        pillar=TRUST,
        title="Listen to victim survivors at every stage, and act on disparities",
        summary="Ask victim survivors about their experience from first contact to court, and "
        "find and act on differences between groups.",
        platform_offers="Today: victims by age group and by ethnic group from the Met's "
        "published data, and the repeat victimisation rate from the force's records. Planned: "
        "victim feedback surveys at each stage, with results broken down to show disparities.",
        meaning="Victim survivors' experience should shape the service. The first step is to "
        "know who the victims are, how often the same women are harmed again, and where some "
        "groups are served worse than others.",
        measures=(PUBLISHED_VICTIMS, REPEAT_VICTIMISATION),
    ),
    Commitment(
        number=4,
        pillar=TRUST,
        title="Invest in the teams that investigate VAWG",
        summary="Give investigators manageable caseloads, time to do the work well, and the "
        "training they need.",
        platform_offers="Today: time from report to outcome, from the force's records. "
        "Planned: caseload and training measures for the teams that investigate VAWG.",
        meaning="Investigations of VAWG take too long, and delay is one reason victims withdraw. "
        "How long cases take to reach an outcome is the first sign of whether investigators "
        "have the time and resources they need.",
        measures=(TIME_TO_OUTCOME,),
    ),
    Commitment(
        number=5,
        pillar=TRUST,
        title="Be open about progress and invite external scrutiny",
        summary="Report progress on every commitment in public and let people outside the "
        "force check it.",
        platform_offers="Today: a progress page for each commitment that has a measure, and "
        "the published offence series with the change of crime recording system in February "
        "2024 marked so the figures are read fairly.",
        pages=(DASHBOARD, BOROUGH_DATA),
        meaning="Progress should be reported in public, measure by measure, with the methods "
        "stated so that people outside the force can check the figures and challenge them.",
        measures=(PUBLISHED_TREND, CHARGE_RATE, WARD_HOTSPOTS),
    ),
    Commitment(
        number=6,
        pillar=PURSUIT,
        title="Identify and pursue the most harmful and prolific perpetrators",
        summary="Rank perpetrators by the harm they cause so that the most dangerous are "
        "pursued first, and spot the offences that often come before serious harm.",
        platform_offers="For police analysts only: a harm ranking in the style of the Met's "
        "V100 and a recency-frequency-gravity score in the style of MATAC. In public: only how "
        "many people the ranking is drawn from, never who.",
        meaning="A small number of offenders cause a large share of the harm. Finding them by "
        "the harm they cause, not just the number of reports, lets the police pursue the most "
        "dangerous first.",
        measures=(LIST_SIZE,),
    ),
    Commitment(
        number=7,
        pillar=PURSUIT,
        title="Make full use of civil and protection orders and act on breaches",
        summary="Use domestic abuse, stalking and sexual harm prevention orders wherever they "
        "protect victims, and respond when they are breached.",
        platform_offers="Today: how many protective orders are in place, by type, and how "
        "many were breached, from the force's records. Planned, for analysts: the action taken "
        "on each breach.",
        meaning="Protection orders restrict what an abuser may do. They protect victims only if "
        "they are used, and if breaches are noticed and acted on.",
        measures=(ORDERS,),
    ),
    Commitment(
        number=8,
        pillar=PURSUIT,
        title="Bring more perpetrators to justice and improve outcomes for victims",
        summary="Charge more offenders, understand why victims withdraw from investigations, "
        "and shorten the time to an outcome.",
        platform_offers="Today: the charge rate, the mix of outcomes including those where "
        "the victim did not support action, and time from report to outcome, from the force's "
        "records.",
        meaning="More VAWG crimes should end with the offender charged, fewer should end "
        "because the victim withdrew, and outcomes should come sooner.",
        measures=(CHARGE_RATE, OUTCOME_MIX, TIME_TO_OUTCOME),
    ),
    Commitment(
        number=9,
        pillar=SAFER_SPACES,
        title="Find high-harm places and share hotspot analysis",
        summary="Work out where harm is concentrated and give local leaders, patrols and the "
        "public maps and analysis they can act on.",
        platform_offers="Today: a ward hotspot map of the Met's published VAWG offences, with "
        "rates per 1,000 female residents, and a street-level map of police.uk violence and "
        "sexual offences as a proxy, each with a table of the same hotspots.",
        pages=(WARD_MAP, STREET_MAP),
        meaning="Harm is concentrated in some places. Showing where, with a test of whether a "
        "cluster is more than chance, helps councils, transport and patrols act there.",
        measures=(WARD_HOTSPOTS,),
    ),
    Commitment(
        number=10,
        pillar=SAFER_SPACES,
        title="Listen to where women and girls feel unsafe, and work with partners",
        summary="Give people an anonymous way to say where they feel unsafe, and work with "
        "councils, transport and businesses to make those places safer.",
        platform_offers="Today: the Met's published VAWG offences for every borough, for the "
        "council and the partners there, and the places on data.police.uk's map with the most "
        "violence and sexual offences. Planned: an anonymous way to mark a place where you felt "
        "unsafe, with no names and nothing that identifies you, and summaries shared with "
        "partners.",
        pages=(BOROUGH_DATA, STREET_MAP),
        meaning="Councils, transport operators and businesses run many of the places where "
        "women and girls are harmed or feel unsafe. Working with them starts from sharing the "
        "same figures, borough by borough and place by place, so that each partner can see its "
        "part and act on it.",
        measures=(BOROUGH_CHANGES, STREET_PLACES),
    ),
)


def commitments_for_pillar(*, pillar: Pillar) -> tuple[Commitment, ...]:
    """The commitments under ``pillar``, in plan order."""
    return tuple(c for c in COMMITMENTS if c.pillar == pillar)
