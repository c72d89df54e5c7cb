"""A trading company (一般纳税人, 13%) that starts its books in Sihe in 2026-07 (建账 mid-year), runs six
months, closes December with the year-end carry-forward and opens 2027.

Figures worked out by hand (yuan):

年初余额 2026-01-01: 1001 5,000 · 1002 300,000 · 1122 (C01) 40,000 · 1405 (WH1) 100,000 · 1601 200,000 /
1602 50,000 · 2202.01 (S01) 30,000 · 2221.02 5,000 · 3001 500,000 · 3104.01 60,000 (Dr = Cr = 645,000).

本年累计 Jan–Jun (the old books):
  sales 1122 Dr 565,000 / 5001 Cr 500,000 / 2221.01.06 Cr 65,000; cost 5401 Dr 300,000 / 1405 Cr 300,000;
  purchases 1405 Dr 320,000 + 2221.01.01 Dr 41,600 / 2202.01 Cr 361,600; collected 1002 Dr 525,000 /
  1122 Cr 525,000 (CF 1); paid suppliers 2202.01 Dr 340,000 / 1002 Cr 340,000 (CF 3); admin 5602.02
  招待 5,000 + 5602.05 办公 55,000 from 1002 (CF 6 60,000); 1001 Dr 20,000 drawn from 1002 (no CF);
  5601.02 Dr 18,000 from 1001 (CF 6); depreciation 5602.05 Dr 12,000 / 1602 Cr 12,000; 2221.01.04 Dr 23,400 /
  2221.02 Cr 23,400; VAT paid 2221.02 Dr 25,000 from 1002 (CF 5); surcharges 5403.03 1,638 + 5403.07 1,170
  to 2221.05/06/07 (1,638 / 702 / 468) and paid (CF 5 2,808); loan 1002 Dr 100,000 / 2001 Cr 100,000
  (CF 14); interest 5603.01 Dr 1,500 from 1002 (CF 17); 3103 Dr 394,308 / Cr 500,000 (monthly 结转).
  Profit Jan–Jun 500,000 − 394,308 = 105,692.
期初余额 2026-07-01 = 年初 + 借 − 贷: 1001 7,000 · 1002 475,692 · 1122 80,000 · 1405 120,000 · 1601 200,000 ·
  1602 62,000 Cr · 2001 100,000 Cr · 2202.01 51,600 Cr · 2221.01.01 41,600 Dr · 2221.01.04 23,400 Dr ·
  2221.01.06 65,000 Cr · 2221.02 3,400 Cr · 3001 500,000 Cr · 3104.01 60,000 Cr · 3103 105,692 Cr
  (Dr = Cr = 947,692). Cash flows Jan–Jun net 525,000 + 100,000 − 340,000 − 27,808 − 78,000 − 1,500 =
  177,692 = 1001 +2,000 + 1002 +175,692.

Each month Jul–Dec: goods in 40,000 (暂估, then the 专票 40,000 + 5,200); a sale 60,000 + 7,800 with its
cost 36,000; 60,000 collected (CF 1); 45,200 paid (CF 3); advertising 1,000 from the bank (CF 6); depreciation
2,000 (5602.05); 转出未交增值税 7,800 − 5,200 = 2,600; surcharges 12 % = 312 (城建 182 → 5403.03, 教育 78 +
地方教育 52 → 5403.07); the previous month's VAT and surcharges paid (July 3,400; Aug–Dec 2,912; CF 5).
September: 业务招待 800 in cash (CF 6). October: 5601.02 广告费和业务宣传费 gets its first sub-account 5601.02.01
网络广告 — its 18,000 opening 本年累计 and 3,000 of Jul–Sep move into it. December: interest 1,500 (CF 17), 50,000 of
the loan repaid (CF 16).

利润表 2026-12 (本年累计 / 本月): 1 营业收入 860,000 / 60,000 · 2 营业成本 516,000 / 36,000 · 3 税金及附加
  4,680 / 312 (6 城建 2,730 / 182; 10 教育费附加 1,950 / 130) · 11 销售费用 24,000 / 1,000 (13 广告 24,000 /
  1,000) · 14 管理费用 84,800 / 2,000 (16 业务招待费 5,800 / 0) · 18 财务费用 3,000 / 1,500 (19 利息 3,000 /
  1,500) · 21 = 30 = 32 净利润 227,520 / 19,188 (= 105,692 + 121,828).
资产负债表 2026-12-31 (期末 / 年初): 1 货币资金 495,232 / 305,000 · 4 应收账款 126,800 / 40,000 · 9 存货 =
  12 库存商品 144,000 / 100,000 · 15 流动资产 766,032 / 445,000 · 18 原价 200,000 / 200,000 · 19 累计折旧
  74,000 / 50,000 · 20 = 29 126,000 / 150,000 · 30 资产总计 892,032 / 595,000 · 31 短期借款 50,000 / 0 ·
  33 应付账款 51,600 / 30,000 · 36 应交税费 2,912 / 5,000 · 41 = 47 104,512 / 35,000 · 48 500,000 / 500,000 ·
  51 未分配利润 287,520 / 60,000 · 52 787,520 / 560,000 · 53 892,032 / 595,000.
现金流量表 2026-12 (本年累计 / 本月): 1 885,000 / 60,000 · 3 611,200 / 45,200 · 5 45,768 / 2,912 ·
  6 84,800 / 1,000 · 7 143,232 / 10,888 · 14 100,000 / 0 · 16 50,000 / 50,000 · 17 3,000 / 1,500 ·
  19 47,000 / −51,500 · 20 190,232 / −40,612 · 21 305,000 / 535,844 · 22 495,232 / 495,232.
"""

