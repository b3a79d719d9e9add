"""The analytics core never imports Django (``docs/architecture.md``, The core): checked in a
fresh interpreter."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import vawg


def _core_modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(vawg.__path__, prefix="vawg."))


def test_core_modules_are_found() -> None:
    names = _core_modules()
    assert "vawg.cli" in names
    assert "vawg.paths" in names


def test_importing_the_core_loads_no_django() -> None:
    modules = ["vawg", *_core_modules()]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.') "
        "or m.startswith('vawg_site'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"the core imported: {result.stdout.strip()}"


def test_the_command_line_parser_builds_without_django() -> None:
    script = (
        "import sys\n"
        "from vawg.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(any(m.startswith('django') for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
