"""A 一般纳税人 (13 %, city: 城建税 7 %) that starts its books in Sihe in 2026-07, runs July–December through
the wings (tests/ledger/halfyear.py), closes every month with the whole checklist, closes the year and
carries its profit to 利润分配—未分配利润. Figures worked out by hand (yuan):

年初余额 2026-01-01: 1001 2,000 · 1002 250,000 / 3001 200,000 · 3104.01 52,000 (Dr = Cr = 252,000).

本年累计 Jan–Jun (the old books, no receivable, payable or stock left at 06-30):
  sales 5001 Cr 100,000 + 2221.01.06 Cr 13,000, collected 1002 Dr 113,000 (CF 1);
  goods bought and sold 5401 Dr 60,000 + 2221.01.01 Dr 7,800, paid 1002 Cr 67,800 (CF 3);
  rent 5602 Dr 12,000 from 1002 (CF 6); 转出未交增值税 2221.01.04 Dr 5,200 / 2221.02 Cr 5,200;
  VAT paid 2221.02 Dr 4,500 (Jan–May); surcharges 12 % of 5,200 = 624 (城建 364 → 5403.03, 教育 156 + 地方 104
  → 5403.07) to 2221.05/06/07, 540 of them paid (315 / 135 / 90) — CF 5 4,500 + 540 = 5,040;
  3103 Dr 60,000 + 12,000 + 624 = 72,624 / Cr 100,000: profit Jan–Jun 27,376.
  1002: 250,000 + 113,000 − 67,800 − 12,000 − 4,500 − 540 = 278,160; CF net 113,000 − 67,800 − 5,040 − 12,000 =
  28,160 ✓.
期初余额 2026-07-01: 1001 2,000 · 1002 278,160 · 2221.01.01 7,800 Dr · 2221.01.04 5,200 Dr · 2221.01.06 13,000 Cr ·
  2221.02 700 Cr (June's VAT) · 2221.05 49 · 2221.06 21 · 2221.07 14 Cr · 3001 200,000 · 3104.01 52,000 ·
  3103 27,376 Cr (Dr = Cr = 293,160).

Every month Jul–Dec:
  03 rent 1,000 (管理部) from the bank (CF 6);
  05 a PO of 120 T-shirts at 40.00 received: Dr 1405 4,800 / Cr 2202.02 4,800 (暂估);
  08 the supplier's 专票 4,800 + 624 = 5,424: Dr 2202.02 4,800 + 2221.09 待认证 624 / Cr 2202.01 5,424;
  12 a dealer order of 100 at 67.80 shipped and invoiced: Dr 1122 6,780 / Cr 5001 6,000 + 2221.01.06 780;
     cost 100 × 40.00 = 4,000 (Dr 5401 / Cr 1405);
  15 勾选认证: Dr 2221.01.01 624 / Cr 2221.09 624;
  20 the dealer pays 6,780 (CF 1); 25 the supplier is paid 5,424 (CF 3);
  month-end: 转出未交增值税 780 − 624 = 156; surcharges 156 × 7 % = 10.92 (5403.03), × 3 % = 4.68 and × 2 % = 3.12
     (5403.07): 18.72.
  10 last month's taxes paid (CF 5): July 700 + 49 + 21 + 14 = 784; Aug–Dec 156 + 10.92 + 4.68 + 3.12 = 174.72.
Fixed assets, bought 07-01 from the bank (CF 12): 服务器 12,000 (管理部, straight-line, 60 months, 5 % residual):
  11,400 ÷ 60 = 190.00 a month → 5602 (折旧费); 厢式货车 40,000 (销售部, workload 200,000 km, 5 %): 38,000 ÷ 200,000 =
  0.19 a km → 5601 (折旧费): Aug 2,000 km 380, Sep 4,000 km 760, Oct–Dec 2,000 km 380 each = 2,280. Nothing in
  July (当月增加当月不提); the PC's Aug–Dec 950.
July's bank statement (工商银行 CSV): every July movement of 1002 but the supplier's 5,424 (企付银未付), and a fee
  of 15.00 on 07-31 the books book on 08-01 (银付企未付, 5603, CF 6). 07-31 book 278,160 − 52,000 − 1,000 − 784 +
  6,780 − 5,424 = 225,732; bank 278,160 − 52,000 − 1,000 − 784 + 6,780 − 15 = 231,141;
  调节表 225,732 − 15 = 225,717 = 231,141 − 5,424.

利润表 2026-12 (本年累计 / 本月):
  1 营业收入 100,000 + 6 × 6,000 = 136,000 / 6,000 · 2 营业成本 60,000 + 6 × 4,000 = 84,000 / 4,000 ·
  3 税金及附加 624 + 6 × 18.72 = 736.32 / 18.72 (6 城建 364 + 65.52 = 429.52 / 10.92; 10 教育费附加 260 + 46.80 =
  306.80 / 7.80) · 11 销售费用 2,280 / 380 · 14 管理费用 12,000 + 6,000 + 950 = 18,950 / 1,000 + 190 = 1,190 ·
  18 财务费用 15 / 0 · 21 = 30 = 32 净利润 136,000 − 84,000 − 736.32 − 2,280 − 18,950 − 15 = 30,018.68 /
  6,000 − 4,000 − 18.72 − 380 − 1,190 = 411.28 (Jul–Dec 2,642.68 = 30,018.68 − 27,376).
资产负债表 2026-12-31 (期末 / 年初):
  1002 278,160 + 6 × 6,780 − 52,000 − 6,000 − 6 × 5,424 − 784 − 5 × 174.72 − 15 = 226,623.40;
  1 货币资金 228,623.40 / 252,000 · 4 应收账款 0 / 0 · 9 = 12 库存商品 6 × (4,800 − 4,000) = 4,800 / 0 ·
  15 流动资产合计 233,423.40 / 252,000 · 18 原价 52,000 / 0 · 19 累计折旧 950 + 2,280 = 3,230 / 0 · 20 = 29 48,770 / 0 ·
  30 资产总计 282,193.40 / 252,000 · 33 应付账款 0 · 36 应交税费 December's 156 + 18.72 = 174.72 / 0 ·
  41 = 47 174.72 / 0 · 48 实收资本 200,000 / 200,000 · 51 未分配利润 52,000 + 30,018.68 = 82,018.68 / 52,000 ·
  52 282,018.68 / 252,000 · 53 282,193.40 / 252,000.
现金流量表 2026-12 (本年累计 / 本月):
  1 113,000 + 6 × 6,780 = 153,680 / 6,780 · 3 67,800 + 6 × 5,424 = 100,344 / 5,424 ·
  5 5,040 + 784 + 5 × 174.72 = 6,697.60 / 174.72 · 6 12,000 + 6,000 + 15 = 18,015 / 1,000 ·
  7 153,680 − 100,344 − 6,697.60 − 18,015 = 28,623.40 / 181.28 · 12 52,000 / 0 · 13 −52,000 / 0 ·
  20 −23,376.60 / 181.28 · 21 年初 252,000 / 228,442.12 · 22 228,623.40 / 228,623.40.
年末: 结转本年利润 Dr 3103 30,018.68 / Cr 3104.01 30,018.68; 3104.01 ends at 82,018.68.
"""