import datetime
from decimal import Decimal

import pytest

from sihe.core.errors import DomainError
from sihe.ledger import accounts, reports, services, statements
from sihe.ledger.models import Account, Voucher

D = Decimal

OPENING = [
    {"account": "1001", "year_start_debit": "5000", "ytd_debit": "20000", "ytd_credit": "18000"},
    {"account": "1002", "year_start_debit": "300000", "ytd_debit": "625000", "ytd_credit": "449308"},
    {"account": "1122", "partner": "C01", "year_start_debit": "40000", "ytd_debit": "565000", "ytd_credit": "525000"},
    {"account": "1405", "warehouse": "WH1", "year_start_debit": "100000", "ytd_debit": "320000", "ytd_credit": "300000"},
    {"account": "1601", "year_start_debit": "200000", "debit": "200000"},
    {"account": "1602", "year_start_credit": "50000", "ytd_credit": "12000", "credit": "62000"},
    {"account": "2001", "ytd_credit": "100000", "credit": "100000"},
    {"account": "2202.01", "partner": "S01", "year_start_credit": "30000", "ytd_debit": "340000", "ytd_credit": "361600"},
    {"account": "2221.01.01", "ytd_debit": "41600", "debit": "41600"},
    {"account": "2221.01.04", "ytd_debit": "23400", "debit": "23400"},
    {"account": "2221.01.06", "ytd_credit": "65000", "credit": "65000"},
    {"account": "2221.02", "year_start_credit": "5000", "ytd_debit": "25000", "ytd_credit": "23400"},
    {"account": "2221.05", "ytd_debit": "1638", "ytd_credit": "1638"},
    {"account": "2221.06", "ytd_debit": "702", "ytd_credit": "702"},
    {"account": "2221.07", "ytd_debit": "468", "ytd_credit": "468"},
    {"account": "3001", "year_start_credit": "500000", "credit": "500000"},
    {"account": "3104.01", "year_start_credit": "60000", "credit": "60000"},
    {"account": "3103", "ytd_debit": "394308", "ytd_credit": "500000", "credit": "105692"},
    {"account": "5001", "ytd_credit": "500000"},
    {"account": "5401", "ytd_debit": "300000"},
    {"account": "5403.03", "ytd_debit": "1638"},
    {"account": "5403.07", "ytd_debit": "1170"},
    {"account": "5601.02", "ytd_debit": "18000"},
    {"account": "5602.02", "ytd_debit": "5000"},
    {"account": "5602.05", "ytd_debit": "67000"},
    {"account": "5603.01", "ytd_debit": "1500"},
]
CASH_FLOWS = {"1": "525000", "3": "340000", "5": "27808", "6": "78000", "14": "100000", "17": "1500"}


def lines(report):
    return {line["line_no"]: (line["comparative"], line["current"]) for line in report["lines"]}


def ytd_and_month(report, *numbers):
    """(本年累计, 本月) — the appendix's column order — of the given lines."""
    found = lines(report)
    return {n: found[n] for n in numbers}


