"""出纳 for July 2026: entries that post their vouchers, the cash journal's daily totals, the bank
statement imported in two layouts (工商银行 CSV in GBK for 07-01…07-05, 招商银行 xlsx for 07-21…07-31),
matched to the journal, and the 银行存款余额调节表 at 07-31.

By hand:
- Book (1002): 500,000.00 investment − 11,300.00 rent − 2,000.00 to the cash box + 8,000.00 loan repaid
  (07-31, not yet on the statement) − 1,500.00 advertising (07-31, not yet on the statement) = 493,200.00.
- Bank: 500,000.00 − 11,300.00 − 2,000.00 − 35.00 fee (07-21) + 120.50 interest (07-31) = 486,785.50.
- 调节表: 493,200.00 + 120.50 银收企未收 − 35.00 银付企未付 = 493,285.50
          = 486,785.50 + 8,000.00 企收银未收 − 1,500.00 企付银未付.
- Cash (1001): 07-05 in 2,000.00, out 300.00 + 150.00 → 本日合计 2,000.00 / 450.00, balance 1,550.00;
  07-08 out 200.00 → balance 1,350.00; 本月合计 2,000.00 / 650.00; 本年累计 the same.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sihe.cashbank import parsing, selectors, services
from sihe.core.errors import Conflict
from sihe.ledger import reports

D = Decimal
FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"


@pytest.fixture
def july(clock, actor):
    clock.at(2026, 7, 1)
    bank = services.save_account(code="ICBC", name="工行基本户", kind="bank", ledger_account="1002", bank="icbc",
                                 account_no="1001234567890123456", reconcile_from="2026-07-01", actor=actor)
    cash = services.save_account(code="CASH", name="库存现金", kind="cash", ledger_account="1001", actor=actor)

    def enter(date, **kw):
        clock.at(datetime.date.fromisoformat(date))
        return services.enter(date=date, actor=actor, **kw)

    enter("2026-07-01", kind="receipt", account=bank, amount="500000", counter_account="3001", summary="收到投资款")
    enter("2026-07-03", kind="payment", account=bank, amount="11300", counter_account="2241", partner="物业公司",
          summary="支付房租", reference="ZF0703")
    enter("2026-07-05", kind="transfer", account=bank, to_account=cash, amount="2000", summary="提取备用金")
    enter("2026-07-05", kind="payment", account=cash, amount="300", counter_account="5602.05", department="管理部",
          summary="购买办公用品")
    enter("2026-07-05", kind="payment", account=cash, amount="150", counter_account="5601.05", department="销售部",
          summary="快递费")
    enter("2026-07-08", kind="payment", account=cash, amount="200", counter_account="5602.99", department="管理部",
          summary="差旅费")
    enter("2026-07-31", kind="receipt", account=bank, amount="8000", counter_account="1221", partner="张三",
          summary="收回借款")
    enter("2026-07-31", kind="payment", account=bank, amount="1500", counter_account="5601.02", department="销售部",
          summary="支付广告费")
    return {"bank": bank, "cash": cash}


def test_entries_post_their_vouchers(july):
    entry = selectors.entries(july["bank"]).get(summary="支付房租")
    voucher = reports.voucher_by_id(entry.voucher_id)
    assert (voucher.word, voucher.status) == ("付", "posted")
    assert [(ln.account.code, ln.partner, ln.debit, ln.credit) for ln in voucher.lines.order_by("seq")] == [
        ("2241", "物业公司", D("11300.00"), D("0")), ("1002", "", D("0"), D("11300.00"))]
    transfer = reports.voucher_by_id(selectors.entries(july["bank"]).get(kind="transfer").voucher_id)
    assert [(ln.account.code, ln.debit, ln.credit) for ln in transfer.lines.order_by("seq")] == [
        ("1001", D("2000.00"), D("0")), ("1002", D("0"), D("2000.00"))]


def test_cash_journal_daily_totals(july, clock, actor):
    journal = selectors.journal(july["cash"], "2026-07", "2026-07")
    rows = [(r["kind"], str(r["date"]), r["summary"], r.get("debit"), r.get("credit"), r["balance"])
            for r in journal["rows"]]
    assert rows == [
        ("opening", "2026-07-01", "期初余额", None, None, D("0")),
        ("line", "2026-07-05", "提取备用金", D("2000.00"), D("0.00"), D("2000.00")),
        ("line", "2026-07-05", "购买办公用品", D("0.00"), D("300.00"), D("1700.00")),
        ("line", "2026-07-05", "快递费", D("0.00"), D("150.00"), D("1550.00")),
        ("day", "2026-07-05", "本日合计", D("2000.00"), D("450.00"), D("1550.00")),
        ("line", "2026-07-08", "差旅费", D("0.00"), D("200.00"), D("1350.00")),
        ("day", "2026-07-08", "本日合计", D("0.00"), D("200.00"), D("1350.00")),
        ("month", "2026-07-31", "本月合计", D("2000.00"), D("650.00"), D("1350.00")),
        ("year", "2026-07-31", "本年累计", D("2000.00"), D("650.00"), D("1350.00")),
    ]
    assert journal["rows"][1]["counter"] == "1002"
    clock.at(2026, 7, 9)
    with pytest.raises(Conflict) as refused:  # 库存现金不得出现红字
        services.enter(kind="payment", account=july["cash"], date="2026-07-09", amount="1350.01",
                       counter_account="5602.99", department="管理部", summary="多付", actor=actor)
    assert refused.value.code == "cash_negative"


def test_every_layout_reads():
    for name, layout, first_out in (("icbc.csv", "icbc", "0.00"), ("ccb.xlsx", "ccb", "0.00"),
                                    ("cmb.xlsx", "cmb", "35.00"), ("abc.csv", "abc", "0.00")):
        key, lines = parsing.read((FIXTURES / name).read_bytes(), name)
        assert key == layout
        assert lines[0].amount_out == D(first_out)
    key, lines = parsing.read((FIXTURES / "icbc.csv").read_bytes(), "icbc.csv")
    assert [(str(ln.date), ln.reference, ln.amount_in, ln.amount_out, ln.balance) for ln in lines] == [
        ("2026-07-01", "ICBC0701001", D("500000.00"), D("0.00"), D("500000.00")),
        ("2026-07-03", "ZF0703", D("0.00"), D("11300.00"), D("488700.00")),
        ("2026-07-05", "ICBC0705001", D("0.00"), D("2000.00"), D("486700.00")),
    ]
    assert lines[1].counterparty == "上海某物业管理有限公司"  # read from GBK


def test_statement_in_two_layouts_reconciled(july, clock, actor):
    bank = july["bank"]
    clock.at(2026, 8, 2)
    first = services.import_statement(account=bank, data=(FIXTURES / "icbc.csv").read_bytes(), file_name="icbc.csv",
                                      actor=actor)
    second = services.import_statement(account=bank, data=(FIXTURES / "cmb.xlsx").read_bytes(), file_name="cmb.xlsx",
                                       actor=actor)
    assert (first.layout, first.lines_read, second.layout, second.lines_read) == ("icbc", 3, "cmb", 2)
    with pytest.raises(Conflict) as twice:
        services.import_statement(account=bank, data=(FIXTURES / "icbc.csv").read_bytes(), file_name="icbc.csv",
                                  actor=actor)
    assert twice.value.code == "duplicate_statement"
    again = services.import_statement(account=bank, data=(FIXTURES / "icbc.csv").read_bytes() + "备注\n".encode("gbk"),
                                      file_name="icbc-again.csv", actor=actor)
    assert (again.lines_read, again.lines_skipped) == (0, 3)  # the same lines saved again: nothing doubled

    before = selectors.reconciliation(bank, datetime.date(2026, 7, 31))
    assert before["book_balance"] == D("493200.00") and before["bank_balance"] == D("486785.50")
    # nothing matched yet: every line of both sides is open (the table balances anyway when the books and the
    # bank agreed on 07-01; matching is what makes its lists the real outstanding items)
    assert before["totals"]["bank_in"] == D("500120.50") and len(before["book_out_not_bank"]) == 3

    assert services.auto_match(account=bank, actor=actor) == 3
    rent = selectors.statement_lines(bank).get(reference="ZF0703")
    assert rent.match_kind == "auto"
    assert selectors.voucher_lines_by_id([rent.voucher_line_id])[rent.voucher_line_id].summary == "支付房租 ZF0703"

    result = selectors.reconciliation(bank, datetime.date(2026, 7, 31))
    assert result["totals"] == {"bank_in": D("120.50"), "bank_out": D("35.00"), "book_in": D("8000.00"),
                                "book_out": D("1500.00")}
    assert result["adjusted_book"] == result["adjusted_bank"] == D("493285.50")
    assert result["balanced"]

    # the fee is booked after all and matched by hand: it leaves both sides of the 调节表
    clock.at(2026, 8, 3)
    services.enter(kind="payment", account=bank, date="2026-07-31", amount="35", counter_account="5603.02",
                   summary="银行手续费", actor=actor)
    fee_line = selectors.statement_lines(bank).get(reference="CMB0721001")
    journal_fee = services.unmatched_journal(bank).get(credit=D("35.00"))
    services.match(line=fee_line, voucher_line_id=journal_fee.pk, actor=actor)
    result = selectors.reconciliation(bank, datetime.date(2026, 7, 31))
    assert result["totals"]["bank_out"] == D("0") and result["book_balance"] == D("493165.00")
    assert result["adjusted_book"] == result["adjusted_bank"] == D("493285.50") and result["balanced"]
    services.unmatch(line=fee_line, actor=actor)
    assert selectors.reconciliation(bank, datetime.date(2026, 7, 31))["totals"]["bank_out"] == D("35.00")
