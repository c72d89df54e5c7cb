"""Reads of the ledger for the API, pages and statements: the chart, 科目余额表 (trial balance),
总账 (general ledger by month) and 明细账 (detail ledger with running balance).

All balances come from the `Balance` projection plus `OpeningBalance`; only 明细账 reads lines.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum

from sihe.core.errors import NotFound
from sihe.core.money import round_money
from sihe.ledger.models import Account, Balance, OpeningBalance, Voucher, VoucherLine

ZERO = Decimal("0.00")


def accounts():
    return Account.objects.select_related("parent").order_by("code")


def account_by_code(code: str) -> Account:
    account = Account.objects.filter(code=code).first()
    if account is None:
        raise NotFound(f"no account {code!r}", field="account")
    return account


def vouchers():
    return Voucher.objects.select_related("period").order_by("-date", "-id")


def vouchers_for(source_type: str, source_id) -> list[Voucher]:
    """The vouchers a business document made (so the document can show its voucher)."""
    return list(
        Voucher.objects.filter(source_type=source_type, source_id=str(source_id)).select_related("period").order_by("id")
    )


def voucher_by_id(pk) -> Voucher:
    voucher = (
        Voucher.objects.select_related("period", "reversal_of")
        .prefetch_related("lines__account", "lines__cash_flow_item", "attachments")
        .filter(pk=pk)
        .first()
    )
    if voucher is None:
        raise NotFound(f"no voucher {pk}", field="id")
    return voucher


def year_start(period: str) -> str:
    return f"{period[:4]}-01"


# -- sums per account -----------------------------------------------------------------------------


def movements(*, q: Q, by: tuple[str, ...] = ()) -> dict:
    """{(account_id, *by): (debit, credit)} of the projection rows matching q."""
    rows = Balance.objects.filter(q).values("account_id", *by).annotate(d=Sum("debit"), c=Sum("credit"))
    # SQLite sums decimals as floats: round each sum back to the fen
    return {(r["account_id"], *(r[f] for f in by)): (round_money(Decimal(r["d"])), round_money(Decimal(r["c"])))
            for r in rows}


def openings(*, period: str, by: tuple[str, ...] = ()) -> dict:
    rows = (
        OpeningBalance.objects.filter(period__lte=period)
        .values("account_id", *by)
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    # SQLite sums decimals as floats: round each sum back to the fen
    return {(r["account_id"], *(r[f] for f in by)): (round_money(Decimal(r["d"])), round_money(Decimal(r["c"])))
            for r in rows}


def net_before(period: str, *, by: tuple[str, ...] = ()) -> dict:
    """{key: debit − credit} at the start of `period` (openings + everything posted before)."""
    result: dict = defaultdict(lambda: ZERO)
    for source in (openings(period=period, by=by), movements(q=Q(period__lt=period), by=by)):
        for key, (d, c) in source.items():
            result[key] += d - c
    return result


def net_at_end(period: str, *, by: tuple[str, ...] = ()) -> dict:
    result: dict = defaultdict(lambda: ZERO)
    for source in (openings(period=period, by=by), movements(q=Q(period__lte=period), by=by)):
        for key, (d, c) in source.items():
            result[key] += d - c
    return result


def _sides(net: Decimal) -> tuple[Decimal, Decimal]:
    return (net, ZERO) if net >= 0 else (ZERO, -net)


# -- 科目余额表 ------------------------------------------------------------------------------------


def trial_balance(period: str, *, show_all: bool = False) -> dict:
    """科目余额表: per account (all levels, parents roll up their children) the opening balance,
    the period's debit and credit, the closing balance and the year to date; totals over level 1."""
    chart = list(accounts())
    by_id = {a.pk: a for a in chart}
    opening = net_before(period)
    period_moves = movements(q=Q(period=period))
    ytd = movements(q=Q(period__gte=year_start(period), period__lte=period))
    totals_by_account: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * 5)

    def add(account_id, index, value):
        account = by_id[account_id]
        while account is not None:
            totals_by_account[account.pk][index] += value
            account = by_id.get(account.parent_id)

    for (account_id,), net in opening.items():
        add(account_id, 0, net)
    for (account_id,), (d, c) in period_moves.items():
        add(account_id, 1, d)
        add(account_id, 2, c)
    for (account_id,), (d, c) in ytd.items():
        add(account_id, 3, d)
        add(account_id, 4, c)
    rows = []
    totals = dict.fromkeys(
        ["opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit", "ytd_debit", "ytd_credit"],
        ZERO,
    )
    for account in chart:
        values = totals_by_account.get(account.pk)
        if values is None and not show_all:
            continue
        open_net, debit, credit, ytd_d, ytd_c = values or [ZERO] * 5
        close_net = open_net + debit - credit
        if not show_all and not any((open_net, debit, credit, close_net, ytd_d, ytd_c)):
            continue
        od, oc = _sides(open_net)
        cd, cc = _sides(close_net)
        row = {
            "code": account.code, "name": account.name, "name_en": account.name_en, "level": account.level,
            "direction": account.direction, "category": account.category, "is_leaf": account.is_leaf,
            "opening": open_net * account.sign, "debit": debit, "credit": credit, "closing": close_net * account.sign,
            "opening_debit": od, "opening_credit": oc, "closing_debit": cd, "closing_credit": cc,
            "ytd_debit": ytd_d, "ytd_credit": ytd_c,
        }
        rows.append(row)
        if account.level == 1:
            for key in totals:
                totals[key] += row[key]
    totals["balanced"] = (
        totals["opening_debit"] == totals["opening_credit"]
        and totals["debit"] == totals["credit"]
        and totals["closing_debit"] == totals["closing_credit"]
    )
    return {"period": period, "rows": rows, "totals": totals}


