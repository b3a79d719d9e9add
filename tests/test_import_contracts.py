"""The layers of the code hold (import-linter, run by `make check`), and a deliberate breach of
each kind makes `lint-imports` fail: the contracts are not a formality."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.slow

BREACHES = {
    "a page reads the force's records": (
        "vawg_site/public/leak.py",
        "from vawg_site.records.models import Crime\n",
        "personal data has one door",
    ),
    "a data app imports a page": (
        "vawg_site/opendata/selectors/upward.py",
        "from vawg_site.public import views\n",
        "entry points -> audience apps -> data apps",
    ),
    "the core imports Django": (
        "vawg/impure.py",
        "import django.db\n",
        "the core imports neither Django",
    ),
    "records writes the access log past its services": (
        "vawg_site/records/forged.py",
        "from vawg_site.audit.models import AccessEvent\n",
        "the access log is written and read through audit's services",
    ),
    "the access log reads the records it logs": (
        "vawg_site/audit/upward.py",
        "from vawg_site.records import selectors\n",
        "entry points -> audience apps -> data apps",
    ),
    "a page writes the job queue past its services": (
        "vawg_site/workspace/queue_leak.py",
        "from vawg_site.jobs.models import Job\n",
        "the job queue is written and read through jobs' services",
    ),
    "a data app imports the job queue above it": (
        "vawg_site/records/upward_jobs.py",
        "from vawg_site.jobs import selectors\n",
        "entry points -> audience apps -> data apps",
    ),
    "the API imports the public pages": (
        "vawg_site/api/routers/sideways.py",
        "from vawg_site.public import views\n",
        "entry points -> audience apps -> data apps",
    ),
}


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_contracts_hold_today(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("breach", list(BREACHES))
def test_a_breach_fails_the_build(tree: Path, breach: str) -> None:
    relative, source, contract = BREACHES[breach]
    module = tree / "src" / relative
    module.write_text(source)
    try:
        result = _lint(tree)
    finally:
        module.unlink()
    assert result.returncode == 1, result.stdout
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout
