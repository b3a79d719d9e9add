"""``vawg demo``: everything a fresh clone needs, then the site.

Migrates the embedded database, loads the real open data it finds, generates and loads a synthetic
force when no force extract is given, makes one demo staff account per role (each password
printed once), and serves the site. Every step says what it is doing and how
long it took; loads show a progress bar. A second run skips files it has already loaded (it keeps
their fingerprints in ``VAWG_HOME/demo-state.json``), so it starts serving within seconds.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from vawg.errors import UserInputError

STATE_FILE = "demo-state.json"
SYNTHETIC_MARKER = "force_is_synthetic"


@dataclass(frozen=True)
class RealFiles:
    """The real data files found in a data folder, by loader."""

    mps_vawg: list[Path]
    police_uk: list[Path]
    mps_recorded: list[Path] = field(default_factory=list)
    """The Met's recorded crime by borough (all crime), for the VAWG share of all crime."""

    @property
    def any(self) -> bool:
        return bool(self.mps_vawg or self.police_uk)


def real_files_find(*, data_dir: Path) -> RealFiles:
    """The loadable files under ``data_dir`` (the layout of ``../shared/data``).

    police.uk street-level CSVs and API JSON are taken; outcomes and stop-and-search files are left
    to ``vawg ingest`` (they are not street-level crimes). The republished snapshot in
    ``police_uk/alt_snapshot`` is loaded after the first download of the same month, as a force's
    analyst would when the archive is refreshed.
    """
    mps = [data_dir / "mps" / name for name in ("vawg-offences.parquet", "vawg-victims.parquet")]
    police = data_dir / "police_uk"
    street: list[Path] = []
    if police.is_dir():
        street += sorted(police.glob("*-street.csv*"))
        street += sorted((police / "api").glob("*.json*"))
        street += sorted((police / "alt_snapshot").glob("*-street.csv*"))
    recorded = [
        data_dir / "mps" / name
        for name in ("recorded-crime-borough-historical.parquet", "recorded-crime-borough.parquet")
    ]
    return RealFiles(
        mps_vawg=[p for p in mps if p.is_file()],
        police_uk=street,
        mps_recorded=[p for p in recorded if p.is_file()],
    )


def fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}"


