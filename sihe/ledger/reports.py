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


def moved_map() -> dict[int, int]:
    """{account id: leaf id} for accounts whose balance moved into a sub-account (followed to the end)."""
    direct = dict(Account.objects.filter(moved_into__isnull=False).values_list("pk", "moved_into_id"))
    result = {}
    for start in direct:
        target, seen = direct[start], {start}
        while target in direct and target not in seen:
            seen.add(target)
            target = direct[target]
        result[start] = target
    return result


def posting_account(account: Account) -> Account:
    """Where a line on `account` counts today: itself, or the sub-account its balance moved into."""
    if account.moved_into_id is None:
        return account
    return Account.objects.get(pk=moved_map()[account.pk])


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


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def opening_nets(point: str, *, by: tuple[str, ...] = ()) -> dict:
    """{key: debit − credit} the opening balances contribute at the start of period `point`: the
    期初余额 once the books have started, else the 年初余额 (期初 − 本年累计 net) — for a company that
    starts mid-year, the start of its first year is the only earlier point it knows."""
    rows = (OpeningBalance.objects.values("account_id", "account__category", "period", *by)
            .annotate(d=Sum("debit"), c=Sum("credit"), yd=Sum("ytd_debit"), yc=Sum("ytd_credit")))
    result: dict = defaultdict(lambda: ZERO)
    for r in rows:
        net = round_money(Decimal(r["d"])) - round_money(Decimal(r["c"]))
        if r["period"] > point and r["account__category"] != "profit_loss":
            net -= round_money(Decimal(r["yd"])) - round_money(Decimal(r["yc"]))
        elif r["period"] > point:
            net = ZERO  # 损益类 start every year empty
        result[(r["account_id"], *(r[f] for f in by))] += net
    return result


def carried_ytd(account: Account, debit: Decimal, credit: Decimal) -> tuple[Decimal, Decimal]:
    """A 损益类 account's 本年累计 with the 结转损益 of the earlier months added."""
    if account.category != "profit_loss":
        return debit, credit
    net = debit - credit
    return (debit, credit + net) if net > 0 else (debit - net, credit)


def opening_ytd(period: str, *, by: tuple[str, ...] = (), carried: bool = False) -> dict:
    """{key: (debit, credit)} 本年累计 of the months before the books started, when they started in
    `period`'s year no later than `period`. `carried` adds to 损益类 rows the implied 结转损益 (as a
    科目余额表 shows them); without it they are the 实际发生额 the 利润表 reads."""
    rows = (OpeningBalance.objects.filter(period__lte=period, period__gte=year_start(period))
            .values("account_id", *by).annotate(yd=Sum("ytd_debit"), yc=Sum("ytd_credit")))
    result = {}
    accounts = {}
    for r in rows:
        d, c = round_money(Decimal(r["yd"])), round_money(Decimal(r["yc"]))
        if not (d or c):
            continue
        if carried:
            account = accounts.get(r["account_id"]) or Account.objects.get(pk=r["account_id"])
            accounts[r["account_id"]] = account
            d, c = carried_ytd(account, d, c)
        result[(r["account_id"], *(r[f] for f in by))] = (d, c)
    return result


def year_to_date(period: str, *, q: Q | None = None, by: tuple[str, ...] = (), carried: bool = False) -> dict:
    """{key: (debit, credit)} of the year up to `period`: posted in Sihe plus the opening 本年累计."""
    result: dict = defaultdict(lambda: (ZERO, ZERO))
    moved = movements(q=Q(period__gte=year_start(period), period__lte=period) & (q or Q()), by=by)
    for source in (moved, opening_ytd(period, by=by, carried=carried)):
        for key, (d, c) in source.items():
            before = result[key]
            result[key] = (before[0] + d, before[1] + c)
    return dict(result)


def net_before(period: str, *, by: tuple[str, ...] = ()) -> dict:
    """{key: debit − credit} at the start of `period` (openings + everything posted before)."""
    result: dict = defaultdict(lambda: ZERO)
    for key, net in opening_nets(period, by=by).items():
        result[key] += net
    for key, (d, c) in movements(q=Q(period__lt=period), by=by).items():
        result[key] += d - c
    return result


