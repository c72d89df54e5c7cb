"""A done stock move is immutable in the database too: UPDATE of a done row is refused (and DELETE on
PostgreSQL; on SQLite the test database is emptied with DELETE, and the ORM deletes nothing: PROTECT)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER stock_move_done_no_update BEFORE UPDATE ON stock_stockmove
       WHEN OLD.state = 'done' BEGIN SELECT RAISE(ABORT, 'done stock moves are immutable'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION stock_move_done_guard() RETURNS trigger AS $$
       BEGIN
         IF OLD.state = 'done' THEN RAISE EXCEPTION 'done stock moves are immutable'; END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER stock_move_done_guard BEFORE UPDATE OR DELETE ON stock_stockmove
       FOR EACH ROW EXECUTE FUNCTION stock_move_done_guard()""",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS stock_move_done_no_update")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS stock_move_done_guard ON stock_stockmove")
        schema_editor.execute("DROP FUNCTION IF EXISTS stock_move_done_guard()")


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
