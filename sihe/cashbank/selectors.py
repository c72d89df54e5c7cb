"""Reads of cash and bank: the 现金/银行日记账 from the posted vouchers, statement lines and the
银行存款余额调节表."""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from sihe.cashbank.layouts import LAYOUTS  # noqa: F401
from sihe.cashbank.models import CashAccount, Entry, Statement, StatementLine  # noqa: F401
from sihe.cashbank.services import _scope_start, balance_before, journal_lines
from sihe.core.errors import NotFound
from sihe.ledger.models import OpeningBalance, VoucherLine

ZERO = Decimal("0.00")


def accounts(*, kind: str | None = None):
    rows = CashAccount.objects.order_by("kind", "code")
    return rows.filter(kind=kind) if kind else rows


def account(code_or_id) -> CashAccount:
    text = str(code_or_id)
    found = CashAccount.objects.filter(code=text).first() or (
        CashAccount.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 19 else None)
    if found is None:
        raise NotFound(_("no cash or bank account %(c)s") % {"c": text}, field="account")
    return found


def entries(account: CashAccount | None = None):
    rows = Entry.objects.select_related("account", "to_account")
    return rows.filter(Q(account=account) | Q(to_account=account)) if account else rows


def statements(account: CashAccount):
    return Statement.objects.filter(account=account)


def statement_line(pk) -> StatementLine:
    found = StatementLine.objects.select_related("account").filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("no statement line %(id)s") % {"id": pk}, field="line")
    return found


def statement_lines(account: CashAccount):
    return StatementLine.objects.filter(account=account).order_by("date", "statement_id", "seq")


def voucher_lines_by_id(ids) -> dict[int, VoucherLine]:
    return {v.pk: v for v in VoucherLine.objects.filter(pk__in=list(ids)).select_related("voucher")}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _ytd_opening(account: CashAccount, year: int) -> tuple[Decimal, Decimal]:
    """本年累计 brought in by opening balances of a books start within `year` (建账 mid-year)."""
    agg = OpeningBalance.objects.filter(account__code=account.ledger_account, period__startswith=f"{year:04d}-"
                                        ).aggregate(d=Sum("ytd_debit"), c=Sum("ytd_credit"))
    return agg["d"] or ZERO, agg["c"] or ZERO


def journal(account: CashAccount, period_from: str, period_to: str) -> dict:
    """日记账: 期初余额, then each voucher line in date order with its running balance, 本日合计 after each day,
    本月合计 and 本年累计 after each month. Debit is money in (借方/收入), credit money out."""
    start = datetime.date(int(period_from[:4]), int(period_from[5:7]), 1)
    end = _month_end(int(period_to[:4]), int(period_to[5:7]))
    balance = balance_before(account, start)
    lines = list(journal_lines(account).filter(voucher__date__gte=start, voucher__date__lte=end)
                 .select_related("voucher").order_by("voucher__date", "voucher__word", "voucher__number", "seq"))
    counters = defaultdict(list)
    for row in VoucherLine.objects.filter(voucher_id__in={ln.voucher_id for ln in lines}).exclude(
            account__code=account.ledger_account).select_related("account").order_by("seq"):
        if row.account.code not in counters[row.voucher_id]:
            counters[row.voucher_id].append(row.account.code)
    rows = [{"kind": "opening", "date": start, "summary": "期初余额" if start.month != 1 else "上年结转",
             "balance": balance}]
    ytd = {}
    day_totals = month_totals = None

    def close_day(day):
        rows.append({"kind": "day", "date": day, "summary": "本日合计", **day_totals, "balance": balance})

    def close_month(year, month):
        if (year, month) not in ytd:
            first = datetime.date(year, 1, 1)
            moved = journal_lines(account).filter(voucher__date__gte=first, voucher__date__lte=_month_end(year, month)
                                                  ).aggregate(d=Sum("debit"), c=Sum("credit"))
            od, oc = _ytd_opening(account, year)
            ytd[(year, month)] = {"debit": (moved["d"] or ZERO) + od, "credit": (moved["c"] or ZERO) + oc}
        rows.append({"kind": "month", "date": _month_end(year, month), "summary": "本月合计", **month_totals,
                     "balance": balance})
        rows.append({"kind": "year", "date": _month_end(year, month), "summary": "本年累计", **ytd[(year, month)],
                     "balance": balance})

    current_day = current_month = None
    year, month = start.year, start.month
    months = []
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    by_month = defaultdict(list)
    for line in lines:
        by_month[(line.voucher.date.year, line.voucher.date.month)].append(line)
    for key in months:
        month_totals = {"debit": ZERO, "credit": ZERO}
        current_day, day_totals = None, None
        for line in by_month[key]:
            date = line.voucher.date
            if current_day is not None and date != current_day:
                close_day(current_day)
            if date != current_day:
                current_day, day_totals = date, {"debit": ZERO, "credit": ZERO}
            balance += line.debit - line.credit
            day_totals["debit"] += line.debit
            day_totals["credit"] += line.credit
            month_totals["debit"] += line.debit
            month_totals["credit"] += line.credit
            rows.append({"kind": "line", "date": date, "voucher": line.voucher, "voucher_no": str(line.voucher),
                         "summary": line.summary, "counter": ", ".join(counters[line.voucher_id]),
                         "debit": line.debit, "credit": line.credit, "balance": balance})
        if current_day is not None:
            close_day(current_day)
        current_month = key
        close_month(*current_month)
    return {"account": account, "period_from": period_from, "period_to": period_to, "rows": rows,
            "closing": balance}


