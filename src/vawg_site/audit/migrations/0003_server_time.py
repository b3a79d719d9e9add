"""An event's time is the database's clock: a trigger refuses a row whose ``occurred_at`` is not
the database's own time of the insert, so that an event cannot be written as if it had happened
earlier or later. On SQLite the time is that of the statement (``'now'`` is fixed within one
statement); on PostgreSQL too (``statement_timestamp()``, which is what Django's default for
the column, ``Now()``, gives)."""

from typing import Any

from django.db import migrations

SQLITE = (
    'CREATE TRIGGER IF NOT EXISTS "audit_accessevent_server_time" BEFORE INSERT ON '
    "\"audit_accessevent\" WHEN NEW.occurred_at IS NOT STRFTIME('%Y-%m-%d %H:%M:%f', 'now') "
    "BEGIN SELECT RAISE(ABORT, 'audit_accessevent: occurred_at is set by the database'); END"
)
POSTGRESQL = [
    'CREATE OR REPLACE FUNCTION "audit_accessevent_server_time"() RETURNS trigger '
    "LANGUAGE plpgsql AS $$ BEGIN IF NEW.occurred_at IS DISTINCT FROM statement_timestamp() THEN "
    "RAISE EXCEPTION 'audit_accessevent: occurred_at is set by the database' "
    "USING ERRCODE = 'insufficient_privilege'; END IF; RETURN NEW; END $$",
    'DROP TRIGGER IF EXISTS "audit_accessevent_server_time" ON "audit_accessevent"',
    'CREATE TRIGGER "audit_accessevent_server_time" BEFORE INSERT ON "audit_accessevent" '
    'FOR EACH ROW EXECUTE FUNCTION "audit_accessevent_server_time"()',
]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in [SQLITE] if vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(sql, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('DROP TRIGGER IF EXISTS "audit_accessevent_server_time"', params=None)
        return
    schema_editor.execute(
        'DROP TRIGGER IF EXISTS "audit_accessevent_server_time" ON "audit_accessevent"',
        params=None,
    )
    schema_editor.execute('DROP FUNCTION IF EXISTS "audit_accessevent_server_time"()', params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
