"""Fixtures for the hotspot engine's tests: real-data events and grids, built once per session."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest


@pytest.fixture(scope="session")
def violent_2017(real_data_dir: Path) -> pl.DataFrame:
    """Violence and sexual offences, London 2017 (data.police.uk API months), EPSG:27700."""
    from vawg.spatial.readers import read_events

    return read_events([real_data_dir / "police_uk" / "api"], category="violent-crime").frame
