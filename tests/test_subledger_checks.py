"""Issue 13.6: at month end each sub-ledger agrees with its account — what orders are owed with 1122,
what supplier invoices owe with 2202.01 — and a voucher posted by hand past the documents shows."""

import datetime

import pytest
from django.utils import translation

from sihe.core.actor import Actor
from sihe.ledger import services
from sihe.ledger.close import run_checks

DAY = datetime.date(2026, 11, 20)


@pytest.fixture
def books(db, clock, make_user):
    clock.at(2026, 11, 25)
    maker, reviewer = (Actor.for_user(make_user("accountant", name)) for name in ("kuaiji", "zhuguan"))

    def post(lines):
        raw = [{"account": a, "debit": d, "credit": c, "summary": "手工凭证", **extra} for a, d, c, extra in lines]
        voucher = services.create_voucher(date=DAY, lines=raw, actor=maker)
        services.review_voucher(voucher=voucher, actor=reviewer)
        return services.post_voucher(voucher=voucher, actor=reviewer)

    return post


def checks(period="2026-11"):
    with translation.override("zh-hans"):  # what the accountant reads on the close page
        return {r["code"]: r for r in run_checks(period)}


def test_13_6_empty_books_agree_and_a_hand_posted_receivable_or_payable_shows(books):
    assert checks()["receivables_match_ledger"]["ok"] and checks()["payables_match_ledger"]["ok"]
    # 500 booked on 1122 with no order behind it
    books([("1122", "500.00", "0", {"partner": "C-1"}), ("5001", "0", "500.00", {})])
    ar = checks()["receivables_match_ledger"]
    assert not ar["ok"] and ar["detail"] == "订单应收 ¥0.00 + 期初 ¥0.00 ≠ 1122 ¥500.00"
    # 300 owed to a supplier on 2202.01 with no supplier invoice
    books([("5602.99", "300.00", "0", {}), ("2202.01", "0", "300.00", {"partner": "S-1"})])
    ap = checks()["payables_match_ledger"]
    assert not ap["ok"] and ap["detail"] == "供应商发票应付 ¥0.00 + 期初 ¥0.00 ≠ 2202.01 ¥300.00"


def test_13_6_opening_balances_carried_in_count_on_both_sides(books):
    actor = Actor.system("test")
    services.add_opening_balances(period="2026-11", actor=actor, source="", rows=[
        {"account": "1122", "partner": "C-1", "debit": "800.00", "credit": "0"},
        {"account": "2202.01", "partner": "S-1", "debit": "0", "credit": "800.00"}])
    result = checks()
    assert result["receivables_match_ledger"]["ok"], result["receivables_match_ledger"]["detail"]
    assert result["payables_match_ledger"]["ok"], result["payables_match_ledger"]["detail"]
    assert result["receivables_match_ledger"]["detail"] == "订单应收 ¥0.00 + 期初 ¥800.00 = 1122"
