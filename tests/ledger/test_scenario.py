"""A month of a small trading company (一般纳税人, 13% VAT) in March 2026, closed in one call, with
every statement line a user would check."""

import datetime
from decimal import Decimal

import pytest

from sihe.ledger import reports, services, statements
from sihe.ledger.models import Voucher


def D(x):
    return Decimal(x)


@pytest.fixture
def march(post, actor):
    d = datetime.date
    # capital in
    post("2026-03-01", [("1002", "500000.00", None, {"cash_flow_item": 15, "summary": "收到投资款"}),
                        ("3001", None, "500000.00", {"partner": "INV1", "summary": "收到投资款"})])
    # purchase: goods received (暂估), then the supplier's 专票 (input VAT), then payment
    services.book(rule="stock.receipt", date=d(2026, 3, 3), amounts={"value": D("100000")}, source_type="stock.receipt",
                  source_id="R-1", memo="", actor=actor, dimensions={"warehouse": "WH1", "partner": "S01"})
    services.book(rule="purchase.invoice", date=d(2026, 3, 5), amounts={"net": "100000", "tax": "13000", "total": "113000"},
                  source_type="purchase.invoice", source_id="PI-1", memo="", actor=actor, dimensions={"partner": "S01"})
    services.book(rule="payment.bank", date=d(2026, 3, 10), amounts={"amount": "113000"}, source_type="purchase.payment",
                  source_id="PAY-1", memo="", actor=actor, dimensions={"partner": "S01"})
    # sale with output VAT, its cost, and a partial collection
    services.book(rule="sales.revenue", date=d(2026, 3, 15), amounts={"total": "169500", "net": "150000", "tax": "19500"},
                  source_type="sales.invoice", source_id="SI-1", memo="", actor=actor, dimensions={"partner": "C01"})
    services.book(rule="stock.issue", date=d(2026, 3, 15), amounts={"value": "90000"}, source_type="stock.delivery",
                  source_id="DO-1", memo="", actor=actor, dimensions={"warehouse": "WH1"})
    services.book(rule="receipt.bank", date=d(2026, 3, 20), amounts={"amount": "100000"}, source_type="sales.payment",
                  source_id="RC-1", memo="", actor=actor, dimensions={"partner": "C01"})
    # expenses
    post("2026-03-25", [("5602.99", "8000.00", None, {"summary": "房租"}), ("5601.02", "2000.00", None, {"summary": "广告"}),
                        ("5603.02", "50.00", None, {"summary": "银行手续费"}),
                        ("1002", None, "10050.00", {"cash_flow_item": 6, "summary": "付费用"})])
    post("2026-03-31", [("5602.04", "12000.00", None, {"summary": "计提工资"}), ("2211", None, "12000.00", {"summary": "计提工资"})])
    # VAT: 转出未交增值税 19,500 − 13,000 = 6,500; surcharges 7% + 3% + 2%
    post("2026-03-31", [("2221.01.04", "6500.00", None, {"summary": "转出未交增值税"}),
                        ("2221.02", None, "6500.00", {"summary": "转出未交增值税"})])
    post("2026-03-31", [("5403.03", "455.00", None, {"summary": "计提城建税"}),
                        ("5403.07", "325.00", None, {"summary": "计提教育费附加"}), ("2221.05", None, "455.00", {"summary": "城建税"}),
                        ("2221.06", None, "195.00", {"summary": "教育费附加"}),
                        ("2221.07", None, "130.00", {"summary": "地方教育附加"})])
    return services.close_period(period="2026-03", actor=actor)


def lines(report):
    return {line["line_no"]: (line["current"], line["comparative"]) for line in report["lines"]}


def test_the_close_posts_the_carry_forward_and_locks_the_month(march):
    assert march["status"] == "closed"
    assert [c["code"] for c in march["checks"] if c["ok"]] == [c["code"] for c in march["checks"]]
    closing = Voucher.objects.get(kind="closing")
    assert closing.display_number == "记-0012"
    assert [(ln.account.code, ln.debit, ln.credit) for ln in closing.lines.order_by("seq")] == [
        ("5001", D("150000.00"), D("0.00")),
        ("5401", D("0.00"), D("90000.00")),
        ("5403.03", D("0.00"), D("455.00")),
        ("5403.07", D("0.00"), D("325.00")),
        ("5601.02", D("0.00"), D("2000.00")),
        ("5602.04", D("0.00"), D("12000.00")),
        ("5602.99", D("0.00"), D("8000.00")),
        ("5603.02", D("0.00"), D("50.00")),
        ("3103", D("0.00"), D("150000.00")),
        ("3103", D("112830.00"), D("0.00")),
    ]


def test_trial_balance_after_close(march):
    tb = reports.trial_balance("2026-03")
    rows = {r["code"]: r for r in tb["rows"]}
    assert tb["totals"]["balanced"] is True
    assert tb["totals"]["closing_debit"] == tb["totals"]["closing_credit"] == D("556450.00")
    assert rows["1002"]["closing"] == D("476950.00")
    assert (rows["1002"]["debit"], rows["1002"]["credit"]) == (D("600000.00"), D("123050.00"))
    assert rows["1122"]["closing"] == D("69500.00")
    assert rows["1405"]["closing"] == D("10000.00")
    assert rows["2202"]["closing"] == D("0.00")
    assert rows["2221"]["closing"] == D("7280.00")
    assert rows["2221.01"]["closing"] == D("0.00")
    assert rows["3103"]["closing"] == D("37170.00")
    assert "5001" in rows and rows["5001"]["closing"] == D("0.00")
    assert (rows["5001"]["debit"], rows["5001"]["credit"]) == (D("150000.00"), D("150000.00"))


def test_balance_sheet(march):
    bs = statements.balance_sheet("2026-03")
    v = {n: cur for n, (cur, _start) in lines(bs).items()}
    assert v[1] == D("476950.00")  # 货币资金
    assert v[4] == D("69500.00")  # 应收账款
    assert v[9] == D("10000.00") and v[12] == D("10000.00")  # 存货, 其中库存商品
    assert v[15] == D("556450.00") and v[30] == D("556450.00")  # 流动资产合计, 资产总计
    assert v[33] == D("0.00")  # 应付账款
    assert v[35] == D("12000.00")  # 应付职工薪酬
    assert v[36] == D("7280.00")  # 应交税费
    assert v[41] == D("19280.00") and v[47] == D("19280.00")
    assert v[48] == D("500000.00")  # 实收资本
    assert v[51] == D("37170.00")  # 未分配利润
    assert v[52] == D("537170.00")
    assert v[53] == D("556450.00")
    assert bs["balanced"] is True
    assert all(start == 0 for _cur, start in lines(bs).values())  # 年初余额: the company started in March


def test_income_statement_month_and_year_to_date(march):
    report = statements.income_statement("2026-03")
    v = lines(report)
    assert v[1] == (D("150000.00"), D("150000.00"))  # 营业收入
    assert v[2] == (D("90000.00"), D("90000.00"))  # 营业成本
    assert v[3][0] == D("780.00")  # 税金及附加
    assert v[11][0] == D("2000.00")  # 销售费用
    assert v[14][0] == D("20000.00")  # 管理费用
    assert v[18][0] == D("50.00")  # 财务费用
    assert v[21][0] == D("37170.00")  # 营业利润
    assert v[30][0] == D("37170.00")  # 利润总额
    assert v[32] == (D("37170.00"), D("37170.00"))  # 净利润
    april = lines(statements.income_statement("2026-04"))
    assert april[32] == (D("0.00"), D("37170.00"))


def test_cash_flow_statement(march):
    v = lines(statements.cash_flow("2026-03"))
    assert v[1][0] == D("100000.00")  # 销售商品收到的现金
    assert v[3][0] == D("113000.00")  # 购买商品支付的现金
    assert v[6][0] == D("10050.00")  # 支付其他与经营活动有关的现金
    assert v[7][0] == D("-23050.00")  # 经营活动净额
    assert v[15][0] == D("500000.00")  # 吸收投资者投资收到的现金
    assert v[19][0] == D("500000.00")
    assert v[20][0] == D("476950.00")
    assert v[21][0] == D("0.00")
    assert v[22][0] == D("476950.00")
    assert statements.cash_flow("2026-03")["balanced"] is True


def test_ledgers_show_running_balances(march):
    detail = reports.detail_ledger(reports.account_by_code("1002"), "2026-03", "2026-03")
    assert [(r.get("voucher", r["summary"]), r["debit"], r["credit"], r["balance"]) for r in detail["rows"]] == [
        ("记-0001", D("500000.00"), D("0.00"), D("500000.00")),
        ("记-0004", D("0.00"), D("113000.00"), D("387000.00")),
        ("记-0007", D("100000.00"), D("0.00"), D("487000.00")),
        ("记-0008", D("0.00"), D("10050.00"), D("476950.00")),
        ("本月合计", D("600000.00"), D("123050.00"), D("476950.00")),
        ("本年累计", D("600000.00"), D("123050.00"), D("476950.00")),
    ]
    general = reports.general_ledger(reports.account_by_code("1122"), 2026, up_to="2026-04")
    assert [(r["period"], r["debit"], r["credit"], r["side"], r["balance"]) for r in general["rows"]] == [
        ("2026-01", D("0.00"), D("0.00"), "平", D("0.00")),
        ("2026-02", D("0.00"), D("0.00"), "平", D("0.00")),
        ("2026-03", D("169500.00"), D("100000.00"), "借", D("69500.00")),
        ("2026-04", D("0.00"), D("0.00"), "借", D("69500.00")),
    ]


def test_year_end_close_carries_profit_to_retained_earnings(march, actor, clock):
    clock.at(2027, 1, 4)  # December has ended
    for month in range(4, 13):
        services.close_period(period=f"2026-{month:02d}", actor=actor)
    year_end = Voucher.objects.get(kind="year_end")
    assert year_end.period.code == "2026-12"
    assert [(ln.account.code, ln.debit, ln.credit) for ln in year_end.lines.order_by("seq")] == [
        ("3103", D("37170.00"), D("0.00")), ("3104.01", D("0.00"), D("37170.00")),
    ]
    bs = lines(statements.balance_sheet("2026-12"))
    assert bs[51][0] == D("37170.00")
    assert lines(statements.balance_sheet("2027-01"))[51] == (D("37170.00"), D("37170.00"))


def test_reopen_is_audited_and_allows_posting_again(march, actor, post):
    with pytest.raises(services.PeriodClosed):
        post("2026-03-31", [("5602.99", "1.00", None), ("2241", None, "1.00")])
    services.reopen_period(period="2026-03", actor=actor, reason="补录费用")
    post("2026-03-31", [("5602.99", "100.00", None), ("2241", None, "100.00")])
    result = services.close_period(period="2026-03", actor=actor)
    assert result["vouchers"] == [{"id": result["vouchers"][0]["id"], "number": "记-0014"}]
    assert lines(statements.income_statement("2026-03"))[32][0] == D("37070.00")
    assert lines(statements.balance_sheet("2026-03"))[51][0] == D("37070.00")
