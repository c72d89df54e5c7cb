"""The same half-year (tests/ledger/halfyear.py) of a 小规模纳税人 at 征收率 3 % (city: 城建税 7 %): 应交增值税 is one
account (no 专栏), sales carry 3 %, the supplier's 专票 at 13 % is not deductible (its tax is the goods' cost),
VAT is paid by the quarter, surcharges accrued each month at half (六税两费减半, from July: the Jan–Jun figures are
the old books' as they were). Figures worked out by hand (yuan):

年初余额 2026-01-01: 1001 2,000 · 1002 250,000 / 3001 200,000 · 3104.01 52,000 (Dr = Cr = 252,000).

本年累计 Jan–Jun (the old books): sales 5001 Cr 100,000 + 2221.01 Cr 3,000 (3 %), collected 1002 Dr 103,000 (CF 1);
  goods bought and sold 5401 Dr 67,800 (tax included), paid (CF 3); rent 5602 Dr 12,000 (CF 6); surcharges
  12 % of 3,000 = 360 (城建 210 → 5403.03, 教育 90 + 地方 60 → 5403.07) to 2221.05/06/07; Q1's VAT 1,500 and
  surcharges 105 + 45 + 30 paid in April (CF 5 1,680); 3103 Dr 67,800 + 12,000 + 360 = 80,160 / Cr 100,000:
  profit Jan–Jun 19,840. 1002: 250,000 + 103,000 − 67,800 − 12,000 − 1,680 = 271,520.
期初余额 2026-07-01: 1001 2,000 · 1002 271,520 · 2221.01 1,500 Cr (Q2's VAT) · 2221.05 105 · 2221.06 45 · 2221.07 30 Cr ·
  3001 200,000 · 3104.01 52,000 · 3103 19,840 Cr (Dr = Cr = 273,520).

Every month Jul–Dec:
  03 rent 1,000 (管理部) from the bank (CF 6);
  05 a PO of 120 T-shirts at 40.00 received (暂估 4,800); 08 the supplier's 专票 4,800 + 624 (13 %) = 5,424, not
     deductible: Dr 2202.02 4,800 + 5401 624 / Cr 2202.01 5,424; the 120 are all still in stock, so 入库成本调整
     puts the 624 into them (小企业会计准则 第十二条): Dr 1405 624 / Cr 5401 624 — the stock on hand (July 120,
     later 20 + 120) is at 45.20 a T-shirt ((20 × 45.20 + 4,800 + 624) / 140 = 45.20);
  12 a dealer order of 100 at 66.95 shipped and invoiced (3 %): Dr 1122 6,695 / Cr 5001 6,500 + 2221.01 195;
     cost 100 × 45.20 = 4,520 (5401: 624 − 624 + 4,520);
  20 the dealer pays 6,695 (CF 1); 25 the supplier is paid 5,424 (CF 3);
  month-end: surcharges on the 195, less the 六税两费 减征额 (50 %, rounded half up to the fen as the 附加税费申报表
     does): 城建 13.65 − 6.83 = 6.82 (5403.03), 教育 5.85 − 2.93 = 2.92 and 地方 3.90 − 1.95 = 1.95 (5403.07, 4.87):
     11.69; nothing to carry out (one account).
  Taxes paid (CF 5): July Q2's 1,500 + 105 + 45 + 30 = 1,680; October Q3's 3 × 195 = 585 + 20.46 + 8.76 + 5.85 =
  620.07.
Fixed assets as the general taxpayer's: 服务器 12,000 (190.00 a month → 5602), 厢式货车 40,000 (0.19 a km → 5601:
  Aug–Dec 380 + 760 + 380 + 380 + 380 = 2,280), bought 07-01 from the bank (CF 12 52,000).
July's bank statement (农业银行 CSV): every July movement of 1002 but the supplier's 5,424, and a fee of 15.00 (booked 08-01).
  Book 271,520 − 52,000 − 1,000 − 1,680 + 6,695 − 5,424 = 218,111; bank 271,520 − 52,000 − 1,000 − 1,680 + 6,695 −
  15 = 223,520; 调节表 218,111 − 15 = 218,096 = 223,520 − 5,424.

利润表 2026-12 (本年累计 / 本月):
  1 营业收入 100,000 + 6 × 6,500 = 139,000 / 6,500 · 2 营业成本 67,800 + 6 × 4,520 = 94,920 / 4,520 ·
  3 税金及附加 360 + 6 × 11.69 = 430.14 / 11.69 (6 城建 210 + 40.92 = 250.92 / 6.82; 10 教育费附加 150 + 29.22 =
  179.22 / 4.87) · 11 销售费用 2,280 / 380 · 14 管理费用 12,000 + 6,000 + 950 = 18,950 / 1,190 · 18 财务费用 15 / 0 ·
  21 = 30 = 32 净利润 139,000 − 94,920 − 430.14 − 2,280 − 18,950 − 15 = 22,404.86 /
  6,500 − 4,520 − 11.69 − 380 − 1,190 = 398.31 (Jul–Dec 2,564.86).
资产负债表 2026-12-31 (年初 / 期末):
  1002 271,520 + 6 × 6,695 − 52,000 − 6,000 − 6 × 5,424 − 1,680 − 620.07 − 15 = 218,830.93;
  1 货币资金 252,000 / 220,830.93 · 9 = 12 库存商品 0 / 120 × 45.20 = 5,424 · 15 252,000 / 226,254.93 ·
  18 0 / 52,000 · 19 0 / 3,230 · 20 = 29 0 / 48,770 · 30 252,000 / 275,024.93 · 36 应交税费 0 / Q4's 585 + 35.07 =
  620.07 · 41 = 47 0 / 620.07 · 48 200,000 / 200,000 · 51 未分配利润 52,000 / 52,000 + 22,404.86 = 74,404.86 ·
  52 252,000 / 274,404.86 · 53 252,000 / 275,024.93.
现金流量表 2026-12 (本年累计 / 本月):
  1 103,000 + 6 × 6,695 = 143,170 / 6,695 · 3 67,800 + 6 × 5,424 = 100,344 / 5,424 ·
  5 1,680 + 1,680 + 620.07 = 3,980.07 / 0 · 6 12,000 + 6,000 + 15 = 18,015 / 1,000 ·
  7 143,170 − 100,344 − 3,980.07 − 18,015 = 20,830.93 / 271 · 12 52,000 / 0 · 13 −52,000 / 0 ·
  20 −31,169.07 / 271 · 21 252,000 / 220,559.93 · 22 220,830.93 / 220,830.93.
年末: 结转本年利润 Dr 3103 22,404.86 / Cr 3104.01 22,404.86.
"""

