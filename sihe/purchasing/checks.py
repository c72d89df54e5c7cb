"""Month-end check "payables_match_ledger": what is owed on supplier invoices at the end of the month
(the AP aging's total on that day: invoices dated up to then less payments dated up to then) plus the
opening balances carried in = 应付账款—一般应付 2202.01 (a credit). Goods received but not invoiced sit
on 2202.02 暂估 and are not part of it."""

from django.utils.translation import gettext as _

from sihe.core.money import format_cny
from sihe.ledger import reports
from sihe.ledger.close import last_day
from sihe.purchasing.selectors import ap_aging

AP_ACCOUNT = "2202.01"


def payables_match_ledger(period: str) -> tuple[bool, str]:
    owed = ap_aging(as_of=last_day(period))["totals"]["total"]
    net, opening = reports.subtree_net_at_end(period, AP_ACCOUNT)
    books, carried = -net, -opening  # a liability: its credit balance
    if owed + carried != books:
        return False, _("supplier invoices owe %(owed)s + opening %(opening)s ≠ 2202.01 %(books)s") % {
            "owed": format_cny(owed), "opening": format_cny(carried), "books": format_cny(books)}
    return True, _("supplier invoices owe %(owed)s + opening %(opening)s = 2202.01") % {
        "owed": format_cny(owed), "opening": format_cny(carried)}
