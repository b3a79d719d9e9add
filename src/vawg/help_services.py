"""Where to get help, declared once: the London services and the national lines that the public
help pages list, and the nearest of London's sexual assault referral centres (the Havens) to a
point.

Each entry says what the service is for, how to reach it (a phone number only where the number was
checked against the service's own published pages; otherwise the web page alone) and when it is
open. The Havens carry the location of the hospital each centre sits beside, rounded to about
100 metres: it is used only to say which centre is nearest, by great-circle distance on a sphere
of the Earth's mean radius (the haversine formula; Sinnott, "Virtues of the Haversine", *Sky and
Telescope* 68(2), 1984), which differs from the ellipsoidal distance by well under 1% across
London.

Sources (read December 2026): the Havens, thehavens.org.uk (the one number for all three
centres, 020 3299 6900, open 24 hours); the Metropolitan Police Service, met.police.uk (online
reporting and Clare's Law); the National Domestic Abuse Helpline run by Refuge, Rape Crisis
England & Wales and Women's Aid, as already listed on the site's help page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_MEAN_RADIUS_KM = 6371.0088
"""The Earth's mean radius (IUGG), in kilometres."""


@dataclass(frozen=True)
class HelpService:
    """One service a person can contact, as the help pages show it.

    ``phone`` is the number as it is written for people (``"0808 2000 247"``), or ``None`` where
    the service is reached through its web page only; :attr:`tel` is the same number for a
    ``tel:`` link. ``lon`` and ``lat`` (WGS84 degrees) and ``address`` are set for services with
    a place to go to, and ``None`` otherwise.

    >>> s = HelpService(name="A line", what="Help.", phone="0808 2000 247",
    ...                 url="https://example.org/", hours="24 hours")
    >>> s.tel, s.has_place
    ('08082000247', False)
    """

    name: str
    what: str
    phone: str | None
    url: str
    hours: str
    lon: float | None = None
    lat: float | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith("https://"):
            raise ValueError(f"{self.name}: url must be an https address, got {self.url!r}")
        if (self.lon is None) != (self.lat is None):
            raise ValueError(f"{self.name}: give both lon and lat, or neither")
        if self.phone is not None and not self.tel.isdigit():
            raise ValueError(f"{self.name}: phone must be digits and spaces, got {self.phone!r}")

    @property
    def tel(self) -> str:
        """The phone number with its spaces taken out, for a ``tel:`` link; ``""`` if none."""
        return (self.phone or "").replace(" ", "")

    @property
    def site(self) -> str:
        """The web address as people say it: no scheme, no ``www.``, no trailing slash.

        >>> CLARES_LAW.site, MET_REPORT_ONLINE.site
        ('met.police.uk', 'met.police.uk/ro/report')
        """
        return self.url.removeprefix("https://").removeprefix("www.").rstrip("/")

    @property
    def has_place(self) -> bool:
        """Whether the service has a location (so it can be the nearest)."""
        return self.lon is not None and self.lat is not None


_HAVENS_PHONE = "020 3299 6900"
_HAVENS_URL = "https://www.thehavens.org.uk/"
_HAVENS_WHAT = (
    "For anyone in London raped or sexually assaulted in the past 12 months: medical care, a "
    "forensic examination if you want one, and support afterwards. You do not have to report to "
    "the police. Appointments are needed: call first."
)

HAVENS: tuple[HelpService, ...] = (
    HelpService(
        name="The Haven, Camberwell",
        what=_HAVENS_WHAT,
        phone=_HAVENS_PHONE,
        url=_HAVENS_URL,
        hours="24 hours, every day",
        lon=-0.0940,
        lat=51.4682,
        address="King's College Hospital, Denmark Hill, London SE5",
    ),
    HelpService(
        name="The Haven, Paddington",
        what=_HAVENS_WHAT,
        phone=_HAVENS_PHONE,
        url=_HAVENS_URL,
        hours="24 hours, every day",
        lon=-0.1738,
        lat=51.5172,
        address="St Mary's Hospital, Praed Street, London W2",
    ),
    HelpService(
        name="The Haven, Whitechapel",
        what=_HAVENS_WHAT,
        phone=_HAVENS_PHONE,
        url=_HAVENS_URL,
        hours="24 hours, every day",
        lon=-0.0600,
        lat=51.5190,
        address="Beside the Royal London Hospital, Whitechapel, London E1",
    ),
)
"""London's three sexual assault referral centres, run by King's College Hospital NHS
Foundation Trust; one phone number answers for all three."""