# -- 总账 / 明细账 --------------------------------------------------------------------------------


def _subtree_ids(account: Account) -> list[int]:
    return list(
        Account.objects.filter(Q(pk=account.pk) | Q(code__startswith=account.code + ".")).values_list("pk", flat=True)
    )


def general_ledger(account: Account, year: int, up_to: str | None = None) -> dict:
    """总账: the year's months for one account: opening, debit, credit, balance after each month."""
    ids = _subtree_ids(account)
    first = f"{year:04d}-01"
    last = up_to or f"{year:04d}-12"
    start = sum((net for (aid,), net in net_before(first).items() if aid in ids), ZERO)
    monthly = Balance.objects.filter(account_id__in=ids, period__gte=first, period__lte=last).values("period").annotate(
        d=Sum("debit"), c=Sum("credit")
    )
    by_month = {r["period"]: (round_money(Decimal(r["d"])), round_money(Decimal(r["c"]))) for r in monthly}
    rows, balance, ytd_d, ytd_c = [], start, ZERO, ZERO
    for month in range(1, int(last[5:]) + 1):
        code = f"{year:04d}-{month:02d}"
        d, c = by_month.get(code, (ZERO, ZERO))
        balance += d - c
        ytd_d += d
        ytd_c += c
        rows.append({"period": code, "debit": d, "credit": c, "ytd_debit": ytd_d, "ytd_credit": ytd_c,
                     "side": _side_label(balance * account.sign, account), "balance": abs(balance)})
    return {"account": account, "year": year, "opening": abs(start),
            "opening_side": _side_label(start * account.sign, account), "rows": rows}


def _side_label(signed_in_direction: Decimal, account: Account) -> str:
    if not signed_in_direction:
        return "平"
    normal = "借" if account.direction == "debit" else "贷"
    other = "贷" if normal == "借" else "借"
    return normal if signed_in_direction > 0 else other


def detail_ledger(account: Account, period_from: str, period_to: str, *, dimension: dict | None = None) -> dict:
    """明细账: every posted line of the account (and its sub-accounts) in the periods, with the
    running balance after each line; dimension={"partner": "C001"} narrows to one code."""
    ids = _subtree_ids(account)
    by = tuple(dimension or {})
    before = net_before(period_from, by=by)
    start = sum(
        (net for key, net in before.items() if key[0] in ids and all(key[1 + i] == dimension[f] for i, f in enumerate(by))),
        ZERO,
    )
    lines = (
        VoucherLine.objects.filter(
            account_id__in=ids, voucher__status=Voucher.Status.POSTED,
            voucher__period__code__gte=period_from, voucher__period__code__lte=period_to, **(dimension or {}),
        )
        .select_related("voucher", "account")
        .order_by("voucher__date", "voucher__period__code", "voucher__word", "voucher__number", "seq")
    )
    rows, balance, total_d, total_c = [], start, ZERO, ZERO
    for line in lines:
        balance += line.debit - line.credit
        total_d += line.debit
        total_c += line.credit
        rows.append({
            "date": line.voucher.date, "voucher": line.voucher.display_number, "voucher_id": line.voucher_id,
            "account": line.account.code, "summary": line.summary, "debit": line.debit, "credit": line.credit,
            "side": _side_label(balance * account.sign, account), "balance": abs(balance),
            "partner": line.partner, "warehouse": line.warehouse,
        })
    return {
        "account": account, "from": period_from, "to": period_to, "opening": abs(start),
        "opening_side": _side_label(start * account.sign, account), "rows": rows, "debit": total_d, "credit": total_c,
        "closing": abs(balance), "closing_side": _side_label(balance * account.sign, account),
    }


def subtree_net_at_end(period: str, code: str) -> tuple[Decimal, Decimal]:
    """(net debit at the end of `period`, of which opening balances) of an account and its sub-accounts:
    what a sub-ledger check compares with (opening balances are carried in from the old books, with no
    document of ours behind them)."""
    ids = set(Account.objects.filter(code__startswith=code).values_list("pk", flat=True))
    net = sum((v for (account,), v in net_at_end(period).items() if account in ids), ZERO)
    opening = sum((d - c for (account,), (d, c) in openings(period=period).items() if account in ids), ZERO)
    return net, opening