def net_at_end(period: str, *, by: tuple[str, ...] = ()) -> dict:
    result: dict = defaultdict(lambda: ZERO)
    for key, net in opening_nets(next_period(period), by=by).items():
        result[key] += net
    for key, (d, c) in movements(q=Q(period__lte=period), by=by).items():
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
    ytd = year_to_date(period, carried=True)
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
    """The account, its sub-accounts, and accounts whose balance moved into one of them (their posted
    lines count there)."""
    ids = set(
        Account.objects.filter(Q(pk=account.pk) | Q(code__startswith=account.code + ".")).values_list("pk", flat=True)
    )
    ids |= {source for source, target in moved_map().items() if target in ids}
    return sorted(ids)


def _subtree_ytd_before(ids: list[int], period: str, by: tuple[str, ...] = (), dimension: dict | None = None):
    """(debit, credit) of the subtree in `period`'s year before `period`: posted in Sihe plus the opening
    本年累计 (with the implied 结转损益 of 损益类, as the lines of a 明细账 include the carry-forward)."""
    d = c = ZERO
    earlier = movements(q=Q(account_id__in=ids, period__gte=year_start(period), period__lt=period), by=by)
    for source in (earlier, opening_ytd(period, by=by, carried=True)):
        for key, (kd, kc) in source.items():
            if key[0] in ids and all(key[1 + i] == dimension[f] for i, f in enumerate(by)):
                d += kd
                c += kc
    return d, c


