"""Issuing 数电发票 and red (负数) invoices through the services, on a real database."""

import datetime
from decimal import Decimal as D

import pytest

from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.models import AuditEntry, Event, NumberSeries
from sihe.invoicing import services
from sihe.invoicing.invoice import parse_invoice_number
from sihe.invoicing.models import Invoice, InvoiceLine, InvoiceSource
from sihe.invoicing.services import InvoiceLineIn, RedLineIn
from sihe.invoicing.xml import parse_xml

from .conftest import confirmation

pytestmark = pytest.mark.django_db

RICE, WHEAT, GOODS = "1010101010000000000", "1010101020000000000", "1090511010000000000"
BUYER_ID = "91350100M000100Y43"  # the published USCC sample


def sample_lines():
    """The lines of samples/einvoice-shudian.xml: 3 × 50.01 and 7 × 12.3456 @9% (tax exclusive)."""
    return [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", qty=3, unit_price="50.01", spec="一等",
                          unit="千克"),
            InvoiceLineIn(name="稻谷小麦", short_name="谷物", tax_code=WHEAT, tax_rate="9%", qty=7,
                          unit_price="12.3456", unit="千克")]


def test_tax_exclusive_invoice_matches_the_reference_sample(company, actor):
    # when the sample's lines are invoiced
    invoice = services.issue_invoice(buyer_name="上海示例食品加工有限公司", buyer_tax_id=BUYER_ID,
                                     lines=sample_lines(), sources=[], actor=actor)
    # then line and invoice totals are the reference's: 150.03 + 13.50, 86.42 + 7.78; 236.45 + 21.28 = 257.73
    rows = list(invoice.lines.order_by("seq").values_list("name", "amount", "tax", "rate"))
    assert rows == [("*谷物*稻谷", D("150.03"), D("13.50"), D("0.0900")),
                    ("*谷物*稻谷小麦", D("86.42"), D("7.78"), D("0.0900"))]
    invoice.refresh_from_db()
    assert (invoice.amount, invoice.tax, invoice.total) == (D("236.45"), D("21.28"), D("257.73"))
    assert invoice.total_in_words == "贰佰伍拾柒圆柒角叁分"
    assert invoice.seller_tax_id == company.credit_code and invoice.kind == "blue" and invoice.status == "issued"


def test_tax_inclusive_ecommerce_lines_keep_what_the_buyer_paid(company, actor):
    # when 99.90 and 1134.66 (tax included) at 13% are invoiced
    invoice = services.issue_invoice(buyer_name="张三", lines=[
        InvoiceLineIn(name="*日用杂品*陶瓷马克杯", tax_code=GOODS, tax_rate="0.13", qty=1, gross="99.90"),
        InvoiceLineIn(name="*日用杂品*保温杯", tax_code=GOODS, tax_rate="0.13", qty=3, gross="1134.66"),
    ], sources=[("oms.order", "7", "TB-1")], actor=actor)
    # then 99.90 → 88.41 + 11.49 and 1134.66 → 1004.12 + 130.54; 价税合计 1234.56 in 大写
    assert list(invoice.lines.values_list("amount", "tax")) == [(D("88.41"), D("11.49")), (D("1004.12"), D("130.54"))]
    assert (invoice.amount, invoice.tax, invoice.total) == (D("1092.53"), D("142.03"), D("1234.56"))
    assert invoice.total_in_words == "壹仟贰佰叁拾肆圆伍角陆分"
    assert invoice.lines.get(seq=2).unit_price == D("334.70666667")


def test_a_discount_becomes_a_discount_line(company, actor):
    invoice = services.issue_invoice(buyer_name="李四", lines=[
        InvoiceLineIn(name="*服装*T恤", tax_code=GOODS, tax_rate="0.13", qty=2, gross="200.00", discount="20.00")],
        sources=[], actor=actor)
    rows = list(invoice.lines.values_list("row", "amount", "tax", "qty"))
    assert rows == [("discounted", D("176.99"), D("23.01"), D("2")), ("discount", D("-17.70"), D("-2.30"), None)]
    assert invoice.total == D("180.00")


def test_numbers_are_20_digits_gapless_per_year(company, actor):
    # when three invoices are issued, the second refused half-way (bad line) and one dated last year
    first = services.issue_invoice(buyer_name="甲", lines=sample_lines(), sources=[], actor=actor)
    with pytest.raises(ValidationFailed):
        services.issue_invoice(buyer_name="乙", lines=[*sample_lines(), InvoiceLineIn(
            name="*谷物*稻谷", tax_code="123", tax_rate="0.09", qty=1, unit_price="1")], sources=[], actor=actor)
    second = services.issue_invoice(buyer_name="丙", lines=sample_lines(), sources=[], actor=actor)
    last_year = datetime.date(actor.at.year - 1, 12, 31)
    old = services.issue_invoice(buyer_name="丁", lines=sample_lines(), sources=[], actor=actor, date=last_year)
    # then year · province 31 (from the seller's credit code) · channel · 15-digit sequence, no hole
    yy = f"{actor.at.year % 100:02d}"
    assert first.number == f"{yy}312000000000000001"
    assert second.number == f"{yy}312000000000000002"
    assert old.number == f"{(actor.at.year - 1) % 100:02d}312000000000000001"
    assert parse_invoice_number(first.number).region == "31"
    assert dict(NumberSeries.objects.filter(series="invoicing.invoice").values_list("period", "last")) == {
        str(actor.at.year): 2, str(actor.at.year - 1): 1}


