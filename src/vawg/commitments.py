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

    @property
    def is_built(self) -> bool:
        """True when at least one page for this commitment exists."""
        return bool(self.pages)


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

COMMITMENTS: tuple[Commitment, ...] = (
    Commitment(
        number=1,
        pillar=TRUST,
        title="Tackle police-perpetrated VAWG and root out sexism and misogyny",
        summary="Deal firmly with officers and staff who commit violence against women and "
        "girls, and remove sexism and misogyny from the force's culture.",
        platform_offers="Planned: tracking of misconduct cases involving VAWG allegations, "
        "from report to outcome, with published summary figures.",
    ),
    Commitment(
        number=2,
        pillar=TRUST,
        title="Share more VAWG data with the public",
        summary="Publish VAWG data people can explore and reuse: interactive pages and open "
        "data files.",
        platform_offers="Today: the Met's published VAWG offence counts for each London borough "
        "by month, as a chart, a table and a CSV download, under the Open Government Licence. "
        "More open data (ward level, victims by age group) is planned.",
        pages=(BOROUGH_DATA,),
    ),
    Commitment(
        number=3,
        pillar=TRUST,
        title="Listen to victim survivors at every stage, and act on disparities",
        summary="Ask victim survivors about their experience from first contact to court, and "
        "find and act on differences between groups.",
        platform_offers="Planned: victim feedback surveys at each stage of the service, with "
        "results broken down to show disparities.",
    ),
    Commitment(
        number=4,
        pillar=TRUST,
        title="Invest in the teams that investigate VAWG",
        summary="Give investigators manageable caseloads, time to do the work well, and the "
        "training they need.",
        platform_offers="Planned: caseload, timeliness and training measures for the teams "
        "that investigate VAWG.",
    ),
    Commitment(
        number=5,
        pillar=TRUST,
        title="Be open about progress and invite external scrutiny",
        summary="Report progress on every commitment in public and let people outside the "
        "force check it.",
        platform_offers="Today: the published offence series by borough, with the change of "
        "crime recording system in February 2024 marked so the figures are read fairly. A "
        "progress tracker for every commitment is planned.",
        pages=(BOROUGH_DATA,),
    ),
    Commitment(
        number=6,
        pillar=PURSUIT,
        title="Identify and pursue the most harmful and prolific perpetrators",
        summary="Rank perpetrators by the harm they cause so that the most dangerous are "
        "pursued first, and spot the offences that often come before serious harm.",
        platform_offers="Planned, for police analysts only: a harm ranking in the style of the "
        "Met's V100, a recency-frequency-gravity score in the style of MATAC, and precursor "
        "offence analysis.",
    ),
    Commitment(
        number=7,
        pillar=PURSUIT,
        title="Make full use of civil and protection orders and act on breaches",
        summary="Use domestic abuse, stalking and sexual harm prevention orders wherever they "
        "protect victims, and respond when they are breached.",
        platform_offers="Planned, for police analysts only: use of DVPOs, DAPOs, stalking "
        "protection orders and SHPOs, and breaches and the action taken on them.",
    ),
    Commitment(
        number=8,
        pillar=PURSUIT,
        title="Bring more perpetrators to justice and improve outcomes for victims",
        summary="Charge more offenders, understand why victims withdraw from investigations, "
        "and shorten the time to an outcome.",
        platform_offers="Planned: charge rates, outcomes where the victim withdrew support, "
        "and time from report to outcome.",
    ),
    Commitment(
        number=9,
        pillar=SAFER_SPACES,
        title="Find high-harm places and share hotspot analysis",
        summary="Work out where harm is concentrated and give local leaders, patrols and the "
        "public maps and analysis they can act on.",
        platform_offers="Planned: hotspot maps and analysis for public places, with small "
        "counts suppressed so no one can be identified.",
    ),
    Commitment(
        number=10,
        pillar=SAFER_SPACES,
        title="Listen to where women and girls feel unsafe, and work with partners",
        summary="Give people an anonymous way to say where they feel unsafe, and work with "
        "councils, transport and businesses to make those places safer.",
        platform_offers="Planned: an anonymous way to mark a place where you felt unsafe, with "
        "no names and nothing that identifies you, and summaries shared with partners.",
    ),
)


def commitments_for_pillar(*, pillar: Pillar) -> tuple[Commitment, ...]:
    """The commitments under ``pillar``, in plan order."""
    return tuple(c for c in COMMITMENTS if c.pillar == pillar)
