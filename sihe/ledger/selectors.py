"""Reads of the journal for the API and the pages: a period's vouchers for the list, the reversal of a
voucher, attachments, cash-flow items, periods, posting rules and opening balances.

The chart, the balances and the books themselves are read through `sihe.ledger.reports`.
"""

from django.db.models import F, Func, IntegerField, OuterRef, Subquery, Sum

from sihe.core.keyset import Keyset
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

# A period's vouchers in book order: word, number (a draft without one first), id — index ledger_voucher_book_order.
VOUCHERS = Keyset("word", "number_key", "id", types={"number_key": int})


class _NumberKey(Func):
    """COALESCE(number, 0) with the 0 written out (no bound parameter): the planners then match it to the index's
    expression, which a parameter would not."""

    template = "COALESCE(%(expressions)s, 0)"
    output_field = IntegerField()


NUMBER_KEY = _NumberKey(F("number"))


def period_voucher_list(period: str, *, status: str | None = None):
    """The vouchers of a period in book order (`VOUCHERS`), to page."""
    # the period's id as a scalar subquery (not a join): the planner then reads the index from (period_id, …) on
    period_id = Subquery(Period.objects.filter(code=period).values("pk")[:1])
    qs = (reports.vouchers().filter(period_id=period_id).annotate(number_key=NUMBER_KEY)
          .order_by(*VOUCHERS.order()))
    return qs.filter(status=status) if status else qs


def period_vouchers(period: str):
    """The vouchers of a period in book order, each with its total debit and its first line's summary (read per
    voucher of the page, so a page costs the same however many vouchers the period has)."""
    lines = VoucherLine.objects.filter(voucher=OuterRef("pk"))
    first_summary = lines.order_by("seq").values("summary")[:1]
    total = lines.order_by().values("voucher").annotate(total=Sum("debit")).values("total")
    return period_voucher_list(period).annotate(total=Subquery(total), summary=Subquery(first_summary))


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
