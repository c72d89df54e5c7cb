"""The audit trail and the event log are append-only in the database too: an UPDATE (and, on
PostgreSQL, a DELETE) of a row is refused whatever the path — a SQL console, a script, a bug.

SQLite keeps DELETE possible: Django's test flush empties tables with DELETE there (PostgreSQL's
TRUNCATE does not fire row triggers). SQLite is the laptop database; production runs PostgreSQL."""

from django.db import migrations

TABLES = ("core_auditentry", "core_event")

PG_FORWARD = """
CREATE OR REPLACE FUNCTION sihe_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: rows are never changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION sihe_refuse_change();
""" for t in TABLES)

PG_BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES)

SQLITE_FORWARD = [f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE ON {t}
    BEGIN SELECT RAISE(ABORT, '{t} is append-only: rows are never changed'); END""" for t in TABLES]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {t}_append_only" for t in TABLES]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_idempotency_lease")]
    operations = [migrations.RunPython(forward, backward)]