from decimal import Decimal

import pytest

from sihe.ledger import reports, statements
from sihe.ledger.models import Voucher
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
CASH_FLOWS = {"1": "113000", "3": "67800", "5": "5040", "6": "12000"}


def opening_rows() -> list[dict]:
    uct, edu = leaf("5403.03", "5403"), leaf("5403.07", "5403")
    taxes = ([{"account": uct, "ytd_debit": "364"}, {"account": edu, "ytd_debit": "260"}] if uct != edu
             else [{"account": uct, "ytd_debit": "624"}])
    return [
        {"account": "1001", "year_start_debit": "2000", "debit": "2000"},
        {"account": "1002", "year_start_debit": "250000", "ytd_debit": "113000", "ytd_credit": "84840"},
        {"account": "2221.01.01", "ytd_debit": "7800", "debit": "7800"},
        {"account": "2221.01.04", "ytd_debit": "5200", "debit": "5200"},
        {"account": "2221.01.06", "ytd_credit": "13000", "credit": "13000"},
        {"account": "2221.02", "ytd_debit": "4500", "ytd_credit": "5200", "credit": "700"},
        {"account": "2221.05", "ytd_debit": "315", "ytd_credit": "364", "credit": "49"},
        {"account": "2221.06", "ytd_debit": "135", "ytd_credit": "156", "credit": "21"},
        {"account": "2221.07", "ytd_debit": "90", "ytd_credit": "104", "credit": "14"},
        {"account": "3001", "year_start_credit": "200000", "credit": "200000"},
        {"account": "3104.01", "year_start_credit": "52000", "credit": "52000"},
        {"account": "3103", "ytd_debit": "72624", "ytd_credit": "100000", "credit": "27376"},
        {"account": "5001", "ytd_credit": "100000"},
        {"account": "5401", "ytd_debit": "60000"},
        {"account": leaf("5602.99", "5602"), "ytd_debit": "12000"},
        *taxes,
    ]