def _statement_balance(account: CashAccount, date: datetime.date) -> Decimal | None:
    last = (StatementLine.objects.filter(account=account, date__lte=date)
            .order_by("-date", "-statement__imported_at", "-statement_id", "-seq").first())
    return last.balance if last is not None else None


def reconciliation(account: CashAccount, date: datetime.date) -> dict:
    """银行存款余额调节表 at the end of `date`:
    企业账面余额 + 银收企未收 − 银付企未付 = 银行对账单余额 + 企收银未收 − 企付银未付."""
    start = _scope_start(account)
    book = balance_before(account, date + datetime.timedelta(days=1))
    bank = _statement_balance(account, date)
    st_lines = StatementLine.objects.filter(account=account, date__lte=date)
    if start:
        st_lines = st_lines.filter(date__gte=start)
    matched_to = {s.voucher_line_id: s for s in StatementLine.objects.filter(account=account,
                                                                             voucher_line_id__isnull=False)}
    vlines = voucher_lines_by_id(s.voucher_line_id for s in st_lines if s.voucher_line_id)
    bank_in, bank_out = [], []
    for s in st_lines.order_by("date", "seq"):
        partner_line = vlines.get(s.voucher_line_id)
        if partner_line is None or partner_line.voucher.date > date:
            (bank_in if s.amount_in else bank_out).append(s)
    book_in, book_out = [], []
    journal = journal_lines(account).filter(voucher__date__lte=date)
    if start:
        journal = journal.filter(voucher__date__gte=start)
    for line in journal.order_by("voucher__date", "voucher__number", "seq"):
        st = matched_to.get(line.pk)
        if st is None or st.date > date:
            (book_in if line.debit else book_out).append(line)
    total = {
        "bank_in": sum((s.amount_in for s in bank_in), ZERO), "bank_out": sum((s.amount_out for s in bank_out), ZERO),
        "book_in": sum((ln.debit for ln in book_in), ZERO), "book_out": sum((ln.credit for ln in book_out), ZERO),
    }
    adjusted_book = book + total["bank_in"] - total["bank_out"]
    adjusted_bank = None if bank is None else bank + total["book_in"] - total["book_out"]
    return {
        "account": account, "date": date, "from": start, "book_balance": book, "bank_balance": bank,
        "bank_in_not_book": bank_in, "bank_out_not_book": bank_out, "book_in_not_bank": book_in,
        "book_out_not_bank": book_out, "totals": total, "adjusted_book": adjusted_book, "adjusted_bank": adjusted_bank,
        "balanced": adjusted_bank is not None and adjusted_book == adjusted_bank,
    }
