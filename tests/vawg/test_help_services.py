"""Help services: the declared lists and the nearest Haven to a point."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vawg.help_services import (
    HAVENS,
    LONDON_SERVICES,
    NATIONAL_SERVICES,
    HelpService,
    great_circle_km,
    nearest_havens,
)

# Points in each Haven's part of London, each a few hundred metres to a few km from its centre.
CAMBERWELL_GREEN = (-0.0925, 51.4740)
NOTTING_HILL_GATE = (-0.1966, 51.5090)
MILE_END = (-0.0330, 51.5250)
CROYDON = (-0.0982, 51.3762)


def test_a_point_in_camberwell_is_nearest_the_camberwell_haven() -> None:
    [(haven, km)] = nearest_havens(lon=CAMBERWELL_GREEN[0], lat=CAMBERWELL_GREEN[1])
    assert haven.name == "The Haven, Camberwell"
    assert 0.3 < km < 1.5


@pytest.mark.parametrize(
    ("point", "name"),
    [
        (NOTTING_HILL_GATE, "The Haven, Paddington"),
        (MILE_END, "The Haven, Whitechapel"),
        (CROYDON, "The Haven, Camberwell"),
    ],
)
def test_each_part_of_london_gets_its_own_haven(point: tuple[float, float], name: str) -> None:
    assert nearest_havens(lon=point[0], lat=point[1])[0][0].name == name


def test_several_havens_come_nearest_first_and_n_is_capped() -> None:
    ranked = nearest_havens(lon=MILE_END[0], lat=MILE_END[1], n=10)
    assert len(ranked) == len(HAVENS) == 3
    distances = [km for _, km in ranked]
    assert distances == sorted(distances)
    assert [h.name for h, _ in ranked][-1] == "The Haven, Paddington"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        nearest_havens(lon=0.0, lat=51.5, n=0)
    with pytest.raises(ValueError, match="longitude and latitude"):
        nearest_havens(lon=530000.0, lat=180000.0)  # easting and northing, not degrees


def test_great_circle_known_answers() -> None:
    # A quarter of the equator, and one degree of latitude (pi * R / 180).
    assert great_circle_km(lon1=0, lat1=0, lon2=90, lat2=0) == pytest.approx(
        math.pi * 6371.0088 / 2
    )
    assert great_circle_km(lon1=-0.1, lat1=51, lon2=-0.1, lat2=52) == pytest.approx(
        111.195, abs=1e-3
    )
    # King's College Hospital to St Mary's Paddington: about 7.8 km as the crow flies.
    assert great_circle_km(lon1=-0.0940, lat1=51.4682, lon2=-0.1738, lat2=51.5172) == pytest.approx(
        7.8, abs=0.2
    )


@given(
    lon=st.floats(min_value=-0.51, max_value=0.33),
    lat=st.floats(min_value=51.28, max_value=51.70),
)
def test_the_nearest_haven_is_no_further_than_any_other(lon: float, lat: float) -> None:
    [(_, best)] = nearest_havens(lon=lon, lat=lat)
    for haven in HAVENS:
        assert haven.lon is not None
        assert haven.lat is not None
        assert best <= great_circle_km(lon1=lon, lat1=lat, lon2=haven.lon, lat2=haven.lat)


def test_the_lists_hold_the_havens_the_met_and_the_national_lines() -> None:
    names = [s.name for s in LONDON_SERVICES]
    assert names[:3] == [h.name for h in HAVENS]
    assert any("Clare's Law" in n for n in names)
    assert any(s.url.startswith("https://www.met.police.uk/ro/report") for s in LONDON_SERVICES)
    phones = {s.phone for s in NATIONAL_SERVICES}
    assert {"999", "101", "0808 2000 247", "0808 500 2222"} <= phones
    assert "55" in next(s for s in NATIONAL_SERVICES if s.phone == "999").what
    for service in (*LONDON_SERVICES, *NATIONAL_SERVICES):
        assert service.url.startswith("https://")
        assert service.hours


def test_a_service_is_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="https"):
        HelpService(name="x", what="y", phone=None, url="http://a.example/", hours="any")
    with pytest.raises(ValueError, match="both lon and lat"):
        HelpService(name="x", what="y", phone=None, url="https://a.example/", hours="any", lon=0.1)
    with pytest.raises(ValueError, match="digits"):
        HelpService(name="x", what="y", phone="call us", url="https://a.example/", hours="any")
