"""``vawg.cli.main`` in this process, as the in-process command tests call it: it returns or
raises ``SystemExit`` with the exit code the installed command would give (``docs/interfaces.md``),
and leaves this process as it found it (the environment, Django's settings, the cwd)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import polars  # noqa: F401 - imported once before any test: its import sets an allocator variable
import pytest
from django.conf import settings

from vawg import __version__
from vawg.cli import main


@pytest.fixture
def unchanged() -> Iterator[None]:
    """Fail the test if it changes the environment, the settings module or the working folder."""

    def environ() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}

    before, module, cwd = environ(), settings.SETTINGS_MODULE, Path.cwd()
    yield
    assert environ() == before
    assert module == settings.SETTINGS_MODULE
    assert Path.cwd() == cwd


@pytest.mark.usefixtures("unchanged")
def test_argparse_exits_raise_system_exit_with_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"vawg {__version__}\n"
    with pytest.raises(SystemExit) as refused:
        main(["synth"])  # --out is required
    assert refused.value.code == 2
    assert "--out" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.usefixtures("unchanged")
def test_site_commands_return_their_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", "police-uk", str(tmp_path / "missing.csv"), "--json"]) == 2
    assert capsys.readouterr().err.startswith("vawg: ")
    assert main(["docs", "--check", "--out", str(tmp_path)]) == 1  # stale: nothing written yet
    assert main(["docs", "--out", str(tmp_path)]) == 0
    assert main(["docs", "--check", "--out", str(tmp_path)]) == 0
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out
