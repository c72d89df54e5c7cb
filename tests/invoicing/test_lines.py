"""Invoice line arithmetic (§4.4) with the numbers a tax clerk would check."""

from datetime import datetime
from decimal import Decimal

import pytest

from sihe.core.errors import ValidationFailed
from sihe.invoicing.invoice import RedReference, build_invoice, parse_invoice_number, red_invoice
from sihe.invoicing.lines import (
    DISCOUNT,
    DISCOUNTED,
    InvoiceError,
    InvoiceLine,
    item_name,
    line_from_exclusive,
    line_from_inclusive,
    parse_rate,
    split_item_name,
    totals,
    with_discount,
)

from .conftest import RICE, SHANGHAI

GOODS = "1090511010000000000"


def test_tax_exclusive_lines_of_the_sample_invoice(blue):
    rice, wheat = blue.lines
    assert (rice.amount, rice.tax, rice.total) == (Decimal("150.03"), Decimal("13.50"), Decimal("163.53"))
    assert (wheat.amount, wheat.tax, wheat.total) == (Decimal("86.42"), Decimal("7.78"), Decimal("94.20"))
    assert blue.totals.amount == Decimal("236.45")
    assert blue.totals.tax == Decimal("21.28")
    assert blue.totals.total == Decimal("257.73")
    assert blue.total_in_words == "贰佰伍拾柒圆柒角叁分"


def test_tax_inclusive_ecommerce_price_keeps_what_the_buyer_paid():
    # when 99.90 paid at 13%
    line = line_from_inclusive(name=item_name("日用杂品", "陶瓷马克杯"), tax_code=GOODS, tax_rate="0.13",
                               quantity=1, gross="99.90")
    # then
    assert (line.amount, line.tax, line.total) == (Decimal("88.41"), Decimal("11.49"), Decimal("99.90"))
    assert line.unit_price == Decimal("88.41")
    assert line.name == "*日用杂品*陶瓷马克杯"


def test_tax_inclusive_with_a_quantity_gets_a_long_unit_price_within_a_fen():
    line = line_from_inclusive(name="*服装*T恤", tax_code=GOODS, tax_rate="0.13", quantity=3, gross="100.00")
    assert (line.amount, line.tax) == (Decimal("88.50"), Decimal("11.50"))
    assert line.unit_price == Decimal("29.5")
    assert abs(line.quantity * line.unit_price - line.amount) <= Decimal("0.01")


def test_discount_line_follows_the_discounted_line_with_same_name_and_rate():
    # given 2 × 100.00 @13%
    line = line_from_exclusive(name="*服装*T恤", tax_code=GOODS, tax_rate="0.13", quantity=2, unit_price="100")
    # when a 20.00 discount (without tax) is given
    discounted, discount = with_discount(line, amount="20.00")
    # then
    assert discounted.kind == DISCOUNTED and discount.kind == DISCOUNT
    assert (discount.name, discount.tax_rate, discount.tax_code) == ("*服装*T恤", Decimal("0.13"), GOODS)
    assert (discount.amount, discount.tax, discount.quantity) == (Decimal("-20.00"), Decimal("-2.60"), None)
    result = totals([discounted, discount])
    assert (result.amount, result.tax, result.total) == (Decimal("180.00"), Decimal("23.40"), Decimal("203.40"))
    # and the same discount given tax included
    _, gross_discount = with_discount(line, gross="22.60")
    assert (gross_discount.amount, gross_discount.tax) == (Decimal("-20.00"), Decimal("-2.60"))


def test_discount_larger_than_the_line_is_refused():
    line = line_from_exclusive(name="*服装*T恤", tax_code=GOODS, tax_rate="0.13", quantity=1, unit_price="10")
    with pytest.raises(InvoiceError) as error:
        with_discount(line, amount="10.01")
    assert error.value.field == "discount"


def test_a_discount_line_alone_is_refused():
    line = line_from_exclusive(name="*服装*T恤", tax_code=GOODS, tax_rate="0.13", quantity=1, unit_price="10")
    _, discount = with_discount(line, amount="1")
    with pytest.raises(InvoiceError) as error:
        totals([line, discount])
    assert error.value.field == "lines[1]"


def test_amount_off_by_more_than_a_fen_is_refused():
    with pytest.raises(InvoiceError) as error:
        line_from_exclusive(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", quantity=3, unit_price="50.01",
                            amount="150.05")
    assert error.value.field == "amount"
    # 150.04 is within 0.01 and is accepted as given
    line = line_from_exclusive(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", quantity=3, unit_price="50.01",
                               amount="150.04")
    assert line.amount == Decimal("150.04")


def test_line_tax_tolerance_is_six_fen():
    ok = InvoiceLine(name="*谷物*稻谷", tax_code=RICE, tax_rate=Decimal("0.09"), amount=Decimal("100.00"),
                     tax=Decimal("9.06"))
    assert totals([ok]).total == Decimal("109.06")
    bad = InvoiceLine(name="*谷物*稻谷", tax_code=RICE, tax_rate=Decimal("0.09"), amount=Decimal("100.00"),
                      tax=Decimal("9.07"))
    with pytest.raises(InvoiceError) as error:
        totals([ok, bad])
    assert error.value.field == "lines[1].tax"


def test_accumulated_tax_tolerance_is_one_yuan_twenty_seven():
    line = InvoiceLine(name="*谷物*稻谷", tax_code=RICE, tax_rate=Decimal("0.09"), amount=Decimal("100.00"),
                       tax=Decimal("9.06"))
    assert totals([line] * 21).tax == Decimal("190.26")  # 21 × 0.06 = 1.26 ≤ 1.27
    with pytest.raises(InvoiceError) as error:
        totals([line] * 22)  # 1.32
    assert error.value.field == "lines"
    assert "1.27" in error.value.message


