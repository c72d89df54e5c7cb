"""book(): every seeded posting rule makes the voucher the stock and sales sides rely on."""

import datetime
from decimal import Decimal

import pytest

from sihe.core.errors import DomainError
from sihe.core.models import Event
from sihe.ledger import services
from sihe.ledger.models import Balance, PostingRule, Voucher, VoucherLine

DAY = datetime.date(2026, 3, 10)


def lines_of(voucher):
    return [
        (line.account.code, str(line.debit), str(line.credit), line.warehouse, line.partner,
         line.cash_flow_item.line_no if line.cash_flow_item else None)
        for line in voucher.lines.select_related("account", "cash_flow_item").order_by("seq")
    ]


RULES = {
    "stock.receipt": [("1405", "123.45", "0.00", "WH1", "", None), ("2202.02", "0.00", "123.45", "", "S01", None)],
    "stock.issue": [("5401", "123.45", "0.00", "", "", None), ("1405", "0.00", "123.45", "WH1", "", None)],
    "stock.adjustment.gain": [("1405", "123.45", "0.00", "WH1", "", None), ("1901", "0.00", "123.45", "WH1", "", None)],
    "stock.adjustment.loss": [("1901", "123.45", "0.00", "WH1", "", None), ("1405", "0.00", "123.45", "WH1", "", None)],
    "stock.scrap": [("1901", "123.45", "0.00", "WH1", "", None), ("1405", "0.00", "123.45", "WH1", "", None)],
    "production.consume": [("4001", "123.45", "0.00", "", "", None), ("1405", "0.00", "123.45", "WH1", "", None)],
    "production.output": [("1405", "123.45", "0.00", "WH1", "", None), ("4001", "0.00", "123.45", "", "", None)],
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_stock_rule_books_a_posted_voucher_linked_to_its_document(rule, actor):
    # given / when
    voucher = services.book(
        rule=rule, date=DAY, amounts={"value": Decimal("123.45")}, source_type="stock.move", source_id="M-1",
        memo="move M-1", actor=actor, dimensions={"warehouse": "WH1", "partner": "S01"},
    )
    # then
    assert voucher.status == "posted"
    assert voucher.display_number == "记-0001"
    assert (voucher.source_type, voucher.source_id, voucher.rule, voucher.kind) == ("stock.move", "M-1", rule, "auto")
    assert voucher.reviewed_by == f"rule:{rule}"
    assert lines_of(voucher) == RULES[rule]
    assert Event.objects.filter(type="ledger.voucher.posted", aggregate_id=str(voucher.pk)).count() == 1


def test_transfer_puts_each_side_on_its_warehouse(actor):
    voucher = services.book(
        rule="stock.transfer", date=DAY, amounts={"value": "50.00"}, source_type="stock.transfer", source_id="T-9",
        memo="", actor=actor, dimensions={"from_warehouse": "WH1", "to_warehouse": "WH2"},
    )
    assert lines_of(voucher) == [("1405", "50.00", "0.00", "WH2", "", None), ("1405", "0.00", "50.00", "WH1", "", None)]
    assert [line.summary for line in voucher.lines.order_by("seq")] == ["调入 T-9", "调出 T-9"]
    assert {(b.warehouse, b.debit, b.credit) for b in Balance.objects.filter(account__code="1405")} == {
        ("WH2", Decimal("50.00"), Decimal("0.00")), ("WH1", Decimal("0.00"), Decimal("50.00")),
    }


def test_sales_revenue_and_collection_rules(actor):
    sale = services.book(
        rule="sales.revenue", date=DAY, amounts={"total": "11300", "net": "10000", "tax": "1300"},
        source_type="sales.invoice", source_id="INV-1", memo="", actor=actor, dimensions={"partner": "C01"},
    )
    assert lines_of(sale) == [
        ("1122", "11300.00", "0.00", "", "C01", None), ("5001", "0.00", "10000.00", "", "", None),
        ("2221.01.06", "0.00", "1300.00", "", "", None),
    ]
    receipt = services.book(
        rule="receipt.bank", date=DAY, amounts={"amount": "11300"}, source_type="sales.payment", source_id="P-1",
        memo="", actor=actor, dimensions={"partner": "C01"},
    )
    assert lines_of(receipt) == [("1002", "11300.00", "0.00", "", "", 1), ("1122", "0.00", "11300.00", "", "C01", None)]
    assert receipt.display_number == "记-0002"


def test_zero_amounts_book_nothing(actor):
    assert services.book(rule="stock.issue", date=DAY, amounts={"value": Decimal("0")}, source_type="x",
                         source_id="1", memo="", actor=actor) is None
    assert Voucher.objects.count() == 0


def test_lines_with_a_zero_amount_are_left_out(actor):
    voucher = services.book(rule="purchase.invoice", date=DAY, amounts={"net": "100", "tax": "0", "total": "100"},
                            source_type="purchase.invoice", source_id="PI-1", memo="", actor=actor)
    assert [(code, d, c) for code, d, c, *_ in lines_of(voucher)] == [("2202.02", "100.00", "0.00"),
                                                                       ("2202.01", "0.00", "100.00")]


def test_booking_into_a_closed_period_fails_and_leaves_nothing(actor):
    services.close_period(period="2026-03", actor=actor)
    with pytest.raises(DomainError) as err:
        services.book(rule="stock.receipt", date=DAY, amounts={"value": "10"}, source_type="x", source_id="1",
                      memo="", actor=actor)
    assert err.value.code == "period_closed"
    assert Voucher.objects.filter(kind="auto").count() == 0
    assert VoucherLine.objects.count() == 0


def test_unknown_rule_missing_amount_negative_and_unbalanced_templates_are_refused(actor):
    with pytest.raises(DomainError) as err:
        services.book(rule="nope", date=DAY, amounts={}, source_type="x", source_id="1", memo="", actor=actor)
    assert err.value.code == "unknown_rule"
    with pytest.raises(DomainError) as err:
        services.book(rule="stock.issue", date=DAY, amounts={}, source_type="x", source_id="1", memo="", actor=actor)
    assert (err.value.code, err.value.field) == ("missing_amount", "amounts.value")
    with pytest.raises(DomainError) as err:
        services.book(rule="stock.issue", date=DAY, amounts={"value": "-1"}, source_type="x", source_id="1",
                      memo="", actor=actor)
    assert err.value.code == "negative_amount"
    with pytest.raises(DomainError) as err:
        services.book(rule="sales.revenue", date=DAY, amounts={"total": "113", "net": "100", "tax": "12"},
                      source_type="x", source_id="1", memo="", actor=actor)
    assert err.value.code == "unbalanced"
    assert Voucher.objects.count() == 0


def test_an_accountant_switching_a_rule_off_stops_its_vouchers(actor):
    PostingRule.objects.filter(code="stock.scrap").update(active=False)
    assert services.book(rule="stock.scrap", date=DAY, amounts={"value": "5"}, source_type="x", source_id="1",
                         memo="", actor=actor) is None


def test_the_document_finds_its_voucher(actor):
    from sihe.ledger.reports import vouchers_for

    voucher = services.book(rule="stock.receipt", date=DAY, amounts={"value": "10"}, source_type="stock.receipt",
                            source_id="R-7", memo="", actor=actor)
    assert vouchers_for("stock.receipt", "R-7") == [voucher]
    assert vouchers_for("stock.receipt", "R-8") == []
