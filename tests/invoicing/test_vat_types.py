"""Invoice types and 免税 lines (issue 17): a buyer with a tax id may ask for 电子发票（增值税专用发票）; a 免税
line prints 免税 and tax *** (china-formats.md §4.3); a 小规模纳税人 invoices at its 征收率 only."""

import subprocess
from decimal import Decimal as D

import pytest

from sihe.core.errors import ValidationFailed
from sihe.invoicing import services
from sihe.invoicing.services import InvoiceLineIn
from sihe.invoicing.xml import parse_xml
from sihe.ledger.vat import services as vat

pytestmark = pytest.mark.django_db

GOODS, BOOKS = "1090511010000000000", "1060101000000000000"
BUYER_ID = "91350100M000100Y43"


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_special_invoice_with_an_exempt_line(company, actor, tmp_path):
    # 2 × 500.00 @13% = 1,000.00 + 130.00; 免税 books 3 × 40.00 = 120.00 + 0 → 1,120.00 + 130.00 = 1,250.00
    invoice = services.issue_invoice(
        buyer_name="上海示例食品加工有限公司", buyer_tax_id=BUYER_ID, vat_type="special", sources=[], actor=actor,
        lines=[InvoiceLineIn(name="*日用杂品*收纳箱", tax_code=GOODS, tax_rate="0.13", qty=2, unit_price="500"),
               InvoiceLineIn(name="*图书*会计基础", tax_code=BOOKS, tax_rate="免税", qty=3, unit_price="40")])
    assert invoice.vat_type == "special"
    assert list(invoice.lines.order_by("seq").values_list("amount", "tax", "exempt")) == [
        (D("1000.00"), D("130.00"), False), (D("120.00"), D("0.00"), True)]
    assert (invoice.amount, invoice.tax, invoice.total) == (D("1120.00"), D("130.00"), D("1250.00"))

    text = pdf_text(services.to_pdf(invoice), tmp_path)
    assert "电子发票（增值税专用发票）" in text
    exempt_row = next(row for row in text.splitlines() if "会计基础" in row)
    assert "免税" in exempt_row and "***" in exempt_row and "120.00" in exempt_row

    xml = services.to_xml(invoice)
    assert "<TaxRate>免税</TaxRate>" in xml.decode() and "<ComTaxAm>***</ComTaxAm>" in xml.decode()
    parsed = parse_xml(xml)
    assert parsed.problems() == []
    assert [line.exempt for line in parsed.invoice.lines] == [False, True]
    assert services.to_json(invoice)["lines"][1]["tax_rate"] == "免税"


def test_a_special_invoice_needs_the_buyers_tax_id(company, actor):
    with pytest.raises(ValidationFailed) as err:
        services.issue_invoice(buyer_name="张三", vat_type="special", sources=[], actor=actor, lines=[
            InvoiceLineIn(name="*日用杂品*收纳箱", tax_code=GOODS, tax_rate="0.13", qty=1, unit_price="10")])
    assert (err.value.code, err.value.field) == ("special_needs_tax_id", "buyer_tax_id")


def test_a_small_scale_seller_invoices_at_its_levy_rate(company, actor):
    vat.set_tax_profile(actor=actor, taxpayer_type="small", levy_rate="0.01")
    line = dict(name="*日用杂品*收纳箱", tax_code=GOODS, qty=1, unit_price="10000")
    with pytest.raises(ValidationFailed) as err:
        services.issue_invoice(buyer_name="甲", sources=[], actor=actor, lines=[InvoiceLineIn(tax_rate="0.13", **line)])
    assert (err.value.code, err.value.field) == ("not_a_levy_rate", "lines[0].tax_rate")
    invoice = services.issue_invoice(buyer_name="甲", buyer_tax_id=BUYER_ID, vat_type="special", sources=[],
                                     actor=actor, lines=[InvoiceLineIn(tax_rate="0.01", **line)])
    assert (invoice.amount, invoice.tax, invoice.total) == (D("10000.00"), D("100.00"), D("10100.00"))


def test_the_seller_and_its_taxpayer_type_are_one_read(company, actor, django_assert_num_queries):
    """Issue 18: every invoice reads its seller and whether it is a 小规模纳税人 in one statement; a company that
    never set a tax profile is a 一般纳税人 and may invoice at 13%."""
    from sihe.invoicing.services import _seller_row
    from sihe.ledger.vat import selectors

    with django_assert_num_queries(1):
        row = _seller_row()
    assert (row.name, row.taxpayer_type, selectors.is_small(row.taxpayer_type)) == (company.name, None, False)
    general = services.issue_invoice(buyer_name="乙", sources=[], actor=actor, lines=[
        InvoiceLineIn(name="*日用杂品*收纳箱", tax_code=GOODS, tax_rate="0.13", qty=1, unit_price="100")])
    assert general.tax == D("13.00")
    vat.set_tax_profile(actor=actor, taxpayer_type="small", levy_rate="0.03")
    with django_assert_num_queries(1):
        row = _seller_row()
    assert (row.taxpayer_type, selectors.is_small(row.taxpayer_type)) == ("small", True)
    assert selectors.is_small(row.taxpayer_type) == selectors.is_small_scale()