from decimal import Decimal

import pytest

from sihe.ledger import reports, statements
from sihe.ledger.models import Account, Voucher
from sihe.ledger.vat import selectors as vat_selectors
from tests.ledger.halfyear import (
    HalfYear,
    amounts,
    bank_csv,
    full_close_checks,
    has_leaf,
    keep_papers,
    leaf,
    lines,
    voucher_lines,
)

D = Decimal
CASH_FLOWS = {"1": "103000", "3": "67800", "5": "1680", "6": "12000"}


def opening_rows() -> list[dict]:
    uct, edu = leaf("5403.03", "5403"), leaf("5403.07", "5403")
    taxes = ([{"account": uct, "ytd_debit": "210"}, {"account": edu, "ytd_debit": "150"}] if uct != edu
             else [{"account": uct, "ytd_debit": "360"}])
    return [
        {"account": "1001", "year_start_debit": "2000", "debit": "2000"},
        {"account": "1002", "year_start_debit": "250000", "ytd_debit": "103000", "ytd_credit": "81480"},
        {"account": "2221.01", "ytd_debit": "1500", "ytd_credit": "3000", "credit": "1500"},
        {"account": "2221.05", "ytd_debit": "105", "ytd_credit": "210", "credit": "105"},
        {"account": "2221.06", "ytd_debit": "45", "ytd_credit": "90", "credit": "45"},
        {"account": "2221.07", "ytd_debit": "30", "ytd_credit": "60", "credit": "30"},
        {"account": "3001", "year_start_credit": "200000", "credit": "200000"},
        {"account": "3104.01", "year_start_credit": "52000", "credit": "52000"},
        {"account": "3103", "ytd_debit": "80160", "ytd_credit": "100000", "credit": "19840"},
        {"account": "5001", "ytd_credit": "100000"},
        {"account": "5401", "ytd_debit": "67800"},
        {"account": leaf("5602.99", "5602"), "ytd_debit": "12000"},
        *taxes,
    ]


# VAT by the quarter: Q2's in July, Q3's in October (the month after the quarter)
TAXES = {7: [("2221.01", "1500"), ("2221.05", "105"), ("2221.06", "45"), ("2221.07", "30")],
         10: [("2221.01", "585"), ("2221.05", "20.46"), ("2221.06", "8.76"), ("2221.07", "5.85")]}


