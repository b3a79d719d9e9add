"""The Met's Basic Command Units (BCUs): which of its 32 boroughs each of the 12 polices.

A shipped reference table, ``vawg/data/met_bcus.csv``, one row per borough, with its source in the
file's header comment and in ``docs/sources.md``. The workspace makes one team per BCU from it.

>>> units = bcu_list()
>>> len(units), sum(len(u.borough_codes) for u in units)
(12, 32)
>>> next(u for u in units if u.code == "CN").borough_names
('Camden', 'Islington')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

BCU_PATH = Path(__file__).parent / "data" / "met_bcus.csv"
COLUMNS = ("bcu_code", "bcu_name", "borough_code", "borough_name")


@dataclass(frozen=True)
class Bcu:
    """One BCU: its code and name, and its boroughs' ONS codes and names (by name)."""

    code: str
    name: str
    borough_codes: tuple[str, ...]
    borough_names: tuple[str, ...]


def bcu_list(*, path: Path | None = None) -> list[Bcu]:
    """The BCUs in the table at ``path`` (default: the shipped one), by name.

    Raises ``ValueError`` when the columns are not :data:`COLUMNS`, a borough appears twice, or a
    BCU code has two names.
    """
    with (path or BCU_PATH).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.DictReader(lines)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"BCU table columns {reader.fieldnames}, expected {list(COLUMNS)}")
    names: dict[str, str] = {}
    boroughs: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for row in reader:
        code, borough = row["bcu_code"].strip(), row["borough_code"].strip()
        if borough in seen:
            raise ValueError(f"borough {borough} is in more than one BCU row")
        seen.add(borough)
        if names.setdefault(code, row["bcu_name"].strip()) != row["bcu_name"].strip():
            raise ValueError(f"BCU {code} has two names")
        boroughs.setdefault(code, []).append((row["borough_name"].strip(), borough))
    units = []
    for code, name in names.items():
        members = sorted(boroughs[code])
        units.append(
            Bcu(
                code=code,
                name=name,
                borough_codes=tuple(c for _, c in members),
                borough_names=tuple(n for n, _ in members),
            )
        )
    return sorted(units, key=lambda u: u.name)
