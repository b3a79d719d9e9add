"""Extracts the synthetic force's tests share, each generated once per session: a small one on
the shipped calibration, and (with the real data) one and two years at the Met's scale."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg.synth import (
    Calibration,
    SynthSummary,
    calibration_from_data,
    calibration_shipped,
    write_extract,
)


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary]:
    out = tmp_path_factory.mktemp("synth-small")
    summary = write_extract(out=out, seed=5, size="small", calibration=calibration_shipped())
    return out, summary


@pytest.fixture(scope="session")
def real_calibration(real_data_dir: Path) -> Calibration:
    return calibration_from_data(data_dir=real_data_dir)


@pytest.fixture(scope="session")
def london(real_calibration: Calibration, tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    out = tmp_path_factory.mktemp("synth-london")
    return write_extract(out=out, seed=1, size="london", calibration=real_calibration)


@pytest.fixture(scope="session")
def london_two_years(
    real_calibration: Calibration, tmp_path_factory: pytest.TempPathFactory
) -> SynthSummary:
    out = tmp_path_factory.mktemp("synth-london-2y")
    return write_extract(out=out, seed=2, size="london", years=2, calibration=real_calibration)