@pytest.fixture
def books(actor, clock, post):
    """The opening balances on the chart's statement sub-accounts (seeded: 5403.03, 5403.07, 5601.02, 5602.02,
    5602.05, 5603.01) and six months closed."""
    clock.at(2026, 7, 1)
    services.import_opening_balances(period="2026-07", rows=OPENING, cash_flows=CASH_FLOWS, actor=actor)

    def book(rule, day, amounts, source_id, **dims):
        services.book(rule=rule, date=day, amounts={k: D(v) for k, v in amounts.items()}, source_type="story",
                      source_id=source_id, memo=source_id, actor=actor, dimensions=dims)

    for month in range(7, 13):
        clock.at(2026, month, 28)
        first, p = datetime.date(2026, month, 1), f"2026-{month:02d}"
        day = first.replace(day=10)
        vat_due = "3400" if month == 7 else "2600"
        post(first.isoformat(), [("2221.02", vat_due, None), ("1002", None, vat_due, {"cash_flow_item": 5})])
        if month > 7:
            post(first.isoformat(), [("2221.05", "182", None), ("2221.06", "78", None), ("2221.07", "52", None),
                                     ("1002", None, "312", {"cash_flow_item": 5})])
        book("stock.receipt", day, {"value": "40000"}, f"R-{p}", warehouse="WH1", partner="S01")
        book("purchase.invoice", day, {"net": "40000", "tax": "5200", "total": "45200"}, f"PI-{p}", partner="S01")
        book("sales.revenue", day, {"total": "67800", "net": "60000", "tax": "7800"}, f"SI-{p}", partner="C01")
        book("stock.issue", day, {"value": "36000"}, f"DO-{p}", warehouse="WH1")
        book("receipt.bank", day, {"amount": "60000"}, f"RC-{p}", partner="C01")
        book("payment.bank", day, {"amount": "45200"}, f"PAY-{p}", partner="S01")
        if month == 10:  # the accountant splits 广告费 while it is in use: its balance moves into the child
            accounts.add_account(parent="5601.02", code="5601.02.01", name="网络广告", actor=actor)
        ads = "5601.02" if month < 10 else "5601.02.01"
        post(day.isoformat(), [(ads, "1000", None), ("1002", None, "1000", {"cash_flow_item": 6})])
        if month == 9:
            post(day.isoformat(), [("5602.02", "800", None), ("1001", None, "800", {"cash_flow_item": 6})])
        if month == 12:
            post(day.isoformat(), [("5603.01", "1500", None), ("1002", None, "1500", {"cash_flow_item": 17})])
            post(day.isoformat(), [("2001", "50000", None), ("1002", None, "50000", {"cash_flow_item": 16})])
        last = f"{p}-{28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31}"
        post(last, [("5602.05", "2000", None), ("1602", None, "2000")])
        post(last, [("2221.01.04", "2600", None), ("2221.02", None, "2600")])
        post(last, [("5403.03", "182", None), ("5403.07", "130", None), ("2221.05", None, "182"),
                    ("2221.06", None, "78"), ("2221.07", None, "52")])
        clock.at(2026, month + 1, 1) if month < 12 else clock.at(2027, 1, 1)
        services.close_period(period=p, actor=actor)


def test_opening_balances_show_year_start_ytd_and_opening_and_balance(books):
    summary = reports.opening_summary()
    assert summary["period"] == "2026-07" and summary["balanced"], [c for c in summary["checks"] if not c["ok"]]
    totals = summary["totals"]
    assert (totals["year_start_debit"], totals["year_start_credit"]) == (D("645000.00"), D("645000.00"))
    assert (totals["debit"], totals["credit"]) == (D("947692.00"), D("947692.00"))
    # the 5601.02 opening row moved into 5601.02.01 in October
    rows = {r["account"]: r for r in summary["rows"]}
    assert "5601.02" not in rows and rows["5601.02.01"]["ytd_debit"] == D("18000.00")
    assert rows["1002"]["debit"] == D("475692.00") and rows["1002"]["year_start_debit"] == D("300000.00")
    assert rows["3103"]["credit"] == D("105692.00") and rows["3103"]["year_start_credit"] == D("0.00")


def test_income_statement_year_to_date_includes_the_months_before_the_books(books):
    report = statements.income_statement("2026-12")
    assert ytd_and_month(report, 1, 2, 3, 6, 10, 11, 13, 14, 16, 18, 19, 21, 30, 32) == {
        1: (D("860000.00"), D("60000.00")),
        2: (D("516000.00"), D("36000.00")),
        3: (D("4680.00"), D("312.00")),
        6: (D("2730.00"), D("182.00")),
        10: (D("1950.00"), D("130.00")),
        11: (D("24000.00"), D("1000.00")),
        13: (D("24000.00"), D("1000.00")),
        14: (D("84800.00"), D("2000.00")),
        16: (D("5800.00"), D("0.00")),
        18: (D("3000.00"), D("1500.00")),
        19: (D("3000.00"), D("1500.00")),
        21: (D("227520.00"), D("19188.00")),
        30: (D("227520.00"), D("19188.00")),
        32: (D("227520.00"), D("19188.00")),
    }
    # July: 本年累计 = Jan–Jun 105,692 + July's 60,000 − 36,000 − 312 − 1,000 − 2,000 = 20,688
    assert lines(statements.income_statement("2026-07"))[32] == (D("126380.00"), D("20688.00"))


