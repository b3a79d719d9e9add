"""Tables the application may add rows to but never change or remove, enforced by the database
itself with triggers, on PostgreSQL and on SQLite.

:func:`append_only` is a migration operation: on each engine it creates triggers that refuse
every ``UPDATE`` and ``DELETE`` of a row of the table, whatever issues it (the ORM, the admin, raw
SQL through the application's connection). Reversing the migration drops them.

What triggers cannot stop: a role that owns the table can drop the trigger or the table, and on
PostgreSQL ``TRUNCATE`` fires no row trigger (Django's test flush relies on it). A deployment
runs the site as a role that does not own the tables; ``docs/audit.md`` says how.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "is append-only: its rows cannot be changed or deleted"


def _names(table: str) -> tuple[str, str, str]:
    return f"{table}_no_update", f"{table}_no_delete", f"{table}_append_only"


def create_sql(vendor: str, table: str) -> list[str]:
    no_update, no_delete, function = _names(table)
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {op} ON "{table}" '
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
            for name, op in ((no_update, "UPDATE"), (no_delete, "DELETE"))
        ]
    if vendor == "postgresql":
        return [
            f'CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f"BEGIN RAISE EXCEPTION '% {MESSAGE} (% refused)', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$",
            f'DROP TRIGGER IF EXISTS "{no_update}" ON "{table}"',
            f'CREATE TRIGGER "{no_update}" BEFORE UPDATE ON "{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{function}"()',
            f'DROP TRIGGER IF EXISTS "{no_delete}" ON "{table}"',
            f'CREATE TRIGGER "{no_delete}" BEFORE DELETE ON "{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{function}"()',
        ]
    raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def drop_sql(vendor: str, table: str) -> list[str]:
    no_update, no_delete, function = _names(table)
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{no_update}"', f'DROP TRIGGER IF EXISTS "{no_delete}"']
    return [
        f'DROP TRIGGER IF EXISTS "{no_update}" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{no_delete}" ON "{table}"',
        f'DROP FUNCTION IF EXISTS "{function}"()',
    ]


def append_only(table: str) -> migrations.RunPython:
    """A migration operation making ``table`` append-only on the engine it runs on."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in create_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)


def append_only_triggers(connection: Any, table: str) -> list[str]:
    """The names of the append-only triggers present on ``table`` (for checks and tests)."""
    no_update, no_delete, _ = _names(table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        found = {row[0] for row in cursor.fetchall()}
    return sorted(found & {no_update, no_delete})