class Steps:
    """Numbered progress lines on a stream: ``[2/5] Loading ... done in 3.1 s``."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.number = 0
        # sys.stderr when the lines are written, not when this module was imported: a caller (or a
        # test running `vawg demo` in its own process) may have replaced it since.
        self.stream = sys.stderr if stream is None else stream

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self.number += 1
        print(f"[{self.number}/{self.total}] {title} ...", file=self.stream, flush=True)
        started = time.perf_counter()
        yield
        print(f"      done in {time.perf_counter() - started:.1f} s", file=self.stream, flush=True)

    def say(self, text: str) -> None:
        print(f"      {text}", file=self.stream, flush=True)


def progress_bar(description: str, stream: TextIO | None = None) -> Any:
    """A tqdm bar for a load, in rows, on ``stream`` (default: ``sys.stderr`` as it is now); the
    loaders call ``bar.update(rows)``."""
    from tqdm import tqdm

    return tqdm(
        desc=f"      {description}",
        unit=" rows",
        unit_scale=True,
        file=sys.stderr if stream is None else stream,
        mininterval=0.5,
        leave=False,
    )


class State:
    """Which files the demo has already loaded into this database."""

    def __init__(self, home: Path) -> None:
        self.path = home / STATE_FILE
        self.loaded: set[str] = set()
        if self.path.is_file():
            self.loaded = set(json.loads(self.path.read_text()).get("loaded", []))

    def pending(self, paths: list[Path]) -> list[Path]:
        return [p for p in paths if fingerprint(p) not in self.loaded]

    def mark(self, paths: list[Path]) -> None:
        self.loaded.update(fingerprint(p) for p in paths)
        self.path.write_text(json.dumps({"loaded": sorted(self.loaded)}, indent=1))


def demo_prepare(
    *,
    data_dir: Path,
    force_extract: Path | None,
    synth_size: str,
) -> Steps:
    """Migrate, load the real data found and a force extract; return the steps taken so far."""
    from django.core.management import call_command

    from vawg_site.database import database_label
    from vawg_site.ingest import services

    home = Path(settings.VAWG_HOME)
    home.mkdir(parents=True, exist_ok=True)
    state = State(home)
    files = real_files_find(data_dir=data_dir)
    steps = Steps(total=6)

    with steps.step(f"Preparing the database ({database_label()}) and static files"):
        call_command("migrate", interactive=False, verbosity=0)
        # Collected files are served pre-compressed by WhiteNoise: lighter pages on a phone.
        call_command("collectstatic", interactive=False, verbosity=0)

    with steps.step(f"Loading the Met's VAWG counts from {data_dir / 'mps'}"):
        _load_pending(
            steps=steps,
            state=state,
            paths=files.mps_vawg,
            load=lambda paths, progress: services.mps_vawg_load(paths=paths, progress=progress),
            missing=_no_real_data_message(data_dir),
        )
        if files.mps_recorded:  # all recorded crime by borough: the VAWG share of all crime
            _load_pending(
                steps=steps,
                state=state,
                paths=files.mps_recorded,
                load=lambda paths, progress: services.mps_recorded_load(
                    paths=paths, progress=progress
                ),
                missing=_no_real_data_message(data_dir),
            )

    with steps.step(f"Loading data.police.uk street-level crimes from {data_dir / 'police_uk'}"):
        _load_pending(
            steps=steps,
            state=state,
            paths=files.police_uk,
            load=lambda paths, progress: services.police_uk_load(paths=paths, progress=progress),
            missing=_no_real_data_message(data_dir),
        )

    marker = home / SYNTHETIC_MARKER
    if force_extract is not None:
        extract = force_extract
        with steps.step(f"Using the force extract {extract}"):
            if marker.exists():
                marker.unlink()
    else:
        extract = home / f"synthetic-force-{synth_size}"
        with steps.step(f"Generating a synthetic force ({synth_size}) in {extract}"):
            if (extract / "MANIFEST.json").is_file():
                steps.say("already generated")
            else:
                from vawg import synth

                calibration = synth.calibration_shipped()
                if files.mps_vawg:
                    try:
                        calibration = synth.calibration_from_data(data_dir=data_dir)
                    except UserInputError as error:
                        steps.say(f"{error}; using the shipped calibration instead")
                summary = synth.write_extract(
                    out=extract,
                    seed=1,
                    size="london" if synth_size == "london" else "small",
                    years=2,
                    end_date=synth.END_DATE_DEFAULT,
                    calibration=calibration,
                )
                counts = ", ".join(f"{n:,} {name}" for name, n in summary.row_counts.items())
                steps.say(f"calibrated to {calibration.source}; wrote {counts}")
            marker.write_text("The force records in this database are generated, not real.\n")

    with steps.step("Loading the force extract"):
        _load_pending(
            steps=steps,
            state=state,
            paths=sorted(extract.glob("crimes.*")),
            load=lambda _paths, progress: services.force_load(path=extract, progress=progress),
            missing=f"No crimes file in {extract}",
        )

    with steps.step("Making the demo staff accounts, one per role"):
        demo_accounts_create(steps=steps)
    return steps


DEMO_USERNAME_PREFIX = "demo-"


def demo_accounts_create(*, steps: Steps) -> list[str]:
    """One staff account per role, ``demo-<role>``, each with a random password printed here once
    (kept only as its hash) and no second factor, which it sets up at its first sign-in. Roles
    that work within a BCU get the first team by name. Accounts made by an earlier run are left
    as they are (their passwords were printed then); returns the usernames made now."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from vawg_site.accounts import selectors, services
    from vawg_site.accounts.roles import ROLES

    teams = selectors.team_list()
    team = teams[0] if teams else None
    made = []
    existing = set(
        get_user_model()
        .objects.filter(username__startswith=DEMO_USERNAME_PREFIX)
        .values_list("username", flat=True)
    )
    for role in ROLES:
        username = DEMO_USERNAME_PREFIX + role.code.replace("_", "-")
        if username in existing:
            continue
        with transaction.atomic():
            user, password = services.staff_create(
                username=username, email=f"{username}@example.invalid"
            )
            services.staff_role_set(
                user=user, role=role.code, team=team.code if team and role.needs_team else None
            )
        where = f", {team.name}" if team and role.needs_team else ""
        steps.say(f"{username:<28} {role.name}{where}: password {password}")
        made.append(username)
    if made:
        steps.say(
            "Each password is shown once and stored only as its hash. Sign in at /workspace/: "
            "each account sets up an authenticator app at its first sign-in."
        )
    else:
        steps.say(
            "the demo accounts already exist (their passwords were printed when they were made; "
            "give one a new password with `vawg manage changepassword demo-<role>`)"
        )
    return made


def _load_pending(
    *,
    steps: Steps,
    state: State,
    paths: list[Path],
    load: Callable[[list[Path], Callable[[int], object]], Any],
    missing: str,
) -> None:
    """Load the files not loaded before (with a progress bar), or say why nothing was loaded."""
    pending = state.pending(paths)
    if not paths:
        steps.say(missing)
        return
    if not pending:
        steps.say("already loaded")
        return
    bar = progress_bar("rows")
    try:
        result = load(pending, bar.update)
    finally:
        bar.close()
    state.mark(pending)
    steps.say(_result_line(result))


def _result_line(result: Any) -> str:
    return (
        f"read {result.read:,}, loaded {result.loaded:,}, duplicates {result.duplicates:,}, "
        f"rejected {result.rejected:,}"
    )


def _no_real_data_message(data_dir: Path) -> str:
    return (
        f"No real data found in {data_dir}. Pages built on it will say so. To add it, set "
        "VAWG_DATA_DIR (or pass --data-dir) to a folder laid out like the project's shared data "
        "(mps/, police_uk/, geo/), or download it with `vawg fetch mps-vawg --out DIR/mps` and "
        "`vawg fetch police-uk --force metropolitan --from YYYY-MM --to YYYY-MM --out "
        "DIR/police_uk`: see README, 'Where the data comes from'."
    )