def test_balance_sheet_year_start_column_and_closing(books):
    found = {n: (cur, start) for n, (start, cur) in lines(statements.balance_sheet("2026-12")).items()}
    expected = {
        1: ("495232", "305000"), 4: ("126800", "40000"), 9: ("144000", "100000"), 12: ("144000", "100000"),
        15: ("766032", "445000"), 18: ("200000", "200000"), 19: ("74000", "50000"), 20: ("126000", "150000"),
        29: ("126000", "150000"), 30: ("892032", "595000"), 31: ("50000", "0"), 33: ("51600", "30000"),
        36: ("2912", "5000"), 41: ("104512", "35000"), 47: ("104512", "35000"), 48: ("500000", "500000"),
        51: ("287520", "60000"), 52: ("787520", "560000"), 53: ("892032", "595000"),
    }
    assert {n: found[n] for n in expected} == {n: (D(a), D(b)) for n, (a, b) in expected.items()}
    assert statements.balance_sheet("2026-12")["balanced"]
    # before the books start the 年初 column is all the company had; July shows the same 年初
    assert lines(statements.balance_sheet("2026-07"))[30][0] == D("595000.00")


def test_cash_flow_year_to_date_balances_from_the_year_start_cash(books):
    report = statements.cash_flow("2026-12")
    assert report["balanced"] and report["closing_cash"] == D("495232.00")
    expected = {1: ("885000", "60000"), 3: ("611200", "45200"), 5: ("45768", "2912"), 6: ("84800", "1000"),
                7: ("143232", "10888"), 14: ("100000", "0"), 16: ("50000", "50000"), 17: ("3000", "1500"),
                19: ("47000", "-51500"), 20: ("190232", "-40612"), 21: ("305000", "535844"),
                22: ("495232", "495232")}
    assert ytd_and_month(report, *expected) == {n: (D(a), D(b)) for n, (a, b) in expected.items()}


def test_trial_balance_year_to_date_counts_the_opening_accumulation(books):
    tb = reports.trial_balance("2026-12")
    assert tb["totals"]["balanced"]
    assert tb["totals"]["ytd_debit"] == tb["totals"]["ytd_credit"]
    rows = {r["code"]: r for r in tb["rows"]}
    # 5001: Jan–Jun 500,000 + six sales 360,000 credited, and as much debited by the 结转损益
    assert (rows["5001"]["ytd_debit"], rows["5001"]["ytd_credit"]) == (D("860000.00"), D("860000.00"))


def test_books_count_the_year_from_its_start(books):
    bank = reports.general_ledger(reports.account_by_code("1002"), 2026)
    assert [(r["period"], r["kind"]) for r in bank["rows"]][:2] == [("2026-07", "before_books"), ("2026-07", "month")]
    assert (bank["opening"], bank["rows"][0]["debit"], bank["rows"][0]["credit"], bank["rows"][0]["balance"]) == (
        D("300000.00"), D("625000.00"), D("449308.00"), D("475692.00"))
    december = bank["rows"][-1]
    # 625,000 + 6 × 60,000 in; 449,308 + 6 × 45,200 + 6,000 + 17,960 + 1,500 + 50,000 out
    assert (december["ytd_debit"], december["ytd_credit"], december["balance"]) == (
        D("985000.00"), D("795968.00"), D("489032.00"))

    office = reports.detail_ledger(reports.account_by_code("5602.05"), "2026-12", "2026-12")
    assert [(r["summary"], r["debit"], r["credit"], r["side"]) for r in office["rows"] if r["kind"] != "line"] == [
        ("本月合计", D("2000.00"), D("2000.00"), "平"), ("本年累计", D("79000.00"), D("79000.00"), "平")]

    admin = reports.multi_column_ledger(reports.account_by_code("5602"), "2026-07", "2026-12")
    # one column per seeded sub-account of 管理费用: 开办费, 业务招待费, 研究费用, 职工薪酬, 办公费, 折旧费, 其他
    assert [c.code for c in admin["columns"]] == ["5602.01", "5602.02", "5602.03", "5602.04", "5602.05", "5602.06",
                                                  "5602.99"]
    assert admin["total"] == [D("0"), D("800.00"), D("0"), D("0"), D("12000.00"), D("0"), D("0")]
    september = [r for r in admin["rows"] if r["kind"] == "month_total" and r["period"] == "2026-09"][0]
    assert (september["columns"], september["debit"], september["credit"]) == (
        [D("0"), D("800.00"), D("0"), D("0"), D("2000.00"), D("0"), D("0")], D("2800.00"), D("2800.00"))


