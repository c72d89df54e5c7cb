"""The rules' version token (`RulesVersion`): one row, changed by the database itself on every write to
the posting rules, their lines, the accounts and the cash-flow items — whatever writes them (a page, a
service, `QuerySet.update`, a restore, a later migration) — so a cache of the rules keyed by it is never
stale. PostgreSQL: one statement-level trigger per table (TRUNCATE included); SQLite: row triggers."""

from django.db import migrations, models

TABLES = ("ledger_postingrule", "ledger_postingruleline", "ledger_account", "ledger_cashflowitem")

PG_FORWARD = """
CREATE OR REPLACE FUNCTION ledger_rules_version_bump() RETURNS trigger AS $$
BEGIN
    UPDATE ledger_rulesversion SET token = replace(gen_random_uuid()::text, '-', '') WHERE id = 1;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {table}_rules_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_rules_version_bump();
""" for table in TABLES)

PG_BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_rules_version ON {table};\n" for table in TABLES) + \
    "DROP FUNCTION IF EXISTS ledger_rules_version_bump();"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {table}_rules_version_{op.lower()} AFTER {op} ON {table}
    BEGIN UPDATE ledger_rulesversion SET token = lower(hex(randomblob(16))) WHERE id = 1; END"""
    for table in TABLES for op in ("INSERT", "UPDATE", "DELETE")
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_rules_version_{op.lower()}"
                   for table in TABLES for op in ("INSERT", "UPDATE", "DELETE")]


def forward(apps, schema_editor):
    import uuid
    apps.get_model("ledger", "RulesVersion").objects.create(pk=1, token=uuid.uuid4().hex)
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
    dependencies = [("ledger", "0009_voucher_book_order_index")]
    operations = [
        migrations.CreateModel(
            name="RulesVersion",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("token", models.CharField(max_length=32, verbose_name="token"))],
            options={"verbose_name": "posting rules version", "verbose_name_plural": "posting rules versions"},
        ),
        migrations.RunPython(forward, backward),
    ]
