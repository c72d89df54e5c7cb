"""Month-end check "wip_matches_orders": 生产成本 (4001) per production order = the order's own running
balance (materials + labour + overhead − by-products − received − variance), and no 4001 balance
without an order."""

from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.ledger import reports
from sihe.production.models import ProductionOrder

WIP_ACCOUNT = "4001"


def wip_matches_orders(period: str) -> tuple[bool, str]:
    account = reports.account_by_code(WIP_ACCOUNT).pk
    books = {project: net for (acc, project), net in reports.net_at_end(period, by=("project",)).items()
             if acc == account and net}
    orders = {o.number: o.wip for o in ProductionOrder.objects.exclude(status="cancelled").filter(
        number__in=set(books)) | ProductionOrder.objects.exclude(status__in=["closed", "cancelled", "draft"])}
    diffs = [f"{number}: {_('order')} {orders.get(number, Decimal(0)):.2f} ≠ 4001 {books.get(number, Decimal(0)):.2f}"
             for number in sorted(set(books) | {n for n, v in orders.items() if v})
             if orders.get(number, Decimal(0)) != books.get(number, Decimal(0))]
    if diffs:
        return False, "; ".join(diffs[:20])
    total = sum(books.values(), Decimal(0))
    return True, _("%(n)s open production order(s), work in progress %(total)s = 4001") % {
        "n": sum(1 for v in orders.values() if v), "total": f"{total:.2f}"}
