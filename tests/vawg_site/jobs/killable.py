"""``vawg worker`` with two job types of the tests added, run as a subprocess by
``test_worker_kill.py``: each writes one row (a Django group) and then waits until the file
``go`` appears in its folder, so that the test can kill the worker in the middle of the job.

``in_transaction`` writes a new row on every attempt (not idempotent by itself) and is atomic:
the queue must roll back a killed attempt's row. ``idempotent`` writes a row keyed on the job
and is not atomic: its lease must be kept alive by the heartbeat while it waits.

Usage: ``python killable.py [vawg worker options]``.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any


def _wait_for_go(folder: Path) -> None:
    (folder / f"started-{os.getpid()}").touch()
    while not (folder / "go").exists():
        time.sleep(0.05)


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg_site.config.settings.test")
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from vawg.cli import main as vawg_main
    from vawg_site.jobs.registry import JobType, job_register

    def in_transaction(args: dict[str, Any], progress: Any) -> dict[str, Any]:
        Group.objects.create(name=f"effect-{uuid.uuid4().hex}")
        progress("row written; waiting for go")
        _wait_for_go(Path(args["dir"]))
        return {"pid": os.getpid()}

    def idempotent(args: dict[str, Any], progress: Any) -> dict[str, Any]:
        Group.objects.get_or_create(name=f"effect-{args['effect']}")
        progress("row written; waiting for go")
        _wait_for_go(Path(args["dir"]))
        return {"pid": os.getpid()}

    job_register(JobType(name="test_in_transaction", run=in_transaction, title="test"))
    job_register(JobType(name="test_idempotent", run=idempotent, title="test", atomic=False))
    return vawg_main(["worker", *argv])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