def test_issue_writes_audit_and_emits_the_event(company, actor):
    invoice = services.issue_invoice(buyer_name="甲公司", buyer_tax_id=BUYER_ID.lower(), lines=sample_lines(),
                                     sources=[("oms.order", "12", "SO-12")], actor=actor)
    event = Event.objects.get(type="invoicing.invoice.issued")
    assert event.payload == {
        "id": invoice.pk, "number": invoice.number, "kind": "blue", "red_of": None,
        "issue_date": invoice.issue_date.isoformat(), "buyer": {"name": "甲公司", "tax_id": BUYER_ID},
        "amount": "236.45", "tax": "21.28", "total": "257.73",
        "sources": [{"source_type": "oms.order", "source_id": "12", "source_number": "SO-12"}]}
    assert AuditEntry.objects.filter(object_type="invoicing.invoice", object_id=str(invoice.pk)).count() == 5


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"buyer_name": "  "}, "buyer_name"),
    ({"buyer_name": "甲", "buyer_tax_id": "91350100M000100Y44"}, "buyer_tax_id"),
    ({"buyer_name": "甲", "buyer_tax_id": "12345"}, "buyer_tax_id"),
    ({"buyer_name": "甲", "lines": []}, "lines"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.07", qty=1,
                                                   unit_price="1")]}, "lines[0].tax_rate"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="稻谷", tax_code=RICE, tax_rate="0.09", qty=1,
                                                   unit_price="1")]}, "lines[0].short_name"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", qty=0,
                                                   unit_price="1")]}, "lines[0].qty"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", qty=1,
                                                   unit_price="1", gross="1.09")]}, "lines[0].gross"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", qty=1,
                                                   unit_price="1"),
                                     InvoiceLineIn(name="*谷物*小麦", tax_code=WHEAT, tax_rate="0.09", qty=1,
                                                   gross="1.09")]}, "lines[1].gross"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", qty=3,
                                                   unit_price="50.01", amount="150.05")]}, "lines[0].amount"),
    ({"buyer_name": "甲", "lines": [InvoiceLineIn(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", qty="x",
                                                   unit_price="1")]}, "lines[0].qty"),
    ({"buyer_name": "甲", "sources": [("oms.order", "1", "A"), ("oms.order", "1", "A")]}, "sources[1]"),
])
def test_refusals_name_the_field_and_change_nothing(company, actor, kwargs, field):
    kwargs = {"lines": sample_lines(), "sources": [], **kwargs}
    with pytest.raises(ValidationFailed) as refused:
        services.issue_invoice(actor=actor, **kwargs)
    assert refused.value.field == field
    assert Invoice.objects.count() == 0 and not NumberSeries.objects.filter(series="invoicing.invoice").exists() and Event.objects.count() == 0


def test_a_document_is_on_one_invoice_until_it_is_fully_reversed(company, actor):
    blue = services.issue_invoice(buyer_name="甲", lines=sample_lines(), sources=[("oms.order", "5", "SO-5")],
                                  actor=actor)
    with pytest.raises(Conflict) as refused:
        services.issue_invoice(buyer_name="甲", lines=sample_lines(), sources=[("oms.order", "5", "SO-5")], actor=actor)
    assert refused.value.code == "already_invoiced" and blue.number in refused.value.message
    services.issue_red_invoice(invoice=blue, confirmation_number=confirmation(), reason="整单退货", actor=actor)
    again = services.issue_invoice(buyer_name="甲", lines=sample_lines(), sources=[("oms.order", "5", "SO-5")],
                                   actor=actor)
    assert list(InvoiceSource.objects.filter(active=True).values_list("invoice", flat=True)) == [again.pk]


def test_whole_red_invoice_mirrors_the_blue_one(company, actor):
    blue = services.issue_invoice(buyer_name="甲", buyer_tax_id=BUYER_ID, lines=sample_lines(), sources=[],
                                  actor=actor)
    red = services.issue_red_invoice(invoice=blue, confirmation_number=confirmation(), reason="整单退货", actor=actor)
    assert (red.kind, red.red_of_id, red.amount, red.tax, red.total) == ("red", blue.pk, D("-236.45"), D("-21.28"),
                                                                          D("-257.73"))
    assert red.total_in_words == "（负数）贰佰伍拾柒圆柒角叁分"
    assert list(red.lines.values_list("qty", "amount", "tax")) == [(D("-3"), D("-150.03"), D("-13.50")),
                                                                   (D("-7"), D("-86.42"), D("-7.78"))]
    blue.refresh_from_db()
    assert blue.status == "reversed"
    event = Event.objects.filter(type="invoicing.invoice.issued").order_by("id").last()
    assert (event.payload["kind"], event.payload["red_of"], event.payload["total"]) == ("red", blue.number, "-257.73")
    parsed = parse_xml(services.to_xml(red))
    assert parsed.problems() == [] and parsed.invoice.red.original_number == blue.number
    with pytest.raises(Conflict):
        services.issue_red_invoice(invoice=blue, confirmation_number=confirmation(), reason="再退", actor=actor)
    with pytest.raises(Conflict):
        services.issue_red_invoice(invoice=red, confirmation_number=confirmation(), reason="红冲红", actor=actor)