TAXES = {7: [("2221.02", "700"), ("2221.05", "49"), ("2221.06", "21"), ("2221.07", "14")],
         **{m: [("2221.02", "156"), ("2221.05", "10.92"), ("2221.06", "4.68"), ("2221.07", "3.12")]
            for m in range(8, 13)}}


# July as the bank saw it (工商银行 CSV): the two assets, the rent, June's taxes, the dealer's 6,780 and the
# bank's fee of 15.00; not the supplier's 5,424 of 07-25 (still in the clearing)
STATEMENT = bank_csv("icbc", [
    ("2026-07-01", "ICBC0701001", "12000.00", ""), ("2026-07-01", "ICBC0701002", "40000.00", ""),
    ("2026-07-03", "ICBC0703001", "1000.00", ""), ("2026-07-10", "ICBC0710001", "700.00", ""),
    ("2026-07-10", "ICBC0710002", "49.00", ""), ("2026-07-10", "ICBC0710003", "21.00", ""),
    ("2026-07-10", "ICBC0710004", "14.00", ""), ("2026-07-20", "ICBC0720001", "", "6780.00"),
    ("2026-07-31", "FEE0731", "15.00", "")], opening="278160.00")


@pytest.fixture
def story(clock, monkeypatch, db):
    checks = full_close_checks(monkeypatch)
    year = HalfYear(clock, small=False, opening=opening_rows(), cash_flows=CASH_FLOWS, sell_price="67.80")
    year.run(monthly_taxes=TAXES, collect="6780", pay="5424", statement=STATEMENT)
    year.checks = checks
    return year


def test_a_general_taxpayers_half_year_to_the_fen(story):
    """One story (the half-year runs once): each step's figures, then the three statements of December line
    by line — every line not named is 0.00 in both columns — and the year-end."""
    opening_balances_balance(story)
    every_month_closes_with_the_whole_checklist(story)
    purchases_wait_for_certification_then_become_input_vat(story)
    depreciation_by_department_each_month(story)
    july_bank_statement_reconciles(story)
    income_statement_december(story)
    balance_sheet_december_end_and_year_start(story)
    cash_flow_december(story)
    keep_the_papers(story)
    year_end_carries_the_profit_to_retained_earnings(story)


def keep_the_papers(story):
    """December's three statements and the September depreciation voucher as printed (see halfyear.keep_papers)."""
    keep_papers({"voucher-depreciation-2026-09": Voucher.objects.get(pk=story.runs[9].voucher_id)})


