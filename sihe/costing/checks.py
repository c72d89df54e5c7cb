"""Month-end check "inventory_matches_ledger": stock valuation per warehouse = 1405 + 1403 per warehouse."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext, ngettext

from sihe.core.money import format_cny, round_money
from sihe.costing.models import ValuationLayer
from sihe.ledger import reports
from sihe.ledger.close import last_day

ACCOUNTS = ("1405", "1403")


def valuation_by_warehouse(period: str) -> dict[str, Decimal]:
    rows = (ValuationLayer.objects.filter(date__lte=last_day(period)).values("warehouse__code")
            .annotate(v=Sum("value")))
    return {r["warehouse__code"]: round_money(Decimal(r["v"] or 0)) for r in rows}


def ledger_by_warehouse(period: str) -> dict[str, Decimal]:
    ids = {reports.account_by_code(code).pk for code in ACCOUNTS}
    result: dict[str, Decimal] = defaultdict(Decimal)
    for (account_id, warehouse), net in reports.net_at_end(period, by=("warehouse",)).items():
        if account_id in ids:
            result[warehouse] += net
    return result


def inventory_matches_ledger(period: str) -> tuple[bool, str]:
    stock, books = valuation_by_warehouse(period), ledger_by_warehouse(period)
    diffs = []
    for code in sorted(set(stock) | set(books)):
        s, b = stock.get(code, Decimal(0)), books.get(code, Decimal(0))
        if s != b:
            diffs.append(gettext("%(warehouse)s: stock valuation %(stock)s ≠ ledger %(ledger)s") % {
                "warehouse": code or gettext("(no warehouse)"), "stock": format_cny(s), "ledger": format_cny(b)})
    if diffs:
        return False, "; ".join(diffs)
    total = sum(stock.values(), Decimal(0))
    return True, ngettext("%(count)s warehouse, stock valuation %(total)s = 1405 + 1403",
                          "%(count)s warehouses, stock valuation %(total)s = 1405 + 1403", len(stock)) % {
        "count": len(stock), "total": format_cny(total)}