def test_partial_returns_never_exceed_what_is_left_and_net_to_zero(company, actor):
    # given 3 × 50.01 and 7 × 12.3456
    blue = services.issue_invoice(buyer_name="甲", lines=sample_lines(), sources=[], actor=actor)
    # when 1 kg of rice comes back: 50.01 + 4.50 (half up of 4.5009)
    red1 = services.issue_red_invoice(invoice=blue, lines=[RedLineIn(line=1, qty="1")],
                                      confirmation_number=confirmation(), reason="退货1", actor=actor)
    assert (red1.amount, red1.tax, red1.total) == (D("-50.01"), D("-4.50"), D("-54.51"))
    blue.refresh_from_db()
    assert blue.status == "partly_reversed"
    # then 3 more are refused: only 2 are left
    with pytest.raises(ValidationFailed) as refused:
        services.issue_red_invoice(invoice=blue, lines=[RedLineIn(line=1, qty="3")],
                                   confirmation_number=confirmation(), reason="多退", actor=actor)
    assert refused.value.field == "lines[0].qty" and "2" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        services.issue_red_invoice(invoice=blue, lines=[RedLineIn(line=9, qty="1")],
                                   confirmation_number=confirmation(), reason="x", actor=actor)
    assert refused.value.field == "lines[0].line"
    # when the rest is reversed (lines omitted): exactly what is left, so every line nets to zero
    red2 = services.issue_red_invoice(invoice=blue, confirmation_number=confirmation(), reason="余下退货", actor=actor)
    assert list(red2.lines.values_list("qty", "amount", "tax")) == [(D("-2"), D("-100.02"), D("-9.00")),
                                                                    (D("-7"), D("-86.42"), D("-7.78"))]
    assert red1.total + red2.total == -blue.total
    blue.refresh_from_db()
    assert blue.status == "reversed"
    for line in InvoiceLine.objects.filter(invoice=blue):
        assert line.amount + sum(r.amount for r in line.red_lines.all()) == 0


def test_rendering_xml_pdf_and_json(company, actor):
    invoice = services.issue_invoice(buyer_name="上海示例食品加工有限公司", buyer_tax_id=BUYER_ID,
                                     lines=sample_lines(), sources=[("oms.order", "3", "SO-3")], actor=actor)
    parsed = parse_xml(services.to_xml(invoice))
    assert parsed.problems() == []
    assert parsed.invoice.number == invoice.number and parsed.stated.total == D("257.73")
    assert services.to_pdf(invoice)[:5] == b"%PDF-"
    body = services.to_json(Invoice.objects.get(pk=invoice.pk))
    assert body["total"] == "257.73" and body["total_in_words"] == "贰佰伍拾柒圆柒角叁分"
    assert body["lines"][1] | {"unit_price": None} == {
        "line": 2, "row": "normal", "name": "*谷物*稻谷小麦", "tax_code": WHEAT, "spec": "", "unit": "千克", "qty": "7",
        "unit_price": None, "amount": "86.42", "tax_rate": "0.09", "exempt": False, "tax": "7.78", "total": "94.20",
        "sku": "", "source_id": ""}
    assert body["qr_text"] == f"01,32,,{invoice.number},257.73,{invoice.issue_date:%Y%m%d},,,"


def test_no_company_no_invoice(actor, db):
    with pytest.raises(ValidationFailed) as refused:
        services.issue_invoice(buyer_name="甲", lines=sample_lines(), sources=[], actor=actor)
    assert refused.value.field == "company"


def test_an_invoice_issued_after_midnight_beijing_time_carries_that_day(company, clock):
    # given 00:30 on 6 December in Beijing, still 5 December in UTC
    clock.at(2026, 12, 6, hour=0, minute=30)
    # when an invoice is issued
    invoice = services.issue_invoice(buyer_name="上海示例食品加工有限公司", buyer_tax_id=BUYER_ID,
                                     lines=sample_lines(), sources=[("oms.order", "4", "SO-4")],
                                     actor=Actor.system("test"))
    # then its date, QR code and XML all say the 6th
    assert invoice.issue_date == datetime.date(2026, 12, 6)
    assert services.to_json(invoice)["qr_text"].split(",")[5] == "20261206"
    assert parse_xml(services.to_xml(invoice)).invoice.issued_at.date() == datetime.date(2026, 12, 6)
