"""The generated docs (CLI reference, settings table) match the code, and every declared setting is
used by the settings module."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg_site.config import env
from vawg_site.docs_gen import cli_markdown, docs_write, settings_page_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text() == cli_markdown(), "run `vawg docs`"


def test_settings_page_is_current() -> None:
    text = (ROOT / "docs" / "settings.md").read_text()
    assert text == settings_page_markdown(), "run `vawg docs`"
    assert env.settings_markdown() in text


def test_cli_reference_covers_every_contract_command() -> None:
    text = cli_markdown()
    for command in (
        "vawg demo",
        "vawg serve",
        "vawg ingest police-uk",
        "vawg ingest mps-vawg",
        "vawg ingest force",
        "vawg synth",
    ):
        assert f"## `{command}`" in text


def test_every_setting_is_read_by_the_settings_module() -> None:
    folder = ROOT / "src" / "vawg_site" / "config" / "settings"
    source = "".join(path.read_text() for path in sorted(folder.glob("*.py")))
    used_elsewhere = {"VAWG_DATA_DIR"}  # read by vawg.paths, which the core owns
    for name in env.SETTINGS:
        if name not in used_elsewhere:
            assert f'setting("{name}")' in source, f"{name} is declared but never read"


def test_setting_parses_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAWG_ALLOWED_HOSTS", "a.example, b.example ,")
    assert env.setting("VAWG_ALLOWED_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("VAWG_DEBUG", "yes")
    assert env.setting("VAWG_DEBUG") is True


def test_docs_check_reports_stale_pages(tmp_path: Path) -> None:
    assert docs_write(out=tmp_path, check=True) == 1
    assert docs_write(out=tmp_path, check=False) == 0
    assert docs_write(out=tmp_path, check=True) == 0
