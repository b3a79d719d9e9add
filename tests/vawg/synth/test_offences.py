"""Offences: the Met-name-to-Home-Office-code table and the calibration's offence types."""

from __future__ import annotations

import pytest

from vawg.synth import calibration_shipped, offence_types
from vawg.synth.offences import offence_codes_read


def test_offence_code_table_has_source_and_status() -> None:
    rows = offence_codes_read()
    assert rows
    assert all(r["source"] and r["status"] in {"verified", "provisional"} for r in rows)
    assert all(r["ho_code"] for r in rows)
    by_name = {(r["mps_group"], r["mps_offence"]): r["ho_code"] for r in rows}
    assert by_name[("Stalking and Harassment", "Harassment")] == "8L"
    assert by_name[("Violence with Injury", "Actual Bodily harm and other Injury")] == "8G"
    shares: dict[tuple[str, str], float] = {}
    for r in rows:
        # Precursor offences share out the precursors; a Met name shares out its offences.
        key = (
            ("precursor", "")
            if r["mps_group"] == "precursor"
            else (r["mps_group"], r["mps_offence"])
        )
        shares[key] = shares.get(key, 0.0) + float(r["share"])
    assert all(s == pytest.approx(1.0) for s in shares.values())


def test_every_calibration_offence_has_a_code() -> None:
    types = offence_types(calibration=calibration_shipped())
    assert all(t.ho_code for t in types)
    assert not [t for t in types if "unmapped" in t.description]
