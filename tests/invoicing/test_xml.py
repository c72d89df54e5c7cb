"""数电 XML: write, read back, and check the reference sample's arithmetic."""

import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sihe.invoicing.invoice import red_invoice
from sihe.invoicing.lines import DISCOUNT, DISCOUNTED, InvoiceError, line_from_exclusive, with_discount
from sihe.invoicing.xml import build_xml, parse_xml, words_match

from .conftest import SHANGHAI

SAMPLE = Path(__file__).parent / "fixtures" / "einvoice-shudian.xml"
D = Decimal


def test_reference_sample_reads_and_adds_up():
    # when the reference sample is read
    parsed = parse_xml(SAMPLE.read_bytes())
    invoice = parsed.check()
    # then
    assert invoice.number == "25442000000012345678"
    assert invoice.issued_at == datetime(2025, 3, 8, 14, 30, tzinfo=SHANGHAI)
    assert invoice.seller.tax_id == "91440300MA5G0B7Q1W" and invoice.buyer.name == "上海示例食品加工有限公司"
    assert [(line.name, line.quantity, line.unit_price, line.amount, line.tax) for line in invoice.lines] == [
        ("*谷物*稻谷", D(3), D("50.01"), D("150.03"), D("13.50")),
        ("*谷物*小麦", D(7), D("12.3456"), D("86.42"), D("7.78")),
    ]
    assert (parsed.stated.amount, parsed.stated.tax, parsed.stated.total) == (D("236.45"), D("21.28"), D("257.73"))
    assert parsed.stated_words == "贰佰伍拾柒圆柒角叁分"
    assert parsed.problems() == []
    assert invoice.red is None and invoice.remark == "订单号: SO-2025-000123" and invoice.drawer == "王会计"


def test_round_trip_of_the_sample_invoice(blue):
    # when written and read back
    data = build_xml(blue)
    parsed = parse_xml(data)
    # then it is the same invoice, with the same stated figures
    assert parsed.problems() == []
    assert parsed.invoice == blue
    assert parsed.stated_words == "贰佰伍拾柒圆柒角叁分"
    root = ET.fromstring(data)
    assert root.findtext("Header/EIid") == "25442000000012345678"
    assert root.findtext("Header/InherentLabel/InIssuType/LabelCode") == "Y"
    assert root.findtext("EInvoiceData/BasicInformation/TotalTax-includedAmount") == "257.73"
    assert [e.findtext("TaxRate") for e in root.iter("IssuItemInformation")] == ["0.09", "0.09"]
    assert [e.findtext("UnPrice") for e in root.iter("IssuItemInformation")] == ["50.01", "12.3456"]
    assert root.findtext("TaxSupervisionInfo/TaxBureauName") == "国家税务总局广东省税务局"
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_red_invoice_round_trip(blue):
    red = red_invoice(blue, number="25442000000012345999", confirmation_number="44000025031000000001",
                      issued_at=datetime(2025, 3, 20, 9, 0, tzinfo=SHANGHAI))
    data = build_xml(red)
    root = ET.fromstring(data)
    assert root.findtext("Header/InherentLabel/InIssuType/LabelCode") == "N"
    assert root.findtext("EInvoiceData/SpecificInformation/RedEInvoice/OriginalInvoiceCode") == "25442000000012345678"
    assert root.findtext("EInvoiceData/SpecificInformation/RedEInvoice/CreditNoteNumber") == "44000025031000000001"
    basic = root.find("EInvoiceData/BasicInformation")
    assert basic.findtext("TotalTax-includedAmount") == "-257.73"
    assert basic.findtext("TotalTax-includedAmountInChinese") == "（负数）贰佰伍拾柒圆柒角叁分"
    parsed = parse_xml(data)
    assert parsed.problems() == [] and parsed.invoice == red


def test_discount_lines_round_trip(blue):
    line = line_from_exclusive(name="*服装*T恤", tax_code="1090511010000000000", tax_rate="0.13", quantity=2,
                               unit_price="100")
    discounted, discount = with_discount(line, amount="20")
    invoice = blue.__class__(**{**blue.__dict__, "lines": (discounted, discount)})
    parsed = parse_xml(build_xml(invoice))
    assert [line.kind for line in parsed.invoice.lines] == [DISCOUNTED, DISCOUNT]
    assert parsed.stated.total == D("203.40") and parsed.problems() == []


def test_wrong_figures_in_an_xml_are_reported():
    text = SAMPLE.read_text(encoding="utf-8")
    wrong_total = parse_xml(text.replace("<TotalTaxAm>21.28<", "<TotalTaxAm>21.29<"))
    assert [p[0] for p in wrong_total.problems()] == ["TotalTaxAm", "TotalTax-includedAmount"]
    with pytest.raises(InvoiceError) as error:
        wrong_total.check()
    assert error.value.field == "TotalTaxAm"
    wrong_words = parse_xml(text.replace("贰佰伍拾柒圆柒角叁分", "贰佰伍拾柒圆柒角肆分"))
    assert [p[0] for p in wrong_words.problems()] == ["TotalTax-includedAmountInChinese"]
    wrong_tax = parse_xml(text.replace("<ComTaxAm>13.50<", "<ComTaxAm>13.60<")
                          .replace("<TotalTaxAm>21.28<", "<TotalTaxAm>21.38<")
                          .replace("257.73", "257.83"))
    assert wrong_tax.problems()[0][0] == "lines[0].tax"


def test_older_layout_and_rate_spellings():
    text = SAMPLE.read_text(encoding="utf-8")
    older = (text.replace("<EIid>25442000000012345678</EIid>", "")
             .replace("<TaxRate>0.09</TaxRate>", "<TaxRate>9%</TaxRate>", 1)
             .replace("<TaxRate>0.09</TaxRate>", "<TaxRate>0.090000</TaxRate>"))
    invoice = parse_xml(older).check()
    assert invoice.number == "25442000000012345678"
    assert [line.tax_rate for line in invoice.lines] == [D("0.09"), D("0.09")]


def test_not_an_invoice():
    with pytest.raises(InvoiceError) as error:
        parse_xml(b"<EInvoice><Header>")
    assert error.value.field == "xml"
    with pytest.raises(InvoiceError) as error:
        parse_xml(b"<Invoice/>")
    assert error.value.field == "xml"


def test_accepted_words_variants():
    assert words_match("壹仟陆佰捌拾元叁角贰分", D("1680.32"))
    assert words_match("壹仟陆佰捌拾圆零叁角贰分", D("1680.32"))
    assert words_match("壹仟肆佰零玖元伍角", D("1409.50"))
    assert words_match("壹拾圆正", D("10"))
    assert not words_match("壹万陆仟肆佰零玖元贰分", D("16409.02"))  # 零 required when 角 is 0


def test_absurd_amount_in_an_xml_is_refused():
    text = SAMPLE.read_text(encoding="utf-8").replace("<Amount>150.03<", "<Amount>1E30<")
    with pytest.raises(InvoiceError) as error:
        parse_xml(text)
    assert error.value.field == "Amount"
