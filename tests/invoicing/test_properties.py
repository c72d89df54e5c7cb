"""Invariants of invoice arithmetic and the XML round trip over generated invoices (hypothesis)."""

from datetime import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sihe.invoicing.invoice import Party, build_invoice, red_invoice
from sihe.invoicing.lines import RATES, line_from_exclusive, line_from_inclusive, totals
from sihe.invoicing.xml import build_xml, parse_xml

from .conftest import SHANGHAI

CODE = "1090511010000000000"
rates = st.sampled_from(RATES)
fen = st.integers(min_value=1, max_value=10**9)


@settings(max_examples=300, deadline=None)
@given(fen, rates, st.integers(min_value=1, max_value=999))
def test_tax_inclusive_lines_keep_the_paid_amount_and_stay_in_tolerance(gross_fen, rate, qty):
    gross = Decimal(gross_fen) / 100
    line = line_from_inclusive(name="*日用杂品*杯子", tax_code=CODE, tax_rate=rate, quantity=qty, gross=gross)
    assert line.total == gross
    assert abs(line.tax - line.amount * rate) <= Decimal("0.006")
    assert abs(line.quantity * line.unit_price - line.amount) <= Decimal("0.01")


price = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=4)
line_args = st.tuples(st.integers(min_value=1, max_value=500), price, rates)


@settings(max_examples=100, deadline=None)
@given(st.lists(line_args, min_size=1, max_size=12))
def test_generated_invoices_round_trip_through_xml_and_reverse_to_zero(args):
    # given an invoice of generated lines
    lines = [line_from_exclusive(name=f"*日用杂品*商品{n}", tax_code=CODE, tax_rate=rate, quantity=qty,
                                 unit_price=unit) for n, (qty, unit, rate) in enumerate(args)]
    blue = build_invoice(number="25442000000012345678", issued_at=datetime(2025, 3, 8, 9, tzinfo=SHANGHAI),
                         seller=Party(name="卖方", tax_id="91440300MA5G0B7Q1W"), buyer=Party(name="买方"),
                         lines=lines)
    result = totals(lines)
    assert result.total == result.amount + result.tax
    # when written to XML and read back
    parsed = parse_xml(build_xml(blue))
    # then it is the same invoice and its stated figures check
    assert parsed.problems() == []
    assert parsed.invoice == blue
    # and its red invoice cancels it to the fen
    red = red_invoice(blue, number="25442000000012345679", confirmation_number="C1",
                      issued_at=datetime(2025, 3, 9, 9, tzinfo=SHANGHAI))
    assert red.totals.total + blue.totals.total == 0
    assert parse_xml(build_xml(red)).problems() == []
