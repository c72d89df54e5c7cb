"""Month-end close (结账): the registry of checks and the carry-forward vouchers' lines.

Other apps register checks from their `AppConfig.ready()` (the ledger imports none of them):

    from sihe.ledger.close import register_check
    register_check("inventory_matches_ledger", "Stock valuation = 1405/1403", check)

A check takes the period "YYYY-MM" and returns (ok, human detail). `close_period` runs all of them
and refuses to close when one fails; the close page shows each result.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from sihe.core.money import format_cny, round_money
from sihe.ledger.models import DIMENSIONS, Account, Balance, OpeningBalance, Voucher

Check = Callable[[str], tuple[bool, str]]
_CHECKS: dict[str, tuple[object, Check]] = {}


def register_check(code: str, label, check: Check) -> None:
    """Register (or replace) a month-end check under `code`."""
    _CHECKS[code] = (label, check)


def registered() -> list[str]:
    return list(_CHECKS)


def run_checks(period: str) -> list[dict]:
    from sihe.core import modules

    results = []
    off = modules.disabled()
    for code, (label, check) in _CHECKS.items():
        if not modules.code_enabled(check, off):  # the check of a module turned off is not asked
            continue
        try:
            ok, detail = check(period)
        except Exception as exc:  # a broken check must show, not crash the close page
            ok, detail = False, gettext("the check could not run: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        results.append({"code": code, "label": str(label), "ok": bool(ok), "detail": str(detail)})
    return results


def last_day(period: str) -> datetime.date:
    year, month = (int(x) for x in period.split("-"))
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


# -- built-in checks ------------------------------------------------------------------------------


def _vouchers_posted(period: str) -> tuple[bool, str]:
    pending = Voucher.objects.filter(period__code=period).exclude(status=Voucher.Status.POSTED)
    count = pending.count()
    if count:
        numbers = ", ".join(f"#{v.pk}" for v in pending.order_by("id")[:10])
        return False, ngettext("%(count)s voucher is not posted: %(numbers)s",
                               "%(count)s vouchers are not posted: %(numbers)s", count) % {
            "count": count, "numbers": numbers}
    total = Voucher.objects.filter(period__code=period).count()
    return True, ngettext("%(count)s voucher, all posted", "%(count)s vouchers, all posted", total) % {"count": total}


def _trial_balance(period: str) -> tuple[bool, str]:
    from sihe.ledger.reports import trial_balance

    totals = trial_balance(period)["totals"]
    ok = totals["balanced"]
    return ok, gettext("movements: debit %(debit)s / credit %(credit)s; closing balances: debit %(closing_debit)s / "
                       "credit %(closing_credit)s") % {k: format_cny(totals[k]) for k in ("debit", "credit",
                                                                                        "closing_debit", "closing_credit")}


def _numbers_gapless(period: str) -> tuple[bool, str]:
    problems = []
    by_word: dict[str, list[int]] = defaultdict(list)
    for word, number in Voucher.objects.filter(period__code=period, number__isnull=False).values_list("word", "number"):
        by_word[word].append(number)
    for word, numbers in sorted(by_word.items()):
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(gettext("%(word)s: %(count)s numbers, the highest is %(highest)s")
                            % {"word": word, "count": len(numbers), "highest": max(numbers)})
    if problems:
        return False, "; ".join(problems)
    return True, ", ".join(f"{w}-0001…{w}-{len(n):04d}" for w, n in sorted(by_word.items())) or gettext("no vouchers")


register_check("vouchers_posted", _("All vouchers of the period are posted"), _vouchers_posted)
register_check("trial_balance", _("The trial balance balances"), _trial_balance)
register_check("numbers_gapless", _("Voucher numbers are gapless"), _numbers_gapless)
BUILTIN_CHECKS = ("vouchers_posted", "trial_balance", "numbers_gapless")


# -- carry-forward lines --------------------------------------------------------------------------


def profit_and_loss_lines(period: str) -> list[dict]:
    """结转损益: every 损益类 balance (per dimensions) to 3103 本年利润."""
    rows = (
        Balance.objects.filter(period__lte=period, account__category="profit_loss")
        .values("account_id", *DIMENSIONS)
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("account__code", *DIMENSIONS)
    )
    accounts = {a.pk: a for a in Account.objects.filter(category="profit_loss")}
    lines, to_profit, from_profit = [], Decimal("0.00"), Decimal("0.00")
    for row in rows:
        net = round_money(Decimal(row["debit"]) - Decimal(row["credit"]))
        if not net:
            continue
        account = accounts[row["account_id"]]
        dims = {d: row[d] for d in DIMENSIONS}
        if net > 0:  # an expense-side balance: credit it away
            lines.append({"account": account, "credit": net, "summary": "结转损益", **dims})
            from_profit += net
        else:
            lines.append({"account": account, "debit": -net, "summary": "结转损益", **dims})
            to_profit += -net
    if not lines:
        return []
    profit = Account.objects.get(role="current_year_profit")
    if to_profit:
        lines.append({"account": profit, "credit": to_profit, "summary": "结转收入类科目"})
    if from_profit:
        lines.append({"account": profit, "debit": from_profit, "summary": "结转费用类科目"})
    return lines


def year_end_lines(period: str) -> list[dict]:
    """年末: 本年利润 balance to 利润分配—未分配利润 (sides swap for a loss)."""
    profit = Account.objects.get(role="current_year_profit")
    retained = Account.objects.get(role="retained_earnings")
    moved = Balance.objects.filter(account=profit, period__lte=period).aggregate(d=Sum("debit"), c=Sum("credit"))
    opened = OpeningBalance.objects.filter(account=profit).aggregate(d=Sum("debit"), c=Sum("credit"))
    credit_balance = round_money(sum(
        (Decimal(x or 0) for x in (moved["c"], opened["c"])), Decimal("0.00")
    ) - sum((Decimal(x or 0) for x in (moved["d"], opened["d"])), Decimal("0.00")))
    if not credit_balance:
        return []
    if credit_balance > 0:
        return [
            {"account": profit, "debit": credit_balance, "summary": "年末结转本年利润"},
            {"account": retained, "credit": credit_balance, "summary": "年末结转本年利润"},
        ]
    return [
        {"account": retained, "debit": -credit_balance, "summary": "年末结转本年亏损"},
        {"account": profit, "credit": -credit_balance, "summary": "年末结转本年亏损"},
    ]