def general_ledger(account: Account, year: int, up_to: str | None = None) -> dict:
    """总账: the year's months for one account: 年初余额, then per month 本月合计 and 本年累计 with the
    balance. For books that started mid-year the months before show as one 建账前累计 row (the opening
    本年累计), not as empty months."""
    ids = _subtree_ids(account)
    first = f"{year:04d}-01"
    last = up_to or f"{year:04d}-12"
    start = sum((net for (aid,), net in net_before(first).items() if aid in ids), ZERO)
    monthly = Balance.objects.filter(account_id__in=ids, period__gte=first, period__lte=last).values("period").annotate(
        d=Sum("debit"), c=Sum("credit")
    )
    by_month = {r["period"]: (round_money(Decimal(r["d"])), round_money(Decimal(r["c"]))) for r in monthly}
    books_from = (OpeningBalance.objects.filter(period__gt=first, period__lte=f"{year:04d}-12")
                  .order_by("period").values_list("period", flat=True).first())
    rows, balance, ytd_d, ytd_c = [], start, ZERO, ZERO
    if books_from:
        ytd_d, ytd_c = _subtree_ytd_before(ids, books_from)
        balance += ytd_d - ytd_c
        rows.append({"period": books_from, "kind": "before_books", "debit": ytd_d, "credit": ytd_c,
                     "ytd_debit": ytd_d, "ytd_credit": ytd_c,
                     "side": _side_label(balance * account.sign, account), "balance": abs(balance)})
    for month in range(1, int(last[5:]) + 1):
        code = f"{year:04d}-{month:02d}"
        if books_from and code < books_from:
            continue
        d, c = by_month.get(code, (ZERO, ZERO))
        balance += d - c
        ytd_d += d
        ytd_c += c
        rows.append({"period": code, "kind": "month", "debit": d, "credit": c, "ytd_debit": ytd_d, "ytd_credit": ytd_c,
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
    running balance after each line, and after each month a 本月合计 and a 本年累计 row (the year's
    totals include the months before `period_from` and, for books started mid-year, the opening
    本年累计); dimension={"partner": "C001"} narrows to one code."""
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
        .select_related("voucher", "voucher__period", "account")
        .order_by("voucher__period__code", "voucher__date", "voucher__word", "voucher__number", "seq")
    )
    rows, balance, total_d, total_c = [], start, ZERO, ZERO
    ytd_d, ytd_c = _subtree_ytd_before(ids, period_from, by, dimension)
    month_d = month_c = ZERO
    current = None

    def close_month(code):
        side = _side_label(balance * account.sign, account)
        rows.append({"kind": "month_total", "period": code, "summary": "本月合计", "debit": month_d, "credit": month_c,
                     "side": side, "balance": abs(balance)})
        rows.append({"kind": "year_total", "period": code, "summary": "本年累计", "debit": ytd_d, "credit": ytd_c,
                     "side": side, "balance": abs(balance)})

    for line in lines:
        code = line.voucher.period.code
        if current is not None and code != current:
            close_month(current)
            month_d = month_c = ZERO
            if code[:4] != current[:4]:
                ytd_d = ytd_c = ZERO
        current = code
        balance += line.debit - line.credit
        total_d += line.debit
        total_c += line.credit
        month_d += line.debit
        month_c += line.credit
        ytd_d += line.debit
        ytd_c += line.credit
        rows.append({
            "kind": "line", "period": code,
            "date": line.voucher.date, "voucher": line.voucher.display_number, "voucher_id": line.voucher_id,
            "account": line.account.code, "summary": line.summary, "debit": line.debit, "credit": line.credit,
            "side": _side_label(balance * account.sign, account), "balance": abs(balance),
            "partner": line.partner, "warehouse": line.warehouse,
        })
    if current is not None:
        close_month(current)
    return {
        "account": account, "from": period_from, "to": period_to, "opening": abs(start),
        "opening_side": _side_label(start * account.sign, account), "rows": rows, "debit": total_d, "credit": total_c,
        "closing": abs(balance), "closing_side": _side_label(balance * account.sign, account),
    }


def multi_column_ledger(account: Account, period_from: str, period_to: str) -> dict:
    """多栏式明细账 (e.g. 管理费用): one column per direct sub-account (its own sub-accounts roll into it),
    each line's amount in its column on the account's normal side (借方 for expenses, red-reversed lines
    negative; the 结转损益 line only in 贷方), with 本月合计 after each month and the total."""
    children = list(Account.objects.filter(parent=account).order_by("code"))
    if not children:
        children = [account]
    column_of: dict[int, int] = {}
    for index, child in enumerate(children):
        for pk in _subtree_ids(child):
            column_of[pk] = index
    lines = (
        VoucherLine.objects.filter(
            account_id__in=list(column_of) + [account.pk], voucher__status=Voucher.Status.POSTED,
            voucher__period__code__gte=period_from, voucher__period__code__lte=period_to,
        )
        .select_related("voucher", "voucher__period", "account", "account__moved_into")
        .order_by("voucher__period__code", "voucher__date", "voucher__word", "voucher__number", "seq")
    )
    moved = moved_map()
    rows, current = [], None
    month = [ZERO] * len(children)
    total = [ZERO] * len(children)
    month_dc = [ZERO, ZERO]

    def close_month(code):
        rows.append({"kind": "month_total", "period": code, "summary": "本月合计", "debit": month_dc[0],
                     "credit": month_dc[1], "columns": list(month)})

    for line in lines:
        code = line.voucher.period.code
        if current is not None and code != current:
            close_month(current)
            month[:] = [ZERO] * len(children)
            month_dc[:] = [ZERO, ZERO]
        current = code
        index = column_of.get(moved.get(line.account_id, line.account_id), 0)
        # the 结转损益 line empties the account: it shows on the other side, not in the analysis columns
        carried = line.voucher.kind in (Voucher.Kind.CLOSING, Voucher.Kind.YEAR_END)
        amount = ZERO if carried else (line.debit - line.credit) * account.sign
        columns = [ZERO] * len(children)
        columns[index] = amount
        month[index] += amount
        total[index] += amount
        month_dc[0] += line.debit
        month_dc[1] += line.credit
        rows.append({"kind": "line", "period": code, "date": line.voucher.date, "voucher": line.voucher.display_number,
                     "voucher_id": line.voucher_id, "summary": line.summary, "debit": line.debit,
                     "credit": line.credit, "columns": columns})
    if current is not None:
        close_month(current)
    return {"account": account, "from": period_from, "to": period_to, "columns": children, "rows": rows,
            "total": total}


def subtree_net_at_end(period: str, code: str) -> tuple[Decimal, Decimal]:
    """(net debit at the end of `period`, of which opening balances) of an account and its sub-accounts:
    what a sub-ledger check compares with (opening balances are carried in from the old books, with no
    document of ours behind them)."""
    ids = set(Account.objects.filter(code__startswith=code).values_list("pk", flat=True))
    net = sum((v for (account,), v in net_at_end(period).items() if account in ids), ZERO)
    opening = sum((d - c for (account,), (d, c) in openings(period=period).items() if account in ids), ZERO)
    return net, opening


# -- 建账 (opening balances) ----------------------------------------------------------------------


def opening_summary() -> dict:
    """The opening balances as a 金蝶/用友 初始化 screen shows them: per row 年初余额, 本年累计借/贷 and
    期初余额 (debit and credit columns), the totals, and the checks: the three trial balances, the
    cash flows against the cash accounts, and the sub-ledgers (AR/AP by partner, stock)."""
    from sihe.ledger.models import OpeningCashFlow

    rows, totals = [], dict.fromkeys(
        ["year_start_debit", "year_start_credit", "ytd_debit", "ytd_credit", "debit", "credit",
         "carried_ytd_debit", "carried_ytd_credit"], ZERO)
    period = None
    for o in OpeningBalance.objects.select_related("account").order_by("account__code", "source", "partner", "id"):
        period = o.period
        open_net = o.debit - o.credit
        start_net = ZERO if o.account.category == "profit_loss" else open_net - (o.ytd_debit - o.ytd_credit)
        sd, sc = _sides(start_net)
        cd, cc = carried_ytd(o.account, o.ytd_debit, o.ytd_credit)
        row = {"account": o.account.code, "name": o.account.name, "direction": o.account.direction,
               "category": o.account.category,
               "partner": o.partner, "department": o.department, "project": o.project, "warehouse": o.warehouse,
               "source": o.source, "year_start_debit": sd, "year_start_credit": sc, "ytd_debit": o.ytd_debit,
               "ytd_credit": o.ytd_credit, "debit": o.debit, "credit": o.credit}
        rows.append(row)
        for key in ("year_start_debit", "year_start_credit", "ytd_debit", "ytd_credit", "debit", "credit"):
            totals[key] += row[key]
        totals["carried_ytd_debit"] += cd
        totals["carried_ytd_credit"] += cc
    flows = [{"line_no": f.item.line_no, "name": f.item.name, "inflow": f.item.inflow, "amount": f.amount}
             for f in OpeningCashFlow.objects.select_related("item")]
    checks = [
        {"code": "opening_balanced", "label": "期初余额试算平衡", "ok": totals["debit"] == totals["credit"],
         "debit": totals["debit"], "credit": totals["credit"]},
        {"code": "year_start_balanced", "label": "年初余额试算平衡",
         "ok": totals["year_start_debit"] == totals["year_start_credit"],
         "debit": totals["year_start_debit"], "credit": totals["year_start_credit"]},
        {"code": "ytd_balanced", "label": "本年累计发生额试算平衡（含损益结转）",
         "ok": totals["carried_ytd_debit"] == totals["carried_ytd_credit"],
         "debit": totals["carried_ytd_debit"], "credit": totals["carried_ytd_credit"]},
    ]
    cash_ytd = sum((r["ytd_debit"] - r["ytd_credit"] for r in rows
                    if r["account"].split(".")[0] in ("1001", "1002", "1012")), ZERO)
    flow_net = sum((f["amount"] if f["inflow"] else -f["amount"] for f in flows), ZERO)
    checks.append({"code": "cash_flows_match", "label": "现金流量本年累计 = 现金类科目本年累计净额",
                   "ok": flow_net == cash_ytd, "debit": flow_net, "credit": cash_ytd})
    # 往来: receivables and payables (not 实收资本, whose investors are a dimension too)
    partner_accounts = set(Account.objects.filter(dim_partner=True, category__in=("asset", "liability"))
                           .values_list("code", flat=True))
    missing = sum((abs(r["debit"] - r["credit"]) for r in rows if r["account"] in partner_accounts and not r["partner"]),
                  ZERO)
    checks.append({"code": "partners_given", "label": "往来科目期初按单位录入（应收/应付明细账）",
                   "ok": not missing, "debit": missing, "credit": ZERO})
    # the stock ledger's own rows: 1405/1403 per warehouse (its counter-entry in equity is not stock)
    stock_accounts = {r["account"] for r in rows if r["source"] == "stock" and r["category"] == "asset"}
    doubled = sum((r["debit"] - r["credit"] for r in rows if r["source"] == "" and r["account"] in stock_accounts), ZERO)
    checks.append({"code": "stock_once", "label": "存货期初只来自库存期初（不重复录入）",
                   "ok": not doubled, "debit": doubled, "credit": ZERO})
    return {"period": period, "rows": rows, "totals": totals, "cash_flows": flows, "checks": checks,
            "balanced": all(c["ok"] for c in checks)}
