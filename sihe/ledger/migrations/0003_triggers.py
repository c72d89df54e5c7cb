"""Invariants the database keeps whatever the code does.

PostgreSQL: a DEFERRABLE INITIALLY DEFERRED constraint trigger checks at commit that every voucher
touched has Σ debit = Σ credit and is not zero; a trigger refuses changing or deleting the lines
of a posted voucher and changing or deleting a posted voucher.
SQLite (no deferred triggers): a trigger refuses the move to `posted` of an unbalanced or zero
voucher, and triggers refuse changing a posted voucher's lines or the posted voucher itself.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION ledger_check_voucher_balanced() RETURNS trigger AS $$
DECLARE
    vid bigint;
    dr numeric;
    cr numeric;
    n integer;
BEGIN
    IF TG_OP = 'DELETE' THEN vid := OLD.voucher_id; ELSE vid := NEW.voucher_id; END IF;
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0), COUNT(*) INTO dr, cr, n
      FROM ledger_voucherline WHERE voucher_id = vid;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF dr <> cr THEN
        RAISE EXCEPTION 'voucher % is unbalanced: debit % <> credit %', vid, dr, cr
            USING ERRCODE = 'check_violation';
    END IF;
    IF dr = 0 THEN
        RAISE EXCEPTION 'voucher % has a zero total', vid USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_voucher_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_voucherline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_voucher_balanced();

CREATE OR REPLACE FUNCTION ledger_refuse_posted_line_change() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM ledger_voucher WHERE id = OLD.voucher_id AND status = 'posted') THEN
        RAISE EXCEPTION 'voucher % is posted: its lines are immutable', OLD.voucher_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_posted_line_immutable
    BEFORE UPDATE OR DELETE ON ledger_voucherline
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_posted_line_change();

CREATE OR REPLACE FUNCTION ledger_refuse_posted_voucher_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'posted' THEN
        RAISE EXCEPTION 'voucher % is posted: it is immutable', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_posted_voucher_immutable
    BEFORE UPDATE OR DELETE ON ledger_voucher
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_posted_voucher_change();
"""

PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS ledger_posted_voucher_immutable ON ledger_voucher;
DROP TRIGGER IF EXISTS ledger_posted_line_immutable ON ledger_voucherline;
DROP TRIGGER IF EXISTS ledger_voucher_balanced ON ledger_voucherline;
DROP FUNCTION IF EXISTS ledger_refuse_posted_voucher_change();
DROP FUNCTION IF EXISTS ledger_refuse_posted_line_change();
DROP FUNCTION IF EXISTS ledger_check_voucher_balanced();
"""

# SQLite stores decimals as numbers: compare with a tolerance far below a fen.
SQLITE_FORWARD = [
    """
    CREATE TRIGGER ledger_voucher_post_balanced
    BEFORE UPDATE OF status ON ledger_voucher
    WHEN NEW.status = 'posted' AND OLD.status <> 'posted' AND (
        (SELECT COUNT(*) FROM ledger_voucherline WHERE voucher_id = NEW.id) = 0
        OR ABS((SELECT TOTAL(debit) - TOTAL(credit) FROM ledger_voucherline WHERE voucher_id = NEW.id)) > 0.001
        OR ABS((SELECT TOTAL(debit) FROM ledger_voucherline WHERE voucher_id = NEW.id)) < 0.001
    )
    BEGIN SELECT RAISE(ABORT, 'voucher is unbalanced or zero'); END
    """,
    """
    CREATE TRIGGER ledger_posted_voucher_immutable
    BEFORE UPDATE ON ledger_voucher
    WHEN OLD.status = 'posted'
    BEGIN SELECT RAISE(ABORT, 'voucher is posted: it is immutable'); END
    """,
    """
    CREATE TRIGGER ledger_posted_line_immutable
    BEFORE UPDATE ON ledger_voucherline
    WHEN (SELECT status FROM ledger_voucher WHERE id = OLD.voucher_id) = 'posted'
    BEGIN SELECT RAISE(ABORT, 'voucher is posted: its lines are immutable'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_voucher_post_balanced",
    "DROP TRIGGER IF EXISTS ledger_posted_voucher_immutable",
    "DROP TRIGGER IF EXISTS ledger_posted_line_immutable",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_seed_chart")]
    operations = [migrations.RunPython(forward, backward)]
