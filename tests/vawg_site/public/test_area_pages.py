"""The search page and the "my area" page: matching over the shipped boundaries and place list,
postcodes once loaded, the City of London shown as another force's area, and no-store headers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse
from tests.vawg.test_postcodes import onspd_write

from vawg.periods import months_back
from vawg.rates import WARD_POPULATION_FILE, ward_population_read
from vawg_site.common import geography
from vawg_site.opendata.models import VawgCount
from vawg_site.opendata.services import postcode_load

pytestmark = pytest.mark.django_db

CAMDEN, BELSIZE, CITY = "E09000007", "E05013652", "E09000001"
LATEST = date(2025, 6, 1)


@pytest.fixture
def geo(real_data_dir: Path) -> Path:
    geography.cache_clear()
    return real_data_dir


@pytest.fixture
def counts(geo: Path) -> None:
    """Fourteen months to June 2025: Belsize 10 a month, rising by 1; Camden's other ward 20;
    Barnet 50; the Met's "Other" 7 (in no borough)."""
    rows = []
    for i in range(14):
        month = months_back(LATEST, 13 - i)
        for borough, ward, code, count in (
            ("Camden", "Belsize", BELSIZE, 10 + i),
            ("Camden", "Camden Town", "E05013655", 20),
            ("Barnet", "Hendon", "", 50),
            ("Other", "", "", 7),
        ):
            rows.append(
                VawgCount(
                    natural_key=uuid4().hex,
                    measure="offences",
                    sheet="location",
                    month=month,
                    committed_month=month,
                    borough=borough,
                    ward_name=ward,
                    ward_code=code,
                    count=count,
                )
            )
    VawgCount.objects.bulk_create(rows)


def _search(client: Client, q: str, **extra: str) -> object:
    return client.get(reverse("public:search"), {"q": q, **extra})


