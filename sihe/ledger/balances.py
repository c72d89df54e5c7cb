"""The balance projection: Σ debit / Σ credit of posted lines per (account, period, dimensions,
cash-flow item, closing flag). Updated at posting in the act's transaction; `rebuild_balances()`
recomputes it from the lines (a test shows both give the same rows)."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum

from sihe.core import batch
from sihe.core.money import round_money
from sihe.ledger.models import Account, Balance, Voucher, VoucherLine

KEY_FIELDS = ("account_id", "period", "partner", "department", "project", "warehouse", "cash_flow", "closing")


def _line_key(voucher: Voucher, line: VoucherLine, period: str) -> tuple:
    return (
        line.account_id,
        period,
        line.partner,
        line.department,
        line.project,
        line.warehouse,
        line.cash_flow_item.code if line.cash_flow_item_id else "",
        voucher.kind == Voucher.Kind.CLOSING,
    )


_TABLE = Balance._meta.db_table
_COLUMNS = ", ".join(f'"{c}"' for c in (*KEY_FIELDS, "debit", "credit"))
_CONFLICT = ", ".join(f'"{c}"' for c in KEY_FIELDS)
_UPSERT = (f'INSERT INTO "{_TABLE}" ({_COLUMNS}) VALUES {{rows}} ON CONFLICT ({_CONFLICT}) DO UPDATE SET '
           f'"debit" = "{_TABLE}"."debit" + excluded."debit", "credit" = "{_TABLE}"."credit" + excluded."credit"')


_PROJECTIONS: list = []


def projections() -> list:
    return list(_PROJECTIONS)


def register_projection(step) -> None:
    """Let a higher app keep a projection of its own at posting (the KPIs' daily summary): `step(posted)` is
    called with the same (voucher, lines, period code) list in the same transaction, after the balances.
    The ledger imports no such app; sihe/hub/wiring.py registers it."""
    if step not in _PROJECTIONS:
        _PROJECTIONS.append(step)


def apply_vouchers(posted: list[tuple[Voucher, list[VoucherLine], str]]) -> None:
    """Add just-posted vouchers' lines (voucher, lines, period code) to the projection: one multi-row
    INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike), keys in sorted order so concurrent
    postings lock the rows they share in the same order (no deadlocks). In an act that collects
    (sihe.core.batch) it is the act's last write, so the hot balance rows are held for the commit only."""
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for voucher, lines, period in posted:
        for line in lines:
            entry = sums[_line_key(voucher, line, period)]
            entry[0] += line.debit
            entry[1] += line.credit
    if not sums:
        return
    keys = sorted(sums, key=lambda k: tuple(str(part) for part in k))
    placeholders = "(" + ", ".join(["%s"] * (len(KEY_FIELDS) + 2)) + ")"
    params = [value for key in keys for value in (*key, round_money(sums[key][0]), round_money(sums[key][1]))]
    sql = _UPSERT.format(rows=", ".join([placeholders] * len(keys)))
    if not batch.write_later(sql, params):  # a collected act sends it last, with its log rows
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    for step in _PROJECTIONS:
        step(posted)


def apply_voucher(voucher: Voucher, lines: list[VoucherLine], period: str, cash_flow_codes: dict | None = None) -> None:
    """One voucher (kept for callers of the single form)."""
    apply_vouchers([(voucher, lines, period)])


def computed_from_lines() -> dict[tuple, tuple[Decimal, Decimal]]:
    """The projection as the lines say it should be (used by rebuild and by the consistency test)."""
    rows = (
        VoucherLine.objects.filter(voucher__status=Voucher.Status.POSTED)
        .values(
            "account_id", "voucher__period__code", "partner", "department", "project", "warehouse",
            "cash_flow_item__code", "voucher__kind",
        )
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    result: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    # lines of an account that later got sub-accounts count on the child its balance moved into
    moved = dict(Account.objects.filter(moved_into__isnull=False).values_list("pk", "moved_into_id"))
    for row in rows:
        account_id = row["account_id"]
        for _step in range(len(moved)):
            if account_id not in moved:
                break
            account_id = moved[account_id]
        key = (
            account_id, row["voucher__period__code"], row["partner"], row["department"], row["project"],
            row["warehouse"], row["cash_flow_item__code"] or "", row["voucher__kind"] == Voucher.Kind.CLOSING,
        )
        result[key][0] += Decimal(row["debit"])
        result[key][1] += Decimal(row["credit"])
    return {k: (round_money(v[0]), round_money(v[1])) for k, v in result.items()}


def stored() -> dict[tuple, tuple[Decimal, Decimal]]:
    return {
        tuple(row[f] for f in KEY_FIELDS): (row["debit"], row["credit"])
        for row in Balance.objects.values(*KEY_FIELDS, "debit", "credit")
    }


def rebuild_balances() -> int:
    """Throw the projection away and recompute it from the posted lines; returns the row count."""
    with transaction.atomic():
        Balance.objects.all().delete()
        rows = [
            Balance(**dict(zip(KEY_FIELDS, key, strict=True)), debit=debit, credit=credit)
            for key, (debit, credit) in computed_from_lines().items()
        ]
        Balance.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
