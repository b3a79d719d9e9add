"""The force area: which boundary codes a force polices."""

from vawg.force_area import CITY_OF_LONDON_CODE, MET, ForceArea


def test_the_met_leaves_the_city_out() -> None:
    assert not MET.covers(CITY_OF_LONDON_CODE)
    assert MET.covers("E09000002")
    assert not MET.covers("")


def test_another_force_is_configured_by_its_exclusions() -> None:
    force = ForceArea(name="City of London Police", excluded=frozenset({"E09000002"}))
    assert force.codes_in(["E09000001", "E09000002"]) == ("E09000001",)
