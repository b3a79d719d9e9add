"""The ``vawg`` subcommands that need the Django project: demo, serve, ingest, worker, manage,
docs.

Each is a thin shell over a service; :mod:`vawg.cli` imports this module only when one of them
runs, so that the analytics core stays free of Django.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path
from typing import NoReturn

from vawg.errors import UserInputError


def setup_django() -> None:
    """Configure Django for a command run outside ``manage.py``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg_site.config.settings")
    import django

    django.setup()


def ingest(args: argparse.Namespace) -> int:
    """``vawg ingest``: a load writes, so a database not yet set up (or behind) is migrated
    first (:func:`vawg_site.database.schema_migrate`), once the paths are known to exist: a
    mistyped path is one line and changes nothing."""
    for path in args.paths:
        if not Path(path).exists():
            raise UserInputError(f"no such file or folder: {path}")
    setup_django()
    from vawg_site.database import schema_migrate
    from vawg_site.ingest.cli import run

    schema_migrate()
    if getattr(args, "queue", False):
        return _ingest_queue(args)
    return run(args)


def _ingest_queue(args: argparse.Namespace) -> int:
    """``vawg ingest SOURCE PATH... --queue``: the load as a job (docs/jobs.md)."""
    import json

    from vawg_site.jobs.registry import ingest_key
    from vawg_site.jobs.services import job_enqueue

    paths = [Path(p).resolve() for p in args.paths]
    if args.source == "force" and len(paths) != 1:
        raise UserInputError("ingest force takes one extract folder")
    key = ingest_key(args.source, paths)
    job, added = job_enqueue(
        name="ingest_load", key=key, args={"source": args.source, "paths": [str(p) for p in paths]}
    )
    if args.json:
        print(json.dumps({"job": job.pk, "key": key, "added": added, "status": job.status}))
    elif added:
        print(f"queued as job {job.pk} ({key}): a `vawg worker` runs it")
    else:
        print(f"already queued as job {job.pk} ({key}), now {job.status}")
    return 0


def manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg_site.config.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAWG_HOME.mkdir(parents=True, exist_ok=True)  # where the embedded database lives

    execute_from_command_line(["vawg manage", *args.args])
    return 0


def demo(args: argparse.Namespace) -> int:
    from vawg.paths import data_dir_default

    setup_django()
    from vawg_site.demo import demo_prepare

    data_dir = Path(args.data_dir).resolve() if args.data_dir else data_dir_default()
    demo_prepare(data_dir=data_dir, force_extract=args.force_extract, synth_size=args.synth_size)
    if args.no_serve:
        return 0
    _serve_in_fresh_interpreter(host=args.host, port=args.port, data_dir=data_dir)


def _serve_in_fresh_interpreter(*, host: str, port: int, data_dir: Path) -> NoReturn:
    """Replace this process with ``vawg serve``, reading the outlines from ``data_dir``.

    Loading the data ran Polars' thread pool in this process, and the pool does not survive
    gunicorn's ``fork``: a worker's first Polars call (the map pages) would wait for ever. A
    fresh interpreter forks its workers before any Polars work.
    """
    import sys

    os.environ["VAWG_DATA_DIR"] = str(data_dir)
    sys.stdout.flush()
    sys.stderr.flush()
    argv = ["-m", "vawg.cli", "serve", "--host", host, "--port", str(port), "--workers", "2"]
    os.execv(sys.executable, [sys.executable, *argv])  # noqa: S606 (fixed argv, no shell)


def serve(args: argparse.Namespace) -> int:
    """``vawg serve``: a server only reads, so it refuses (exit code 2, one line) a database not
    set up or behind instead of altering it (:func:`vawg_site.database.schema_require`)."""
    setup_django()
    from vawg_site.database import schema_require

    schema_require()
    if getattr(args, "no_worker", False):
        return serve_forever(host=args.host, port=args.port, workers=args.workers)
    jobs = _worker_start()
    try:
        return serve_forever(host=args.host, port=args.port, workers=args.workers)
    finally:
        _worker_stop(jobs)


def _worker_start() -> subprocess.Popen[bytes]:
    """A ``vawg worker`` beside the server (``vawg serve`` and ``vawg demo`` run the jobs and
    their schedules themselves; a deployment with workers of its own passes ``--no-worker``)."""
    import sys

    argv = [sys.executable, "-m", "vawg.cli", "worker"]
    return subprocess.Popen(argv)  # noqa: S603 (fixed argv, no shell)


