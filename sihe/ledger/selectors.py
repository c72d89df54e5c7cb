"""Reads of the journal for the API and the pages: a period's vouchers for the list, the reversal of a
voucher, attachments, cash-flow items, periods, posting rules and opening balances.

The chart, the balances and the books themselves are read through `sihe.ledger.reports`.
"""

from django.db.models import OuterRef, Subquery, Sum

from sihe.ledger import reports

# Voucher is re-exported: the pages read its Word choices and name its audit labels by the class.
from sihe.ledger.models import (
    Attachment,
    CashFlowItem,
    OpeningBalance,
    Period,
    PostingRule,
    PostingRuleLine,
    Voucher,
    VoucherLine,
)


def period_vouchers(period: str):
    """The vouchers of a period in word and number order, each with its total debit and its first line's summary."""
    first_summary = VoucherLine.objects.filter(voucher=OuterRef("pk")).order_by("seq").values("summary")[:1]
    return (reports.vouchers().filter(period__code=period)
            .annotate(total=Sum("lines__debit")).annotate(summary=Subquery(first_summary))
            .order_by("word", "number", "id"))


def reversals_of(voucher: Voucher):
    """The red vouchers that reverse this one (at most one)."""
    return Voucher.objects.filter(reversal_of=voucher)


def attachments():
    """Every file attached to a voucher."""
    return Attachment.objects.all()


def cash_flow_items():
    """The cash-flow statement's items (现金流量项目) a cash line may name."""
    return CashFlowItem.objects.all()


def period_state(code: str) -> Period | None:
    """The period of this code with its open or closed state, or None when nothing opened it yet."""
    return Period.objects.filter(code=code).first()


def periods(*, newest_first: bool = False):
    """The accounting periods, oldest first (or newest first)."""
    return Period.objects.order_by("-code" if newest_first else "code")


def posting_rules():
    """The posting rules with their lines, each line's account and cash-flow item."""
    return PostingRule.objects.prefetch_related("lines__account", "lines__cash_flow_item")


def posting_rule_lines():
    """The lines of every posting rule, each with its rule."""
    return PostingRuleLine.objects.select_related("rule")


def opening_balances():
    """The opening balances (期初余额) in account-code order, each with its account."""
    return OpeningBalance.objects.select_related("account").order_by("account__code")