CLARES_LAW = HelpService(
    name="Clare's Law (the Domestic Violence Disclosure Scheme)",
    what=(
        "Ask the police whether a partner, or the partner of someone you know, has a record of "
        'abuse or violence. In London, apply to the Met online (search for "Clare\'s Law" on '
        "its website), at a police station, or by calling 101. The police agree a safe way to "
        "contact you, and any answer is given in person."
    ),
    phone=None,
    url="https://www.met.police.uk/",
    hours="Online at any time",
)

MET_REPORT_ONLINE = HelpService(
    name="Report a crime to the Met online",
    what=(
        "Report a crime that is not an emergency, including domestic abuse, stalking or "
        "harassment, without calling. In an emergency call 999."
    ),
    phone=None,
    url="https://www.met.police.uk/ro/report/",
    hours="Online at any time",
)

LONDON_SERVICES: tuple[HelpService, ...] = (*HAVENS, CLARES_LAW, MET_REPORT_ONLINE)
"""The services for London, in the order the help pages list them."""

EMERGENCY = HelpService(
    name="In an emergency",
    what=(
        "If you call from a mobile and cannot speak, stay on the line and press 55 when asked "
        "(the Silent Solution), so the operator knows you need help."
    ),
    phone="999",
    url="https://www.police.uk/",
    hours="24 hours, every day",
)

NON_EMERGENCY = HelpService(
    name="To report a crime that is not an emergency",
    what="Call the police on 101, or report online.",
    phone="101",
    url="https://www.police.uk/",
    hours="24 hours, every day",
)

NATIONAL_SERVICES: tuple[HelpService, ...] = (
    EMERGENCY,
    NON_EMERGENCY,
    HelpService(
        name="National Domestic Abuse Helpline, run by Refuge",
        what="Free and confidential support for anyone experiencing domestic abuse.",
        phone="0808 2000 247",
        url="https://www.nationaldahelpline.org.uk/",
        hours="24 hours, every day",
    ),
    HelpService(
        name="Rape Crisis",
        what="Support for anyone affected by rape, sexual assault or sexual abuse.",
        phone="0808 500 2222",
        url="https://rapecrisis.org.uk/",
        hours="24 hours, every day",
    ),
    HelpService(
        name="Women's Aid",
        what=(
            "Information, a live chat and a survivors' forum for women experiencing domestic abuse."
        ),
        phone=None,
        url="https://www.womensaid.org.uk/",
        hours="Online at any time; live chat at set hours",
    ),
)
"""The national lines, in the order the help pages list them."""


def great_circle_km(*, lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance between two WGS84 points, in kilometres (haversine formula).

    >>> round(great_circle_km(lon1=0.0, lat1=0.0, lon2=1.0, lat2=0.0), 2)
    111.2
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest_havens(*, lon: float, lat: float, n: int = 1) -> list[tuple[HelpService, float]]:
    """The ``n`` Havens nearest to a point, nearest first, with their distance in kilometres.

    ``lon`` and ``lat`` are WGS84 degrees. Ties keep the order of :data:`HAVENS`. ``n`` larger
    than the number of Havens returns them all.

    >>> [(h.name, round(km, 1)) for h, km in nearest_havens(lon=-0.0925, lat=51.4740)]
    [('The Haven, Camberwell', 0.7)]
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"not a longitude and latitude in degrees: ({lon}, {lat})")
    scored = [
        (h, great_circle_km(lon1=lon, lat1=lat, lon2=h.lon, lat2=h.lat))
        for h in HAVENS
        if h.lon is not None and h.lat is not None
    ]
    scored.sort(key=lambda pair: pair[1])
    return scored[:n]
