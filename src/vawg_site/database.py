"""The configured database as the commands see it: a label for messages, and whether its schema
is the one this version's migrations make.

A command that writes (``vawg ingest``) brings the schema up to date itself, as ``vawg demo``
does, and says so in one line on standard error: a load is a write, and creating the tables it
writes to is what a user who points it at a new database expects. A command that only reads
(``vawg serve``) refuses to start on a schema that is not up to date, with one line saying what
to run: a server answering from a database that has never been set up, or that an older version
set up, should not alter it silently (several workers may be starting at once, and the database
may be shared with a deployment that migrates on its own schedule). A database that cannot be
opened (a PostgreSQL database that does not exist, a SQLite file in a folder that cannot be
made) is the user's setting to correct: one line too, never a traceback (exit code 2 in both
cases, ``docs/interfaces.md``, Exit codes). The label never shows a password.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from vawg.errors import UserInputError


def database_label() -> str:
    """What the configured database is, for messages: ``SQLite at PATH`` or ``PostgreSQL
    database NAME on HOST`` (no user name, no password)."""
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite at {db['NAME']}"
    return f"PostgreSQL database {db['NAME']} on {db.get('HOST') or 'localhost'}"


def migrations_pending(*, create: bool) -> tuple[int, int]:
    """(migrations not yet applied, migrations applied) on the configured database.

    With ``create``, an SQLite database's folder is made first (as ``vawg manage`` does), so that
    a new ``VAWG_HOME`` works; without it, an SQLite file that does not exist yet is not created
    (opening it would) and counts as a database with nothing applied (pending -1: not counted).
    Raises :class:`~vawg.errors.UserInputError` when the database cannot be opened.
    """
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    name = str(db["NAME"])
    if db["ENGINE"].endswith("sqlite3") and not (name == ":memory:" or name.startswith("file:")):
        if not create and not Path(name).is_file():
            return -1, 0
        try:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserInputError(
                f"cannot create the folder of {database_label()}: {error}"
            ) from error
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        applied = len(executor.loader.applied_migrations)
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise UserInputError(f"cannot open the database ({database_label()}): {reason}") from error
    return len(plan), applied


def schema_migrate() -> int:
    """Bring the database's schema up to date, quietly, before a command writes to it; one line
    on standard error when anything was applied. Returns the migrations applied (0 when it was
    up to date)."""
    pending, applied = migrations_pending(create=True)
    if pending == 0:
        return 0
    call_command("migrate", interactive=False, verbosity=0)
    done = "created the schema of" if applied == 0 else "upgraded the schema of"
    print(f"vawg: {done} {database_label()} ({pending} migrations applied)", file=sys.stderr)
    return pending


def schema_require() -> None:
    """Refuse (:class:`~vawg.errors.UserInputError`, exit code 2) to run on a database whose
    schema is not up to date, with what to run instead."""
    pending, applied = migrations_pending(create=False)
    if pending == 0:
        return
    state = "has never been set up" if applied == 0 else f"is {pending} migrations behind"
    raise UserInputError(
        f"the database ({database_label()}) {state}: run `vawg manage migrate` first "
        "(or `vawg demo`, which also loads data)"
    )
