"""The balance projection: Σ debit / Σ credit of posted lines per (account, period, dimensions,
cash-flow item, closing flag). Updated at posting in the act's transaction; `rebuild_balances()`
recomputes it from the lines (a test shows both give the same rows)."""

from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from sihe.core.money import round_money
from sihe.ledger.models import Balance, Voucher, VoucherLine

KEY_FIELDS = ("account_id", "period", "partner", "department", "project", "warehouse", "cash_flow", "closing")


def _line_key(voucher: Voucher, line: VoucherLine, period: str, cash_flow_codes: dict[int, str]) -> tuple:
    return (
        line.account_id,
        period,
        line.partner,
        line.department,
        line.project,
        line.warehouse,
        cash_flow_codes.get(line.cash_flow_item_id, "") if line.cash_flow_item_id else "",
        voucher.kind == Voucher.Kind.CLOSING,
    )


def apply_voucher(voucher: Voucher, lines: list[VoucherLine], period: str, cash_flow_codes: dict[int, str]) -> None:
    """Add a just-posted voucher's lines to the projection (keys in sorted order: no deadlocks)."""
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for line in lines:
        entry = sums[_line_key(voucher, line, period, cash_flow_codes)]
        entry[0] += line.debit
        entry[1] += line.credit
    for key in sorted(sums, key=lambda k: tuple(str(part) for part in k)):
        debit, credit = sums[key]
        where = dict(zip(KEY_FIELDS, key, strict=True))
        if Balance.objects.filter(**where).update(debit=F("debit") + debit, credit=F("credit") + credit):
            continue
        try:
            with transaction.atomic():
                Balance.objects.create(**where, debit=debit, credit=credit)
        except IntegrityError:  # another transaction created the row first: add to it
            Balance.objects.filter(**where).update(debit=F("debit") + debit, credit=F("credit") + credit)


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
    for row in rows:
        key = (
            row["account_id"], row["voucher__period__code"], row["partner"], row["department"], row["project"],
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
