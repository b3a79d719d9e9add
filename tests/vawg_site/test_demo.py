"""``vawg demo`` end to end: a fresh working folder, real data found, a synthetic force generated,
the site served with the Met's real figures; a second run skips what is loaded; no real data gives
a plain message and a site that still runs on generated data.

The runs that serve are real processes: the server is a fresh interpreter (Polars' thread pool
does not survive gunicorn's fork) reading the demo's own embedded database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from vawg.cli import main
from vawg_site.demo import Steps, demo_accounts_create, real_files_find


def _user_env(home: Path) -> dict[str, str]:
    """This environment as a user's shell has it for ``make demo``: working folder ``home``, the
    demo's own embedded database whatever the suite uses, and the settings the command chooses
    itself (pytest-django exports the suite's test settings to children)."""
    env = {**os.environ, "VAWG_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _vawg(*args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = _user_env(home)
    return subprocess.run(
        [sys.executable, "-m", "vawg.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _small_data_dir(real: Path, into: Path) -> Path:
    """A data folder with the Met's VAWG offences, two police.uk months and the boundaries and
    lookups the ward matching needs (symlinks)."""
    (into / "mps").mkdir(parents=True)
    for folder in ("geo", "population"):
        (into / folder).symlink_to(real / folder)
    (into / "mps" / "vawg-offences.parquet").symlink_to(real / "mps" / "vawg-offences.parquet")
    (into / "police_uk").mkdir()
    for name in ("2023-04-city-of-london-street.csv.gz", "2023-05-city-of-london-street.csv.gz"):
        (into / "police_uk" / name).symlink_to(real / "police_uk" / name)
    return into


def test_real_files_are_found_in_load_order(real_data_dir: Path) -> None:
    files = real_files_find(data_dir=real_data_dir)
    assert [p.name for p in files.mps_vawg] == ["vawg-offences.parquet", "vawg-victims.parquet"]
    assert [p.name for p in files.mps_recorded] == [
        "recorded-crime-borough-historical.parquet",
        "recorded-crime-borough.parquet",
    ]
    names = [str(p.relative_to(real_data_dir / "police_uk")) for p in files.police_uk]
    assert len([n for n in names if n.startswith("api/")]) == 12
    assert not any("outcomes" in n or "stop-and-search" in n for n in names)
    # the later download of a month is loaded after the first, so its updates win
    assert names[-1] == "alt_snapshot/2023-03-city-of-london-street.csv.gz"
    assert names.index("2023-03-city-of-london-street.csv.gz") < len(names) - 1


@pytest.mark.slow
def test_demo_sets_up_serves_real_figures_and_reruns_quickly(
    real_data_dir: Path, tmp_path: Path
) -> None:
    data = _small_data_dir(real_data_dir, tmp_path / "data")
    home = tmp_path / "home"
    first = _vawg("demo", "--no-serve", "--synth-size", "small", "--data-dir", str(data), home=home)
    assert first.returncode == 0, first.stderr
    for step in range(1, 7):
        assert f"[{step}/6]" in first.stderr
    assert first.stderr.count(": password ") == 8  # one demo account per role
    assert "loaded" in first.stderr
    assert "rejected 0" in first.stderr
    assert (home / "force_is_synthetic").is_file()

    started = time.perf_counter()
    again = _vawg("demo", "--no-serve", "--synth-size", "small", "--data-dir", str(data), home=home)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("already loaded") == 3
    assert ": password " not in again.stderr
    assert "the demo accounts already exist" in again.stderr
    assert time.perf_counter() - started < 20

    port = _free_port()
    env = _user_env(home)
    server = subprocess.Popen(
        [sys.executable, "-m", "vawg.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                home_page = urllib.request.urlopen(base + "/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the site did not start serving")
        assert "Relentless pursuit of perpetrators" in home_page
        # `vawg serve` runs a job worker beside the server, which stops with it.
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        workers = [
            pid
            for pid in children
            if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        ]
        assert len(workers) == 1
        csv = (
            urllib.request.urlopen(
                base + "/data/boroughs/?borough=Camden&start=2023-01&end=2023-03&format=csv",
                timeout=10,
            )
            .read()
            .decode()
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists()
            or b"zombie" in Path(f"/proc/{pid}/status").read_bytes().lower()
        )

    expected = (
        pl.read_parquet(real_data_dir / "mps" / "vawg-offences.parquet")
        .filter(pl.col("sheet") == "Offence count location", pl.col("borough_name") == "Camden")
        .group_by(pl.col("recorded_date_months").dt.strftime("%Y-%m").alias("month"))
        .agg(pl.col("count").sum())
    )
    published = dict(zip(expected["month"], expected["count"], strict=True))
    for line in csv.strip().splitlines()[1:]:
        area, month, offences, _system = line.split(",")
        assert area == "Camden"
        assert int(offences) == published[month]


@pytest.mark.django_db
def test_demo_without_real_data_says_how_to_get_it(
    tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process, on the suite's test database (the working folder redirected by the
    ``settings`` fixture); the runs above need a process of their own to serve."""
    settings.VAWG_HOME = tmp_path / "home"
    settings.STATIC_ROOT = tmp_path / "home" / "static"
    empty = tmp_path / "no-data"
    empty.mkdir()
    assert main(["demo", "--no-serve", "--synth-size", "small", "--data-dir", str(empty)]) == 0
    stderr = capsys.readouterr().err
    assert f"No real data found in {empty}" in stderr
    assert "VAWG_DATA_DIR" in stderr
    assert "shipped calibration" in stderr or "calibrated to" in stderr
    assert (tmp_path / "home" / "force_is_synthetic").is_file()


@pytest.mark.slow
def test_demo_serves_the_map_pages_right_after_its_first_load(
    real_data_dir: Path, tmp_path: Path
) -> None:
    """The path of ``make demo`` on a fresh clone: load, then serve from the same command. The
    load runs Polars' thread pool, which gunicorn's fork does not carry over; a worker forked from
    that process used to hang for ever on its first Polars call (the map pages)."""
    data = _small_data_dir(real_data_dir, tmp_path / "data")
    home = tmp_path / "home"
    port = _free_port()
    env = _user_env(home)
    env.pop("VAWG_DATA_DIR", None)  # the demo tells its server where the outlines are
    command = ["demo", "--synth-size", "small", "--port", str(port), "--data-dir", str(data)]
    demo = subprocess.Popen(
        [sys.executable, "-m", "vawg.cli", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                if demo.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("vawg demo did not start serving")
                time.sleep(0.2)
        for path in ("/data/maps/wards/", "/data/maps/street/", "/data/maps/wards/data.json"):
            with urllib.request.urlopen(base + path, timeout=60) as response:
                assert response.status == 200, path
    finally:
        os.killpg(demo.pid, 15)
        demo.wait(timeout=20)


def test_demo_makes_one_account_per_role_with_random_passwords_printed_once(db: None) -> None:
    import io
    import re

    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vawg_site.accounts import selectors
    from vawg_site.accounts.roles import ROLES

    out = io.StringIO()
    made = demo_accounts_create(steps=Steps(total=1, stream=out))
    assert len(made) == len(ROLES)
    printed = dict(re.findall(r"(demo-[a-z-]+) .*: password (\S+)", out.getvalue()))
    assert sorted(printed) == sorted(made)
    assert len(set(printed.values())) == len(ROLES)  # random: no two alike
    users = get_user_model().objects.filter(username__in=made)
    roles = set()
    for user in users:
        password = printed[user.username]
        assert len(password) == 24
        assert password not in user.password  # stored only as its hash
        assert user.password.startswith(("pbkdf2_", "argon2", "bcrypt", "md5$", "scrypt"))
        assert user.check_password(password)
        assert user.is_staff
        assert not user.is_superuser
        assert not TOTPDevice.objects.filter(user=user).exists()  # enrols at first sign-in
        profile = selectors.staff_profile(user=user)
        assert profile is not None
        roles.add(profile.role.code)
        assert (profile.team is not None) == profile.role.needs_team
    assert roles == {r.code for r in ROLES}

    again = io.StringIO()
    assert demo_accounts_create(steps=Steps(total=1, stream=again)) == []
    assert ": password " not in again.getvalue()
    assert "already exist" in again.getvalue()
    assert get_user_model().objects.filter(username__startswith="demo-").count() == len(ROLES)
