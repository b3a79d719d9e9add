"""Where the project looks for real open data and keeps its working files.

The real data folder is named by ``--data-dir``, else ``$VAWG_DATA_DIR``, else ``../shared/data``
beside the project (the layout of a checkout next to the shared data folder). Working files (the
embedded database, generated extracts) go under ``$VAWG_HOME``, else ``./var``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout's top folder (the one holding ``pyproject.toml``) when run from a checkout."""


def data_dir_default() -> Path:
    """The real-data folder in force when no ``--data-dir`` is given.

    >>> isinstance(data_dir_default(), Path)
    True
    """
    named = os.environ.get("VAWG_DATA_DIR")
    if named:
        return Path(named).expanduser().resolve()
    for candidate in (
        Path.cwd() / ".." / "shared" / "data",
        PROJECT_ROOT / ".." / "shared" / "data",
    ):
        if candidate.is_dir():
            return candidate.resolve()
    return (PROJECT_ROOT / ".." / "shared" / "data").resolve()


def home_dir() -> Path:
    """The folder for working files: ``$VAWG_HOME``, else ``var`` in the current folder."""
    return Path(os.environ.get("VAWG_HOME", "var")).expanduser().resolve()