def opening_balances_balance(story):
    summary = reports.opening_summary()
    assert summary["period"] == "2026-07" and summary["balanced"], [c for c in summary["checks"] if not c["ok"]]
    totals = summary["totals"]
    assert (totals["year_start_debit"], totals["year_start_credit"]) == (D("252000.00"), D("252000.00"))
    assert (totals["debit"], totals["credit"]) == (D("293160.00"), D("293160.00"))
    # July's 01表 shows the same 年初 as December's; its 02表 本年累计 starts from Jan–Jun's 27,376
    assert lines(statements.balance_sheet("2026-07"))[30][0] == D("252000.00")
    # July: 6,000 − 4,000 − 18.72 − rent 1,000 = 981.28 (no depreciation in the month of purchase)
    assert lines(statements.income_statement("2026-07"))[32] == (D("28357.28"), D("981.28"))


def purchases_wait_for_certification_then_become_input_vat(story):
    invoice = story.invoices[9]
    invoice.refresh_from_db()
    assert (invoice.vat_type, invoice.deductible, invoice.net, invoice.tax, invoice.total) == (
        "special", True, D("4800.00"), D("624.00"), D("5424.00"))
    assert invoice.certified_on.isoformat() == "2026-09-15"
    assert [(code, d, c) for code, _dep, d, c in voucher_lines(invoice.voucher_id)] == [
        ("2202.02", D("4800.00"), D("0.00")), ("2221.09", D("624.00"), D("0.00")), ("2202.01", D("0.00"), D("5424.00"))]
    assert [(code, d, c) for code, _dep, d, c in voucher_lines(invoice.certify_voucher_id)] == [
        ("2221.01.01", D("624.00"), D("0.00")), ("2221.09", D("0.00"), D("624.00"))]
    order, sales_invoice = story.orders[9]
    order.refresh_from_db()
    assert (sales_invoice.total, order.revenue_total) == (D("6780.00"), D("6780.00"))


def every_month_closes_with_the_whole_checklist(story):
    assert list(story.closed) == [f"2026-{m:02d}" for m in range(7, 13)]
    for period, result in story.closed.items():
        assert result["status"] == "closed", period
        done = {c["code"]: c for c in result["checks"]}
        assert set(story.checks) <= set(done), period
        assert all(c["ok"] for c in result["checks"]), (period, [c for c in result["checks"] if not c["ok"]])
        assert statements.balance_sheet(period)["balanced"] and statements.cash_flow(period)["balanced"], period
    # the months' 本月 净利润 add up to the half-year's profit (本年累计 less Jan–Jun)
    assert sum(lines(statements.income_statement(p))[32][1] for p in story.closed) == D("2642.68")
    # December closed before its depreciation and VAT month-end was refused, naming the three steps
    assert story.refused == ["depreciation_run", "vat_carried_out", "vat_surcharges"]
    # the VAT steps really ran: each month 156.00 carried out and 18.72 of surcharges accrued
    for month in range(7, 13):
        vat_month = vat_selectors.month(f"2026-{month:02d}")
        assert (vat_month["output"], vat_month["input"], vat_month["pending_input"]) == (
            D("780.00"), D("624.00"), D("0.00"))
        assert (vat_month["carried_out"], vat_month["to_carry_out"]) == (D("156.00"), D("0.00"))
        assert vat_month["surcharges_accrued"] == {"uct_payable": D("10.92"), "edu_payable": D("4.68"),
                                                   "local_edu_payable": D("3.12")}


def depreciation_by_department_each_month(story):
    totals = {m: run.total for m, run in story.runs.items()}
    assert totals == {7: D("0.00"), 8: D("570.00"), 9: D("950.00"), 10: D("570.00"), 11: D("570.00"),
                      12: D("570.00")}
    admin, selling = leaf("5602.06", "5602"), leaf("5601.06", "5601")
    # September: the truck's 4,000 km (760.00) to 销售部, the server's 190.00 to 管理部, 950.00 to 累计折旧
    assert sorted(voucher_lines(story.runs[9].voucher_id)) == sorted([
        (selling, "销售部", D("760.00"), D("0.00")), (admin, "管理部", D("190.00"), D("0.00")),
        ("1602", "", D("0.00"), D("950.00"))])