def test_rates():
    assert parse_rate("0.130000") == Decimal("0.13")
    assert parse_rate("6%") == Decimal("0.06")
    assert parse_rate(Decimal("0.01")) == Decimal("0.01")
    assert parse_rate("0") == Decimal("0")
    for bad in ("0.10", "0.17", "abc", "-0.13"):
        with pytest.raises(ValidationFailed) as error:
            parse_rate(bad)
        assert error.value.field == "tax_rate"


def test_item_names():
    assert item_name("信息技术服务", "软件维护服务费") == "*信息技术服务*软件维护服务费"
    assert item_name("谷物", "*谷物*稻谷") == "*谷物*稻谷"
    assert split_item_name("*物流辅助服务*港口作业费") == ("物流辅助服务", "港口作业费")
    with pytest.raises(InvoiceError):
        item_name("", "稻谷")
    with pytest.raises(InvoiceError):
        split_item_name("稻谷")


def test_tax_code_must_be_19_digits():
    with pytest.raises(InvoiceError) as error:
        line_from_exclusive(name="*谷物*稻谷", tax_code="101010101", tax_rate="0.09", quantity=1, unit_price="1")
    assert error.value.field == "tax_code"


def test_twenty_digit_number():
    number = parse_invoice_number("25442000000012345678")
    assert (number.year, number.region, number.channel, number.sequence) == ("25", "44", "2", "000000012345678")
    for bad in ("2544200000001234567", "254420000000123456789", "2544200000001234567A", "25992000000012345678"):
        with pytest.raises(InvoiceError) as error:
            parse_invoice_number(bad)
        assert error.value.field == "number"
    with pytest.raises(InvoiceError):
        parse_invoice_number(25442000000012345678)


def test_qr_code_text(blue):
    assert blue.qr_text() == "01,32,,25442000000012345678,257.73,20250308,,,"


def test_red_invoice_negates_the_blue_one(blue):
    # when the whole invoice is reversed
    red = red_invoice(blue, number="25442000000012345999", confirmation_number="44000025031000000001",
                      issued_at=datetime(2025, 3, 20, 9, 0, tzinfo=SHANGHAI))
    # then
    assert red.red == RedReference(original_number="25442000000012345678", confirmation_number="44000025031000000001")
    assert [line.amount for line in red.lines] == [Decimal("-150.03"), Decimal("-86.42")]
    assert [line.tax for line in red.lines] == [Decimal("-13.50"), Decimal("-7.78")]
    assert [line.quantity for line in red.lines] == [Decimal("-3"), Decimal("-7")]
    assert (red.totals.amount, red.totals.tax, red.totals.total) == (
        Decimal("-236.45"), Decimal("-21.28"), Decimal("-257.73"))
    assert red.total_in_words == "（负数）贰佰伍拾柒圆柒角叁分"
    assert "25442000000012345678" in red.remark


def test_partial_red_invoice_for_a_return(blue):
    red = red_invoice(blue, number="25442000000012345999", confirmation_number="44000025031000000002",
                      issued_at=datetime(2025, 3, 20, 9, 0, tzinfo=SHANGHAI), returned={0: Decimal("1")})
    assert len(red.lines) == 1
    assert (red.lines[0].amount, red.lines[0].tax) == (Decimal("-50.01"), Decimal("-4.50"))
    assert red.totals.total == Decimal("-54.51")
    assert red.total_in_words == "（负数）伍拾肆圆伍角壹分"


def test_red_invoice_refusals(blue):
    when = datetime(2025, 3, 20, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(InvoiceError) as error:
        red_invoice(blue, number="25442000000012345999", confirmation_number="", issued_at=when)
    assert error.value.field == "red.confirmation_number"
    with pytest.raises(InvoiceError) as error:
        red_invoice(blue, number="25442000000012345999", confirmation_number="X1", issued_at=when,
                    returned={0: Decimal("4")})
    assert error.value.field == "returned[0]"
    red = red_invoice(blue, number="25442000000012345999", confirmation_number="X1", issued_at=when)
    with pytest.raises(InvoiceError):
        red_invoice(red, number="25442000000012346000", confirmation_number="X2", issued_at=when)


def test_build_invoice_refusals(seller, buyer, blue):
    when = datetime(2025, 3, 8, 14, 30, tzinfo=SHANGHAI)
    with pytest.raises(InvoiceError) as error:
        build_invoice(number="25442000000012345678", issued_at=when, seller=seller, buyer=buyer, lines=[])
    assert error.value.field == "lines"
    with pytest.raises(InvoiceError) as error:
        build_invoice(number="25442000000012345678", issued_at=datetime(2025, 3, 8), seller=seller, buyer=buyer,
                      lines=blue.lines)
    assert error.value.field == "issued_at"
    with pytest.raises(InvoiceError) as error:
        build_invoice(number="25442000000012345678", issued_at=when, seller=seller,
                      buyer=buyer.__class__(name="张三"), lines=blue.lines, kind="special")
    assert error.value.field == "buyer.tax_id"


def test_absurdly_large_numbers_are_refused_naming_the_field():
    for kwargs, field in (({"quantity": "1E30", "unit_price": "1"}, "quantity"),
                          ({"quantity": "1", "unit_price": "1E30"}, "unit_price"),
                          ({"quantity": "9E12", "unit_price": "9E12"}, "amount")):
        with pytest.raises(InvoiceError) as error:
            line_from_exclusive(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", **kwargs)
        assert error.value.field == field
    with pytest.raises(InvoiceError) as error:
        line_from_inclusive(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", quantity=1, gross="1E30")
    assert error.value.field == "gross"