# July as the bank saw it (农业银行 CSV): the two assets, the rent, Q2's taxes, the dealer's 6,695 and the bank's
# fee of 15.00; not the supplier's 5,424 of 07-25
STATEMENT = bank_csv("abc", [
    ("2026-07-01", "ABC0701001", "12000.00", ""), ("2026-07-01", "ABC0701002", "40000.00", ""),
    ("2026-07-03", "ABC0703001", "1000.00", ""), ("2026-07-10", "ABC0710001", "1500.00", ""),
    ("2026-07-10", "ABC0710002", "105.00", ""), ("2026-07-10", "ABC0710003", "45.00", ""),
    ("2026-07-10", "ABC0710004", "30.00", ""), ("2026-07-20", "ABC0720001", "", "6695.00"),
    ("2026-07-31", "FEE0731", "15.00", "")], opening="271520.00")


@pytest.fixture
def story(clock, monkeypatch, db):
    checks = full_close_checks(monkeypatch)
    year = HalfYear(clock, small=True, opening=opening_rows(), cash_flows=CASH_FLOWS, sell_price="66.95")
    year.run(monthly_taxes=TAXES, collect="6695", pay="5424", statement=STATEMENT)
    year.checks = checks
    return year


def test_a_small_scale_taxpayers_half_year_to_the_fen(story):
    """One story (the half-year runs once): each step's figures, then the three statements of December line
    by line — every line not named is 0.00 in both columns — and the year-end."""
    one_vat_account_and_the_opening(story)
    every_month_closes_with_the_whole_checklist(story)
    input_vat_is_cost_and_sales_carry_the_levy_rate(story)
    july_bank_statement_reconciles(story)
    income_statement_december(story)
    balance_sheet_december_end_and_year_start(story)
    cash_flow_december(story)
    keep_the_papers(story)
    year_end_carries_the_profit_to_retained_earnings(story)


def one_vat_account_and_the_opening(story):
    vat = Account.objects.get(code="2221.01")
    assert vat.is_leaf and vat.role == "vat_payable"
    assert not Account.objects.filter(code__startswith="2221.01.").exists()
    summary = reports.opening_summary()
    assert summary["period"] == "2026-07" and summary["balanced"], [c for c in summary["checks"] if not c["ok"]]
    totals = summary["totals"]
    assert (totals["year_start_debit"], totals["year_start_credit"]) == (D("252000.00"), D("252000.00"))
    assert (totals["debit"], totals["credit"]) == (D("273520.00"), D("273520.00"))
    # July: 6,500 − 4,520 − 11.69 − rent 1,000 = 968.31; 本年累计 19,840 + 968.31
    assert lines(statements.income_statement("2026-07"))[32] == (D("20808.31"), D("968.31"))


def every_month_closes_with_the_whole_checklist(story):
    assert list(story.closed) == [f"2026-{m:02d}" for m in range(7, 13)]
    for period, result in story.closed.items():
        assert result["status"] == "closed", period
        assert set(story.checks) <= {c["code"] for c in result["checks"]}, period
        assert all(c["ok"] for c in result["checks"]), (period, [c for c in result["checks"] if not c["ok"]])
        assert statements.balance_sheet(period)["balanced"] and statements.cash_flow(period)["balanced"], period
        vat_month = vat_selectors.month(period)
        assert not vat_month["general"] and vat_month["vat_incurred"] == D("195.00")
        assert vat_month["surcharge_relief"]
        assert vat_month["surcharges_accrued"] == {"uct_payable": D("6.82"), "edu_payable": D("2.92"),
                                                   "local_edu_payable": D("1.95")}
    # the months' 本月 净利润 add up to the half-year's profit (本年累计 less Jan–Jun)
    assert sum(lines(statements.income_statement(p))[32][1] for p in story.closed) == D("2564.86")
    # nothing to carry out for a small-scale taxpayer: December's early close was refused for the depreciation
    # and for the surcharges (December ends the quarter: every month of it must have its 附加税 accrued)
    assert story.refused == ["depreciation_run", "vat_surcharges"]
    december = {c["code"]: c for c in story.closed["2026-12"]["checks"]}["vat_surcharges"]
    assert december["ok"] and "585.00" in december["detail"] and "35.07" in december["detail"]
    assert not Voucher.objects.filter(rule="vat.carry_out").exists()