def july_bank_statement_reconciles(story):
    assert (story.statement.layout, story.statement.lines_read, story.matched) == ("icbc", 9, 8)
    result = story.reconciliation
    assert (result["book_balance"], result["bank_balance"]) == (D("225732.00"), D("231141.00"))
    assert result["totals"] == {"bank_in": D("0"), "bank_out": D("15.00"), "book_in": D("0"),
                                "book_out": D("5424.00")}
    assert result["adjusted_book"] == result["adjusted_bank"] == D("225717.00")
    assert result["balanced"]


def income_statement_december(story):
    report = statements.income_statement("2026-12")
    expected = {1: ("136000", "6000"), 2: ("84000", "4000"), 3: ("736.32", "18.72"), 11: ("2280", "380"),
                14: ("18950", "1190"), 18: ("15", "0"), 21: ("30018.68", "411.28"), 30: ("30018.68", "411.28"),
                32: ("30018.68", "411.28")}
    if has_leaf("5403.03") and has_leaf("5403.07"):  # the 其中 lines read the role sub-accounts
        expected.update({6: ("429.52", "10.92"), 10: ("306.80", "7.80")})
    found, wanted = amounts(report, expected)
    assert found == wanted
    found = lines(report)
    # a 其中 line never exceeds its line, whether read from a sub-account or left empty
    assert found[6][0] + found[10][0] <= found[3][0]
    assert found[13][0] <= found[11][0] and found[16][0] + found[17][0] <= found[14][0]
    assert found[19][0] == D("0.00")  # 利息费用: the bank's fee is not interest


def balance_sheet_december_end_and_year_start(story):
    report = statements.balance_sheet("2026-12")
    assert report["balanced"]
    expected = {1: ("252000", "228623.40"), 4: ("0", "0"), 9: ("0", "4800"), 12: ("0", "4800"),
                15: ("252000", "233423.40"), 18: ("0", "52000"), 19: ("0", "3230"), 20: ("0", "48770"),
                29: ("0", "48770"), 30: ("252000", "282193.40"), 33: ("0", "0"), 36: ("0", "174.72"),
                41: ("0", "174.72"), 47: ("0", "174.72"), 48: ("200000", "200000"), 51: ("52000", "82018.68"),
                52: ("252000", "282018.68"), 53: ("252000", "282193.40")}
    found, wanted = amounts(report, expected)
    assert found == wanted


def cash_flow_december(story):
    report = statements.cash_flow("2026-12")
    assert report["balanced"] and report["closing_cash"] == D("228623.40")
    expected = {1: ("153680", "6780"), 3: ("100344", "5424"), 5: ("6697.60", "174.72"), 6: ("18015", "1000"),
                7: ("28623.40", "181.28"), 12: ("52000", "0"), 13: ("-52000", "0"), 19: ("0", "0"),
                20: ("-23376.60", "181.28"), 21: ("252000", "228442.12"), 22: ("228623.40", "228623.40")}
    found, wanted = amounts(report, expected)
    assert found == wanted


def year_end_carries_the_profit_to_retained_earnings(story):
    year_end = Voucher.objects.get(kind="year_end")
    assert year_end.period.code == "2026-12"
    assert [(ln.account.code, ln.debit, ln.credit) for ln in year_end.lines.order_by("seq")] == [
        ("3103", D("30018.68"), D("0.00")), ("3104.01", D("0.00"), D("30018.68"))]
    tb = {r["code"]: r for r in reports.trial_balance("2026-12")["rows"]}
    assert tb["3104.01"]["closing"] == D("82018.68")
    assert "3103" not in tb or tb["3103"]["closing"] == D("0.00")
    assert tb["2221.01"]["closing"] == D("0.00") and tb["2221.09"]["closing"] == D("0.00")
    # 2027 opens with December's balances as its 年初
    jan = statements.balance_sheet("2027-01")
    assert [ln["comparative"] for ln in jan["lines"]] == [ln["current"] for ln in statements.balance_sheet(
        "2026-12")["lines"]]