def test_december_close_carries_the_year_and_2027_opens_with_it(books, clock, post, actor):
    year_end = Voucher.objects.get(kind="year_end")
    assert [(ln.account.code, ln.debit, ln.credit) for ln in year_end.lines.order_by("seq")] == [
        ("3103", D("227520.00"), D("0.00")), ("3104.01", D("0.00"), D("227520.00"))]
    tb = {r["code"]: r for r in reports.trial_balance("2026-12")["rows"]}
    assert "3103" not in tb or tb["3103"]["closing"] == D("0.00")
    assert tb["3104.01"]["closing"] == D("287520.00")

    # the year can still be reopened while nothing is posted in 2027
    clock.at(2027, 1, 5)
    services.reopen_period(period="2026-12", actor=actor, reason="补记一笔")
    services.close_period(period="2026-12", actor=actor)
    post("2027-01-05", [("5602.05", "100", None), ("1001", None, "100", {"cash_flow_item": 6})])
    jan = statements.balance_sheet("2027-01")
    dec = statements.balance_sheet("2026-12")
    assert [line["comparative"] for line in jan["lines"]] == [line["current"] for line in dec["lines"]]
    assert lines(statements.income_statement("2027-01"))[32] == (D("-100.00"), D("-100.00"))
    assert lines(statements.cash_flow("2027-01"))[21] == (D("495232.00"), D("495232.00"))

    with pytest.raises(DomainError) as refused:
        services.reopen_period(period="2026-12", actor=actor, reason="改错")
    assert refused.value.code == "next_year_posted"
    assert "2027" in refused.value.message and "记-0001" in refused.value.message
    assert Voucher.objects.filter(period__code="2026-12").count() == Voucher.objects.filter(
        period__code="2026-12", status="posted").count()


def test_adding_a_child_to_an_account_in_use_moves_its_balance(books):
    parent, child = Account.objects.get(code="5601.02"), Account.objects.get(code="5601.02.01")
    assert not parent.is_leaf and parent.moved_into_id == child.pk
    # the vouchers of July–September (three made, three 结转损益) still name 5601.02 (immutable); the books
    # count them on 5601.02.01
    assert sorted(Voucher.objects.filter(lines__account=parent).values_list("kind", flat=True)) == [
        "closing", "closing", "closing", "manual", "manual", "manual"]
    from sihe.ledger import balances

    assert balances.stored() == balances.computed_from_lines()
    from sihe.core.audit import history

    assert any(row.action == "move_balance" for row in history(parent))


@pytest.mark.parametrize("row, code", [
    ({"account": "1002", "year_start_debit": "100", "ytd_debit": "50", "debit": "120"}, "opening_mismatch"),
    ({"account": "5001", "credit": "100"}, "profit_loss_opening"),
])
def test_opening_rows_that_do_not_agree_are_refused(actor, row, code):
    with pytest.raises(DomainError) as refused:
        services.import_opening_balances(period="2026-07", rows=[row, {"account": "3001", "credit": "100"}],
                                         actor=actor)
    assert refused.value.code == code


def test_accumulated_amounts_profit_and_cash_flows_must_agree(actor):
    def refused_code(rows, **kw):
        with pytest.raises(DomainError) as refused:
            services.import_opening_balances(period="2026-07", rows=rows, actor=actor, **kw)
        return refused.value.code

    # 期初 balances (1,000 = 1,000) but the accumulated amounts do not (1,000 ≠ 900)
    assert refused_code([{"account": "1002", "ytd_debit": "1000", "debit": "1000"},
                         {"account": "3001", "ytd_credit": "900", "credit": "1000"}],
                        cash_flows={"15": "1000"}) == "ytd_unbalanced"
    # 本年利润 took 1,000 but the 损益类 accounts earned 900
    assert refused_code([{"account": "1002", "ytd_debit": "1000", "debit": "1000"}, {"account": "5001", "ytd_credit": "900"},
                         {"account": "3103", "ytd_credit": "1000", "credit": "1000"}],
                        cash_flows={"1": "1000"}) == "profit_mismatch"
    rows = [{"account": "1002", "ytd_debit": "1000", "debit": "1000"},
            {"account": "3001", "ytd_credit": "1000", "credit": "1000"}]
    assert refused_code(rows, cash_flows={"15": "800"}) == "cash_flow_mismatch"
    assert services.import_opening_balances(period="2026-07", rows=rows, actor=actor, cash_flows={"15": "1000"}) == 2