def test_search_page_without_a_query(client: Client, geo: Path) -> None:
    response = client.get(reverse("public:search"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert b'name="q"' in response.content
    assert b'method="get"' in response.content


@pytest.mark.parametrize(
    ("q", "target"),
    [
        ("camden", CAMDEN),
        ("  CAMDEN ", CAMDEN),
        ("Belsize", BELSIZE),
        ("hammersmith & fulham", "E09000013"),
        ("city of london", CITY),
    ],
)
def test_one_exact_match_redirects_to_its_area(
    client: Client, geo: Path, q: str, target: str
) -> None:
    response = _search(client, q)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:my_area", args=[target])
    assert "no-store" in response["Cache-Control"]


def test_a_prefix_lists_boroughs_wards_and_places(client: Client, geo: Path) -> None:
    response = _search(client, "camden")  # exact: redirect; a prefix lists
    response = _search(client, "camd")
    assert response.status_code == 200
    text = response.content.decode()
    assert reverse("public:my_area", args=[CAMDEN]) in text
    assert "Camden Town" in text  # the ward and the place
    assert "no-store" in response["Cache-Control"]


def test_a_place_is_placed_in_its_ward_by_its_point(client: Client, geo: Path) -> None:
    response = _search(client, "saint john's wood")
    assert response.status_code == 302  # the place, exactly (no ward of that name)
    ward = geography.area_get(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert ward is not None
    assert ward.kind == "ward"
    assert ward.borough_name == "Westminster"


def test_a_city_place_is_shown_as_the_city_police_area(client: Client, geo: Path) -> None:
    response = _search(client, "liverpool street")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "City of London Police" in text
    assert "cityoflondon.police.uk" in text
    assert "VAWG offences recorded" not in text


def test_a_borough_name_goes_to_the_borough_before_a_place_of_that_name(
    client: Client, geo: Path
) -> None:
    response = _search(client, "croydon")  # the borough and the town centre (a place)
    assert response["Location"] == reverse("public:my_area", args=["E09000008"])
    # A ward and a place of one name in that ward: one area, so straight there.
    response = _search(client, "st james's")
    ward = geography.area_get(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert ward is not None
    assert (ward.name, ward.borough_name) == ("St James's", "Westminster")


def test_no_match_says_so(client: Client, geo: Path) -> None:
    response = _search(client, "zzzz nowhere")
    assert response.status_code == 200
    assert "Nothing in London matches" in response.content.decode()


def test_an_empty_or_long_query_is_a_form_error(client: Client, geo: Path) -> None:
    assert _search(client, "").status_code == 400
    response = _search(client, "x" * 101)
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]


def test_postcodes_before_they_are_loaded(client: Client, geo: Path) -> None:
    full = _search(client, "e1 6an")
    assert full.status_code == 200
    assert "needs the ONS Postcode Directory" in full.content.decode()
    partial = _search(client, "SW1A")
    assert partial.status_code == 200
    assert "part of a postcode" in partial.content.decode()


def test_postcodes_once_loaded(client: Client, geo: Path, tmp_path: Path) -> None:
    rows = [
        ("NW3 4AA", "", CAMDEN, BELSIZE, "51.55", "-0.17"),
        # an osward not among the 2024 wards: the ward comes from the point (Camden Town)
        ("NW1 7AA", "", CAMDEN, "E05999999", "51.539", "-0.143"),
        ("NW1 7ZZ", "201002", CAMDEN, BELSIZE, "51.55", "-0.17"),
        ("EC2M 7AA", "", CITY, "E05009999", "51.518", "-0.082"),
    ]
    postcode_load(path=onspd_write(tmp_path / "o.csv", rows), lad_codes={CAMDEN, CITY})
    found = _search(client, "nw34aa")
    assert found.status_code == 302
    assert found["Location"] == reverse("public:my_area", args=[BELSIZE])
    moved = _search(client, "NW1 7AA")
    assert moved["Location"] == reverse("public:my_area", args=["E05013655"])
    terminated = _search(client, "nw1 7zz")
    assert terminated.status_code == 200  # listed with its note, not sent on
    assert "no longer in use" in terminated.content.decode()
    city = _search(client, "EC2M 7AA")
    page = client.get(city["Location"])
    assert "City of London Police" in page.content.decode()
    missing = _search(client, "E1 6AN")
    assert "could not find the postcode E1 6AN" in missing.content.decode()
    assert "part of a postcode" in _search(client, "NW1").content.decode()


def test_unknown_area_is_404(client: Client, geo: Path) -> None:
    assert client.get(reverse("public:my_area", args=["E05999999"])).status_code == 404
    assert client.get(reverse("public:my_area", args=["not-a-code"])).status_code == 404


@pytest.mark.usefixtures("counts")
def test_my_area_of_a_ward(client: Client, geo: Path) -> None:
    response = client.get(reverse("public:my_area", args=[BELSIZE]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    my = response.context["my"]
    assert (my.start, my.end, my.months) == (date(2024, 7, 1), LATEST, 12)
    assert my.offences == sum(10 + i for i in range(2, 14))
    population = ward_population_read(geo / WARD_POPULATION_FILE)
    female = population.filter(population["ward_code"] == BELSIZE)["female"][0]
    assert my.rate == pytest.approx(my.offences / female * 1000)
    assert my.trend == "rising"
    assert my.borough.code == CAMDEN
    # London: every borough's offences over the months (Other is in no borough), per female
    # resident of the 32 boroughs (the City left out).
    london = population.filter(population["borough"] != "City of London")["female"].sum()
    assert my.london_offences == my.offences + 12 * (20 + 50)
    assert my.london_rate == pytest.approx(my.london_offences / london * 1000)
    text = response.content.decode()
    assert reverse("public:my_area", args=[CAMDEN]) in text
    assert reverse("public:staying_safe_online") in text
    assert "<svg" in text  # the monthly line
    # Help: Belsize (about -0.17, 51.55) is some 4 km from St Mary's, Paddington, and further
    # from Whitechapel and Camberwell.
    assert my.haven[0].name == "The Haven, Paddington"
    assert 2 < my.haven[1] < 6
    assert "The Haven, Paddington" in text
    assert "Clare&#x27;s Law" in text


@pytest.mark.usefixtures("counts")
def test_my_area_of_a_borough(client: Client, geo: Path) -> None:
    response = client.get(reverse("public:my_area", args=[CAMDEN]))
    assert response.status_code == 200
    my = response.context["my"]
    assert my.offences == sum(10 + i for i in range(2, 14)) + 12 * 20
    assert my.trend == "rising"
    assert any(w.code == BELSIZE for w in my.wards)
    assert reverse("public:my_area", args=[BELSIZE]) in response.content.decode()


@pytest.mark.usefixtures("counts")
def test_the_city_of_london_is_not_a_met_area_with_no_offences(client: Client, geo: Path) -> None:
    for code in [CITY] + [w.code for w in geography.ward_list() if w.borough_code == CITY]:
        response = client.get(reverse("public:my_area", args=[code]))
        assert response.status_code == 200
        text = response.content.decode()
        assert "City of London Police" in text, code
        assert response.context["my"].offences == 0
        assert response.context["my"].start is None


def test_my_area_without_data(client: Client, geo: Path) -> None:
    response = client.get(reverse("public:my_area", args=[CAMDEN]))
    assert response.status_code == 200
    assert "No data has been loaded yet" in response.content.decode()


@pytest.mark.parametrize(
    ("place", "borough"),
    [
        ("Brixton", "Lambeth"),
        ("Walthamstow", "Waltham Forest"),
        ("Uxbridge", "Hillingdon"),
        ("Romford", "Havering"),
        ("Bank", "City of London"),
    ],
)
def test_places_fall_in_their_borough(geo: Path, place: str, borough: str) -> None:
    from vawg.places import places_read
    from vawg_site.public.presenters.area import borough_of, point_areas

    [found] = [p for p in places_read() if p.name == place]
    ward, in_borough = point_areas(longitude=found.longitude, latitude=found.latitude)
    assert in_borough is not None
    assert in_borough.name == borough
    assert ward is None or borough_of(ward) == in_borough


def test_every_shipped_place_is_in_a_london_borough(geo: Path) -> None:
    from vawg.places import places_read
    from vawg_site.public.presenters.area import point_areas

    outside = [
        p.name
        for p in places_read()
        if point_areas(longitude=p.longitude, latitude=p.latitude)[1] is None
    ]
    assert outside == []
