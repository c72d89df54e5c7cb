"""Month-end check "receivables_match_ledger": what orders are still owed (revenue booked less money
settled: the AR aging's total) plus the opening balances carried in = 应收账款 1122 with its
sub-accounts.

The orders know only what they are owed now, not on an earlier day: the check compares at the latest
period with postings. Closing an earlier month while later months already have postings, it says so
and passes (that month's receivables were compared when it was the latest)."""

from django.utils.translation import gettext as _

from sihe.core.money import format_cny
from sihe.ledger import reports
from sihe.ledger.models import Voucher
from sihe.oms.books import ar_aging

AR_ACCOUNT = "1122"


def receivables_match_ledger(period: str) -> tuple[bool, str]:
    if Voucher.objects.filter(period__code__gt=period).exists():
        return True, _("compared at the latest period: later months already have postings")
    owed = ar_aging()["totals"]["total"]
    books, opening = reports.subtree_net_at_end(period, AR_ACCOUNT)
    if owed + opening != books:
        return False, _("orders owe %(owed)s + opening %(opening)s ≠ 1122 %(books)s") % {
            "owed": format_cny(owed), "opening": format_cny(opening), "books": format_cny(books)}
    return True, _("orders owe %(owed)s + opening %(opening)s = 1122") % {
        "owed": format_cny(owed), "opening": format_cny(opening)}
