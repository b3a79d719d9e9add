"""Generated documentation: the CLI reference from ``--help``, and the settings page from the
declared settings tables (deployment and analysis).

``vawg docs`` writes them; ``vawg docs --check`` (and a test) fails when either is stale, so the
docs never drift from the code.
"""

from __future__ import annotations

import argparse
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

from vawg.cli import build_parser
from vawg_site.config.analysis import analysis_markdown
from vawg_site.config.env import settings_markdown


def _help_text(parser: argparse.ArgumentParser) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        parser.print_help()
    return buffer.getvalue().rstrip()


def _walk(
    parser: argparse.ArgumentParser, prefix: str
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(prefix, parser)]
    for action in parser._actions:  # argparse has no public API for its subparsers
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _walk(child, f"{prefix} {name}")
    return found


def cli_markdown() -> str:
    """The CLI reference page: every command's ``--help``, in order."""
    # argparse wraps help to the terminal width; fix it so the page is the same everywhere, and
    # put it back after, for a caller in the same process (the in-process command tests).
    import os

    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        lines = [
            "# Command-line reference",
            "",
            "Generated from `--help` by `vawg docs`; a test checks it is current. Exit codes, and",
            "the files the commands read and write: [interfaces.md](interfaces.md).",
            "",
        ]
        for name, parser in _walk(build_parser(), "vawg"):
            lines += [f"## `{name}`", "", "```text", _help_text(parser), "```", ""]
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(lines)


def settings_page_markdown() -> str:
    """``docs/settings.md``: the deployment settings, then the analysis settings."""
    return settings_markdown() + "\n" + analysis_markdown()


def docs_write(*, out: Path, check: bool) -> int:
    pages = {out / "cli.md": cli_markdown(), out / "settings.md": settings_page_markdown()}
    stale = [path for path, text in pages.items() if not path.is_file() or path.read_text() != text]
    if check:
        for path in stale:
            print(f"{path} is stale: run `vawg docs`", file=sys.stderr)
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for path, text in pages.items():
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)
    return 0