def input_vat_is_cost_and_sales_carry_the_levy_rate(story):
    invoice = story.invoices[9]
    invoice.refresh_from_db()
    assert (invoice.vat_type, invoice.deductible, invoice.tax, invoice.certified_on) == (
        "special", False, D("624.00"), None)
    assert [(code, d, c) for code, _dep, d, c in voucher_lines(invoice.voucher_id)] == [
        ("2202.02", D("4800.00"), D("0.00")), ("5401", D("624.00"), D("0.00")), ("2202.01", D("0.00"), D("5424.00"))]
    # the tax is the T-shirts' cost: all 120 are in stock on the 8th, so all of it goes into them
    adjustment = Voucher.objects.get(source_type="valuation_layer", date=invoice.invoice_date)
    assert [(code, d, c) for code, _dep, d, c in voucher_lines(adjustment.pk)] == [
        ("1405", D("624.00"), D("0.00")), ("5401", D("0.00"), D("624.00"))]
    order, sales_invoice = story.orders[9]
    assert (sales_invoice.total, sales_invoice.tax) == (D("6695.00"), D("195.00"))
    revenue = Voucher.objects.filter(source_type="oms.order", source_id=str(order.pk)).order_by("id").first()
    assert sorted((code, d, c) for code, _dep, d, c in voucher_lines(revenue.pk)) == sorted([
        ("1122", D("6695.00"), D("0.00")), ("5001", D("0.00"), D("6500.00")), ("2221.01", D("0.00"), D("195.00"))])


def july_bank_statement_reconciles(story):
    assert (story.statement.layout, story.statement.lines_read, story.matched) == ("abc", 9, 8)
    result = story.reconciliation
    assert (result["book_balance"], result["bank_balance"]) == (D("218111.00"), D("223520.00"))
    assert result["totals"] == {"bank_in": D("0"), "bank_out": D("15.00"), "book_in": D("0"),
                                "book_out": D("5424.00")}
    assert result["adjusted_book"] == result["adjusted_bank"] == D("218096.00")
    assert result["balanced"]


def income_statement_december(story):
    report = statements.income_statement("2026-12")
    expected = {1: ("139000", "6500"), 2: ("94920", "4520"), 3: ("430.14", "11.69"), 11: ("2280", "380"),
                14: ("18950", "1190"), 18: ("15", "0"), 21: ("22404.86", "398.31"), 30: ("22404.86", "398.31"),
                32: ("22404.86", "398.31")}
    if has_leaf("5403.03") and has_leaf("5403.07"):  # the 其中 lines read the role sub-accounts
        expected.update({6: ("250.92", "6.82"), 10: ("179.22", "4.87")})
    found, wanted = amounts(report, expected)
    assert found == wanted


def balance_sheet_december_end_and_year_start(story):
    report = statements.balance_sheet("2026-12")
    assert report["balanced"]
    expected = {1: ("252000", "220830.93"), 9: ("0", "5424"), 12: ("0", "5424"), 15: ("252000", "226254.93"),
                18: ("0", "52000"), 19: ("0", "3230"), 20: ("0", "48770"), 29: ("0", "48770"),
                30: ("252000", "275024.93"), 36: ("0", "620.07"), 41: ("0", "620.07"), 47: ("0", "620.07"),
                48: ("200000", "200000"), 51: ("52000", "74404.86"), 52: ("252000", "274404.86"),
                53: ("252000", "275024.93")}
    found, wanted = amounts(report, expected)
    assert found == wanted


def cash_flow_december(story):
    report = statements.cash_flow("2026-12")
    assert report["balanced"] and report["closing_cash"] == D("220830.93")
    expected = {1: ("143170", "6695"), 3: ("100344", "5424"), 5: ("3980.07", "0"), 6: ("18015", "1000"),
                7: ("20830.93", "271"), 12: ("52000", "0"), 13: ("-52000", "0"), 20: ("-31169.07", "271"),
                21: ("252000", "220559.93"), 22: ("220830.93", "220830.93")}
    found, wanted = amounts(report, expected)
    assert found == wanted


def keep_the_papers(story):
    """December's statements, September's 入库成本调整 and December's 附加税 as printed (see halfyear.keep_papers)."""
    invoice = story.invoices[9]
    keep_papers({"voucher-revaluation-2026-09": Voucher.objects.get(source_type="valuation_layer",
                                                                    date=invoice.invoice_date),
                 "voucher-surcharges-2026-12": Voucher.objects.filter(memo__startswith="2026-12 计提附加税").get()},
                company="四合半年示范有限公司", prefix="small-")


def year_end_carries_the_profit_to_retained_earnings(story):
    year_end = Voucher.objects.get(kind="year_end")
    assert [(ln.account.code, ln.debit, ln.credit) for ln in year_end.lines.order_by("seq")] == [
        ("3103", D("22404.86"), D("0.00")), ("3104.01", D("0.00"), D("22404.86"))]
    tb = {r["code"]: r for r in reports.trial_balance("2026-12")["rows"]}
    assert tb["3104.01"]["closing"] == D("74404.86")
    assert tb["2221.01"]["closing"] == D("585.00")  # Q4's VAT, paid in January
    jan = statements.balance_sheet("2027-01")
    assert [ln["comparative"] for ln in jan["lines"]] == [ln["current"] for ln in statements.balance_sheet(
        "2026-12")["lines"]]