def _worker_stop(jobs: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (it finishes the job under way); a job that takes longer than a
    few seconds is killed, which the queue is built to survive (the job runs again, once)."""
    if jobs.poll() is not None:
        return
    jobs.terminate()
    try:
        jobs.wait(timeout=5)
    except subprocess.TimeoutExpired:
        jobs.kill()
        jobs.wait(timeout=5)


def worker(args: argparse.Namespace) -> int:
    """``vawg worker``: like a server, a worker refuses (exit code 2) a database whose schema
    is not up to date rather than altering it; it then runs the jobs until stopped
    (:mod:`vawg_site.jobs.worker`)."""
    import datetime as dt
    import logging
    import sys

    if args.lease <= 0 or args.poll <= 0:
        raise UserInputError("--lease and --poll want a number of seconds above 0")
    setup_django()
    from vawg_site.database import schema_require
    from vawg_site.jobs.worker import Worker

    schema_require()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    runner = Worker(lease=dt.timedelta(seconds=args.lease), poll=args.poll, schedules=args.schedule)
    runner.signals_install()
    print(f"vawg worker {runner.name}: started", file=sys.stderr, flush=True)
    outcome = runner.run(once=args.once)
    print(
        f"vawg worker {runner.name}: stopped after {outcome.ran} jobs "
        f"({outcome.done} done, {outcome.failed} failed, {outcome.lost} lost)",
        file=sys.stderr,
        flush=True,
    )
    return 0


THREADS = 16
"""Threads of each gunicorn worker (``gthread``)."""


def serve_forever(*, host: str, port: int, workers: int) -> int:
    """Serve the site with gunicorn until stopped (Ctrl+C).

    Each worker answers at once and meanwhile renders the main public pages in a background
    thread (:func:`_caches_warm`), so visitors seldom wait for figures to be worked out.
    """
    import sys

    from gunicorn.app.base import BaseApplication

    from vawg_site.config.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            # Threads wait on the network far more than they compute (kept pages cost about a
            # millisecond), and a slow client holds one while it sends its request: with 16 per
            # worker, 16 stalled connections still leave each worker threads to answer with.
            # Work that is not kept yet is limited separately (common/http.py, RENDER_SLOTS).
            self.cfg.set("threads", THREADS)
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "warning")
            self.cfg.set("post_worker_init", _caches_warm)

        def load(self) -> object:
            return application

    print(
        f"Serving the vawg site on http://{host}:{port}/ (press Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    Server().run()
    return 0


def _caches_warm(worker: object) -> None:
    """gunicorn's ``post_worker_init`` hook: renew the data version in the background from now
    on (:data:`~vawg_site.common.caching.VERSION_READ_IN_BACKGROUND`), and fill the caches from
    a background thread.

    Not done in the parent before forking, though the workers would then share the filled
    memory: Polars' thread pool does not survive ``fork``. With a cache the workers share
    (``VAWG_CACHE_URL``) only the first worker started warms it.
    """
    import threading

    from django.conf import settings

    from vawg_site.common import caching

    # No request waits for the data version to be read again (slow during a load).
    caching.VERSION_READ_IN_BACKGROUND = True
    shared = "LocMemCache" not in settings.CACHES["default"]["BACKEND"]
    if shared and getattr(worker, "age", 1) != 1:
        return

    def warm() -> None:
        import sys

        from django.db import connections

        from vawg_site.public.warm import site_caches_warm

        try:
            warmed = site_caches_warm()
        except Exception as error:  # a failure only means slower first pages
            print(
                f"Caches not warmed ({error}); pages are worked out on first use", file=sys.stderr
            )
        else:
            print(
                f"Warmed {len(warmed.statuses)} pages and API calls in {warmed.seconds:.1f} s",
                file=sys.stderr,
                flush=True,
            )
        finally:
            connections.close_all()

    threading.Thread(target=warm, name="vawg-cache-warm", daemon=True).start()


def docs(args: argparse.Namespace) -> int:
    from vawg_site.docs_gen import docs_write

    return docs_write(out=args.out, check=args.check)


def fetch(args: argparse.Namespace) -> int:
    """``vawg fetch``: downloads only, no database (network code stays out of the core)."""
    from vawg_site.ingest.fetch import run

    return run(args)
