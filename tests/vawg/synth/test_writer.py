"""The files: exactly the contract's columns, the manifest, byte-identical for a seed."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from vawg.schemas import FORCE_FILES
from vawg.synth import SynthSummary, calibration_shipped, write_extract

WRITTEN = {
    f"{name}.csv": [c for c in schema.names if c not in ("easting", "northing")]
    for name, schema in FORCE_FILES.items()
}
"""The extract's columns (vawg.schemas, checked against docs/extract.md's list in test_schemas),
as the generator writes them: positions as latitude and longitude."""


def _read(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / name, infer_schema=False)


def test_columns_are_exactly_the_contract(small: tuple[Path, SynthSummary]) -> None:
    out, _ = small
    for name, columns in WRITTEN.items():
        assert _read(out, name).columns == columns, name
    manifest = json.loads((out / "MANIFEST.json").read_text())
    assert manifest["synthetic"] is True
    assert "SYNTHETIC" in manifest["notice"]
    assert manifest["calibration"]["source"].startswith("shipped summary")


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    cal = calibration_shipped()
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        write_extract(out=tmp_path / name, seed=seed, size="small", calibration=cal)
    for file in [*WRITTEN, "MANIFEST.json"]:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "crimes.csv").read_bytes() != (
        tmp_path / "c" / "crimes.csv"
    ).read_bytes()