def test_the_pages_show_the_books_with_headings_order_and_separators(books, make_user):
    from django.test import Client

    from sihe.ledger import render

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user("accountant", "pages"))
    page = client.get("/ledger/statements/?kind=income-statement&period=2026-12").content.decode()
    # 本年累计金额 before 本月金额 (the appendix's order), thousands separators, the heading
    assert page.index("本年累计金额") < page.index("本月金额")
    assert "860,000.00" in page and "2026年12月" in page and "单位：元" in page and "编制单位" in page
    sheet = client.get("/ledger/statements/?kind=balance-sheet&period=2026-12").content.decode()
    assert "2026年12月31日" in sheet and "892,032.00" in sheet and "595,000.00" in sheet
    multi = client.get("/ledger/ledgers/?account=5602&period=2026-07&to=2026-12&kind=multi").content.decode()
    assert "多栏式明细账" in multi and "业务招待费" in multi and "12,000.00" in multi
    opening = client.get("/ledger/opening/").content.decode()
    assert "947,692.00" in opening and "645,000.00" in opening
    pdf = render.statement_table(statements.cash_flow("2026-12"), company="示例商贸有限公司")
    assert pdf.headers == ["项目", "行次", "本年累计金额", "本月金额"]
    assert "编制单位：示例商贸有限公司" in pdf.subtitle and "2026年12月" in pdf.subtitle
    assert client.get("/ledger/ledgers/?account=5602&period=2026-07&to=2026-12&kind=multi&format=xlsx").content[:2] == b"PK"


def test_a_mid_year_workbook_from_the_page_fills_year_start_and_ytd(make_user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from openpyxl import Workbook

    from sihe.ledger import opening

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user("accountant", "upload"))
    book = Workbook()
    for row in opening.template_rows():
        book.active.append(row)
    flows = book.create_sheet("现金流量")
    flows.append(["现金流量项目行次", "本年累计金额"])
    out = io.BytesIO()
    book.save(out)
    response = client.post("/ledger/opening/", {"period": "2026-07",
                                                 "file": SimpleUploadedFile("opening.xlsx", out.getvalue())})
    assert response.status_code == 302, response.content.decode()[:2000]
    summary = reports.opening_summary()
    assert summary["balanced"] and summary["totals"]["debit"] == D("100000.00")
    income = lines(statements.income_statement("2026-07"))
    assert (income[1][0], income[14][0], income[32][0]) == (D("20000.00"), D("20000.00"), D("0.00"))


def test_books_opened_late_in_the_year_without_ytd_balance_their_cash_flow(actor, post, clock):
    """The demo's case: openings in 2026-12 with no 本年累计. 03表 本年累计 line 21 used to read 0.00 and
    line 22 only the month's −802.87 against cash 1,267,197.13; 年初余额 was all zero."""
    clock.at(2026, 12, 6)
    services.import_opening_balances(period="2026-12", actor=actor, rows=[
        {"account": "1001", "debit": "18000"}, {"account": "1002", "debit": "1250000"},
        {"account": "1601", "debit": "186000"}, {"account": "3001", "credit": "1200000"},
        {"account": "3104.01", "credit": "254000"}])
    post("2026-12-06", [("2202.01", "802.87", None, {"partner": "S01"}), ("1002", None, "802.87", {"cash_flow_item": 3})])
    cash = statements.cash_flow("2026-12")
    assert cash["balanced"] and cash["closing_cash"] == D("1267197.13")
    assert ytd_and_month(cash, 20, 21, 22) == {20: (D("-802.87"), D("-802.87")), 21: (D("1268000.00"), D("1268000.00")),
                                               22: (D("1267197.13"), D("1267197.13"))}
    sheet = lines(statements.balance_sheet("2026-12"))
    assert (sheet[1][0], sheet[30][0], sheet[53][0]) == (D("1268000.00"), D("1454000.00"), D("1454000.00"))
