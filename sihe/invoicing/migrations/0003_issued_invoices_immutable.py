"""An issued 数电发票 is immutable in the database: its lines never change, and of the invoice itself
only the status moves on (issued → partly reversed → reversed, by a red invoice); nothing is deleted on
PostgreSQL. (SQLite keeps DELETE for Django's test flush, see core 0003.)"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION invoicing_invoice_guard() RETURNS trigger AS $$
DECLARE
    probe invoicing_invoice%ROWTYPE;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is issued: it is never deleted', OLD.number USING ERRCODE = 'check_violation';
    END IF;
    probe := NEW;
    probe.status := OLD.status;
    IF probe IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'invoice % is issued: only its status changes', OLD.number USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status = 'reversed' AND NEW.status <> 'reversed' THEN
        RAISE EXCEPTION 'invoice % is reversed for good', OLD.number USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoice_immutable BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_guard();

CREATE OR REPLACE FUNCTION invoicing_line_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the lines of an issued invoice never change' USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_line_immutable BEFORE UPDATE OR DELETE ON invoicing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoicing_line_guard();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS invoicing_invoice_immutable ON invoicing_invoice;
DROP TRIGGER IF EXISTS invoicing_line_immutable ON invoicing_invoiceline;
DROP FUNCTION IF EXISTS invoicing_invoice_guard();
DROP FUNCTION IF EXISTS invoicing_line_guard();
"""


def _sqlite_forward(apps) -> list[str]:
    invoice = apps.get_model("invoicing", "Invoice")
    columns = [f.column for f in invoice._meta.concrete_fields if f.column not in ("status",)]
    return [
        f"""CREATE TRIGGER invoicing_invoice_immutable BEFORE UPDATE OF {", ".join(columns)} ON invoicing_invoice
        BEGIN SELECT RAISE(ABORT, 'an issued invoice: only its status changes'); END""",
        """CREATE TRIGGER invoicing_invoice_reversed_for_good BEFORE UPDATE OF status ON invoicing_invoice
        WHEN OLD.status = 'reversed' AND NEW.status <> 'reversed'
        BEGIN SELECT RAISE(ABORT, 'a reversed invoice stays reversed'); END""",
        """CREATE TRIGGER invoicing_line_immutable BEFORE UPDATE ON invoicing_invoiceline
        BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice never change'); END""",
    ]


SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS invoicing_invoice_immutable",
                   "DROP TRIGGER IF EXISTS invoicing_invoice_reversed_for_good",
                   "DROP TRIGGER IF EXISTS invoicing_line_immutable"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in _sqlite_forward(apps):
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0002_red_invoice_posting_rule")]
    operations = [migrations.RunPython(forward, backward)]
