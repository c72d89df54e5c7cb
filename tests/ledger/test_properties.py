"""Property: after any sequence of valid vouchers and closes — the trial balance balances, the
balance sheet balances (资产合计 = 负债和所有者权益合计), each month's net profit equals the change of
未分配利润 (line 51, through 结转损益 and the year-end carry to 利润分配), the cash-flow statement
ends on the cash balance, and the balance projection equals a rebuild from the lines."""

import datetime
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sihe.core.actor import Actor
from sihe.ledger import balances, reports, services, statements

# leaf accounts a company posts to by hand (3103/3104 are moved by the close only)
ACCOUNTS = ["1001", "1002", "1012", "1122", "1123", "1221", "1403", "1405", "1601", "1602", "1901", "2001",
            "2202.01", "2203", "2211", "2221.01.01", "2221.01.06", "2221.02", "2241", "3001", "4001", "5001",
            "5051", "5301.99", "5401", "5403.03", "5601.99", "5602.99", "5603.02", "5711.99", "5801"]
CASH = {"1001", "1002", "1012"}
ITEMS = [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18]
MAKER = Actor(user_id=None, username="maker")
CHECKER = Actor(user_id=None, username="checker")

pairs = st.tuples(
    st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.sampled_from(ITEMS), st.sampled_from(["", "P1", "P2"]),
).filter(lambda p: p[0] != p[1])
voucher = st.tuples(st.just("voucher"), st.lists(pairs, min_size=1, max_size=3), st.integers(1, 28))
operations = st.lists(st.one_of(voucher, st.just(("close",)), st.just(("reverse_last",))), min_size=1, max_size=14)


def _line(account, side, amount, item, partner):
    line = {"account": account, side: amount, "summary": "p", "cash_flow_item": item}
    if partner and account in ("1122", "1123", "1221", "2202.01", "2203", "2241", "3001"):
        line["partner"] = partner
    return line


def run(ops):
    year, month, posted, periods = 2026, 11, [], ["2026-11"]
    for op in ops:
        if op[0] == "voucher":
            _, items, day = op
            lines = []
            for debit, credit, amount, item, partner in items:
                lines += [_line(debit, "debit", amount, item, partner), _line(credit, "credit", amount, item, partner)]
            v = services.create_voucher(date=datetime.date(year, month, day), lines=lines, actor=MAKER)
            services.review_voucher(voucher=v, actor=CHECKER)
            posted.append(services.post_voucher(voucher=v, actor=CHECKER))
        elif op[0] == "reverse_last" and posted:
            v = posted.pop()
            if not v.period.is_closed:
                red = services.reverse_voucher(voucher=v, actor=CHECKER)
                services.review_voucher(voucher=red, actor=MAKER)
                services.post_voucher(voucher=red, actor=MAKER)
        elif op[0] == "close":
            services.close_period(period=f"{year:04d}-{month:02d}", actor=CHECKER)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            periods.append(f"{year:04d}-{month:02d}")
            posted = []
    return periods


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_the_books_always_balance(db, clock, monkeypatch, ops):
    clock.at(2030, 1, 15)  # every month the operations reach has ended, so each closes without confirmation
    monkeypatch.setenv("SIHE_MAX_PAST_DAYS", "36500")  # and the books started in 2026-11
    with transaction.atomic():
        periods = run(ops)
        previous_retained = Decimal("0.00")
        for period in periods:
            assert reports.trial_balance(period)["totals"]["balanced"], period
            sheet = statements.balance_sheet(period)
            line = {row["line_no"]: row["current"] for row in sheet["lines"]}
            assert line[30] == line[53], (period, line[30], line[53])
            assert sheet["balanced"]
            profit = statements.income_statement(period)["net_profit"]
            assert line[51] - previous_retained == profit, period
            previous_retained = line[51]
            assert statements.cash_flow(period)["balanced"], period
        assert balances.stored() == balances.computed_from_lines()
        transaction.set_rollback(True)
