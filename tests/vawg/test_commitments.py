"""The plan's commitments as data: complete, in order, and linking only to pages that exist."""

from __future__ import annotations

import dataclasses

import pytest

from vawg.commitments import COMMITMENTS, PILLARS, Commitment, commitments_for_pillar


def test_ten_commitments_numbered_in_order() -> None:
    assert [c.number for c in COMMITMENTS] == list(range(1, 11))


def test_pillars_hold_the_agreed_commitments() -> None:
    assert [p.name for p in PILLARS] == [
        "Trust and confidence",
        "Relentless pursuit of perpetrators",
        "Safer spaces",
    ]
    by_pillar = [[c.number for c in commitments_for_pillar(pillar=p)] for p in PILLARS]
    assert by_pillar == [[1, 2, 3, 4, 5], [6, 7, 8], [9, 10]]


def test_commitments_with_measures_have_progress_pages() -> None:
    built = {c.number for c in COMMITMENTS if c.is_built}
    assert built == set(range(1, 11))
    assert {c.number for c in COMMITMENTS if c.has_progress_page} == built
    for commitment in COMMITMENTS:
        if not commitment.is_built:
            assert commitment.platform_offers.startswith("Planned")
        else:
            assert commitment.meaning.strip()


def test_every_field_is_filled() -> None:
    for commitment in COMMITMENTS:
        for text in (commitment.title, commitment.summary, commitment.platform_offers):
            assert text.strip()
        for page in commitment.pages:
            assert page.title.strip()
            assert page.route.startswith("public:")


def test_commitments_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        COMMITMENTS[0].title = "changed"  # type: ignore[misc]
    assert isinstance(COMMITMENTS[0], Commitment)


@pytest.mark.django_db
def test_every_page_named_exists(client) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    for commitment in COMMITMENTS:
        for page in commitment.pages:
            assert client.get(reverse(page.route)).status_code == 200
        if commitment.has_progress_page:
            url = reverse("public:commitment", args=[commitment.number])
            assert client.get(url).status_code == 200
