"""Issue 16: a red 数电发票 is issued against a 红字发票信息确认单 whose 20-digit number is captured — taken by
the API and the page, refused when missing, malformed or already used, shown on the page, the PDF face
(备注), the XML (`SpecificInformation/RedEInvoice/CreditNoteNumber`) and the JSON; and the red invoice
books the reversal of the revenue when revenue follows the invoice."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.numbering import peek
from sihe.invoicing import services
from sihe.invoicing.invoice import parse_confirmation_number
from sihe.invoicing.lines import InvoiceError
from sihe.invoicing.models import Invoice
from sihe.invoicing.services import RedLineIn
from sihe.invoicing.xml import parse_xml
from sihe.ledger.models import Voucher, VoucherLine
from sihe.oms import billing
from sihe.oms.models import Order, TimelineEntry

from .conftest import confirmation, revenue_at
from .test_pages import login
from .test_pdf import needs_poppler, pdf_text

pytestmark = pytest.mark.django_db
NUMBER = "31010000000000000042"


@pytest.fixture
def api(api_as, company):
    return api_as("accountant")


@pytest.fixture
def blue(company, make_order, actor):
    order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")], number="TB-R1")
    return billing.invoice_orders(orders=[order.pk], buyer_name="上海示例食品加工有限公司", actor=actor)


def red_url(invoice) -> str:
    return f"/api/v1/invoices/{invoice.pk}/red"


# -- the number itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["31010000000000000042", " 31010000000000000042\n", "3101 0000 0000 0000 0042",
                                   "3101\u30000000000000000042"])
def test_a_confirmation_number_is_20_digits_with_spaces_dropped(typed):
    assert parse_confirmation_number(typed) == NUMBER


@pytest.mark.parametrize("typed", [None, "", "   ", "3101000000000000004", "310100000000000000421", "3101000000000000004X",
                                   "３１０１００００００００００００００４２", "3101-0000-0000-0000-0042",
                                   31010000000000000042])
def test_anything_else_is_refused_naming_the_field(typed):
    with pytest.raises(InvoiceError) as refused:
        parse_confirmation_number(typed)
    assert refused.value.field == "confirmation_number"


# -- the API ------------------------------------------------------------------------------------


def test_the_api_takes_the_number_and_every_form_of_the_invoice_carries_it(api, blue, tmp_path):
    # when a red invoice is asked for with the 确认单 number (typed in groups)
    r = api.post(red_url(blue), {"confirmation_number": "3101 0000 0000 0000 0042", "reason": "退货 RMA-16",
                                 "lines": [{"line": 2, "qty": "1"}]})
    # then it is issued against it
    assert r.status_code == 201, r.json_body
    red = r.json_body
    assert red["kind"] == "red" and red["confirmation_number"] == NUMBER and red["total"] == "-378.22"
    assert red["remark"] == (f"被红冲蓝字数电票号码：{blue.number} 红字发票信息确认单编号：{NUMBER}\n退货 RMA-16")
    assert api.get(f"/api/v1/invoices/{red['id']}").json_body["confirmation_number"] == NUMBER
    assert api.get(f"/api/v1/invoices/{blue.pk}").json_body["confirmation_number"] == ""
    # and the XML names it in RedEInvoice/CreditNoteNumber, next to the blue number
    xml = api.get(f"/api/v1/invoices/{red['id']}?format=xml").content
    assert f"<CreditNoteNumber>{NUMBER}</CreditNoteNumber>".encode() in xml
    parsed = parse_xml(xml)
    assert parsed.problems() == []
    assert (parsed.invoice.red.original_number, parsed.invoice.red.confirmation_number) == (blue.number, NUMBER)
    # and the timeline of the order keeps it
    entry = TimelineEntry.objects.get(kind="invoice_reversed")
    assert entry.data["confirmation_number"] == NUMBER


@needs_poppler
def test_the_pdf_face_shows_the_number_in_its_remark(api, blue, tmp_path):
    r = api.post(red_url(blue), {"confirmation_number": NUMBER, "reason": "整单退货"})
    assert r.status_code == 201, r.json_body
    text = pdf_text(api.get(f"/api/v1/invoices/{r.json_body['id']}?format=pdf").content, tmp_path)
    assert "红字发票信息确认单编号" in text and NUMBER in text and blue.number in text
    assert "（负数）壹仟贰佰叁拾肆圆伍角陆分" in text


@needs_poppler
def test_a_red_invoice_whose_remark_lacks_the_number_still_shows_it_on_the_face(blue, actor, tmp_path):
    from dataclasses import replace

    from sihe.invoicing.pdf import render_pdf

    red = services.issue_red_invoice(invoice=blue, confirmation_number=NUMBER, reason="整单退货", actor=actor)
    face = replace(services.to_pure(red), remark="退货")
    text = pdf_text(render_pdf(face), tmp_path)
    assert NUMBER in text and "退货" in text


@pytest.mark.parametrize(("body", "status"), [
    ({}, 422),
    ({"confirmation_number": ""}, 422),
    ({"confirmation_number": None}, 422),
    ({"confirmation_number": "123"}, 422),
    ({"confirmation_number": "3101000000000000004X"}, 422),
    ({"confirmation_number": "310100000000000000421"}, 422),
    ({"confirmation_number": "3" * 41}, 422),
    ({"confirmation_number": 31010000000000000042}, 422),
])
def test_without_or_with_a_wrong_number_is_422_naming_it_and_changes_nothing(api, blue, body, status):
    r = api.post(red_url(blue), {"reason": "退货", **body})
    assert (r.status_code, r.json_body["field"]) == (status, "confirmation_number"), r.json_body
    assert Invoice.objects.count() == 1 and peek("invoicing.invoice", period=str(blue.issue_date.year)) == 1
    blue.refresh_from_db()
    assert blue.status == "issued"


def test_a_number_used_once_is_409_for_a_second_red_invoice(api, blue, company, make_order, actor):
    # given a red invoice for one T-shirt against 确认单 NUMBER
    first = api.post(red_url(blue), {"confirmation_number": NUMBER, "reason": "退货 1",
                                     "lines": [{"line": 2, "qty": "1"}]}).json_body
    # when the rest of the same invoice, or another invoice, is reversed against the same 确认单
    other = billing.invoice_orders(orders=[make_order([("CUP-1", "2", "199.80")], number="TB-R2").pk],
                                   buyer_name="甲", actor=actor)
    for invoice in (blue, other):
        r = api.post(red_url(invoice), {"confirmation_number": f" {NUMBER} ", "reason": "退货 2"})
        # then it is refused naming the field and the red invoice that used it, and nothing changes
        assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (
            409, "confirmation_number_used", "confirmation_number"), r.json_body
        assert first["number"] in r.json_body["message"] and NUMBER in r.json_body["message"]
    assert Invoice.objects.filter(kind="red").count() == 1
    assert peek("invoicing.invoice", period=str(blue.issue_date.year)) == 3
    # and another 确认单 reverses the rest
    r = api.post(red_url(blue), {"confirmation_number": confirmation(), "reason": "退货 2"})
    assert r.status_code == 201 and r.json_body["total"] == "-856.34"


def test_the_database_refuses_a_second_red_invoice_on_one_number(blue, actor):
    # given a red invoice written past the service's check (as a racing act would)
    red = services.issue_red_invoice(invoice=blue, lines=[RedLineIn(line=1)], confirmation_number=NUMBER,
                                     reason="退货", actor=actor)
    row = {f.attname: getattr(red, f.attname) for f in Invoice._meta.concrete_fields if f.attname != "id"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(**{**row, "number": "26310000000000099999"})
    # but blue invoices (no number) are not counted
    Invoice.objects.create(**{**row, "number": "26310000000000099998", "kind": "blue", "red_of_id": None,
                              "confirmation_number": "", "amount": D("1"), "tax": D("0"), "total": D("1")})


def test_the_service_refuses_the_same_way(blue, actor):
    with pytest.raises(ValidationFailed) as refused:
        services.issue_red_invoice(invoice=blue, confirmation_number="", reason="退货", actor=actor)
    assert refused.value.field == "confirmation_number"
    services.issue_red_invoice(invoice=blue, lines=[RedLineIn(line=1)], confirmation_number=NUMBER, reason="退货",
                               actor=actor)
    with pytest.raises(Conflict) as refused:
        billing.reverse_invoice(invoice=blue, confirmation_number=NUMBER, reason="退货", actor=actor)
    assert (refused.value.code, refused.value.field) == ("confirmation_number_used", "confirmation_number")


# -- revenue follows the invoice ------------------------------------------------------------------


def voucher_lines(rule: str, order: Order) -> list:
    rows = VoucherLine.objects.filter(voucher__rule=rule, voucher__source_type="oms.order",
                                      voucher__source_id=str(order.pk))
    return sorted(rows.values_list("account__code", "debit", "credit"))


def test_a_red_invoice_books_the_reversal_when_revenue_follows_the_invoice(api, company, make_order, actor):
    # given revenue recognised at invoice, and an order of 1 cup (99.90) and 3 T-shirts (1134.66) invoiced
    revenue_at("invoice")
    order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")], number="TB-REV")
    blue = billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=actor)
    assert voucher_lines("sales.revenue", order) == [("1122", D("1234.56"), D("0")),
                                                     ("2221.01.06", D("0"), D("142.03")),
                                                     ("5001", D("0"), D("1092.53"))]
    # when one T-shirt comes back, through the API, against a 确认单: 334.71 + 43.51 = 378.22
    r = api.post(red_url(blue), {"confirmation_number": NUMBER, "reason": "退货 RMA-16",
                                 "lines": [{"line": 2, "qty": "1"}]})
    assert r.status_code == 201, r.json_body
    # then the reversal is booked: 应收账款 credited, 主营业务收入 and 销项税额 debited, for that order
    assert voucher_lines("sales.revenue.reverse", order) == [("1122", D("0"), D("378.22")),
                                                             ("2221.01.06", D("43.51"), D("0")),
                                                             ("5001", D("334.71"), D("0"))]
    voucher = Voucher.objects.get(rule="sales.revenue.reverse")
    assert r.json_body["number"] in voucher.memo
    order.refresh_from_db()
    assert order.revenue_total == D("856.34")
    entry = TimelineEntry.objects.get(order=order, kind="invoice_reversed")
    assert entry.data["voucher"] == voucher.display_number and entry.data["confirmation_number"] == NUMBER
    # when the rest comes back, the remainder is reversed and the order's revenue nets to zero
    r = api.post(red_url(blue), {"confirmation_number": confirmation(), "reason": "整单退货"})
    assert r.status_code == 201, r.json_body
    lines = VoucherLine.objects.filter(voucher__source_id=str(order.pk))
    for code in ("1122", "2221.01.06", "5001"):
        rows = lines.filter(account__code=code)
        assert sum(x.debit for x in rows) == sum(x.credit for x in rows), code
    order.refresh_from_db()
    assert order.revenue_total == D("0.00") and order.revenue_booked is False


def test_a_red_invoice_books_nothing_when_revenue_follows_the_shipment(api, company, make_order, actor):
    revenue_at("shipment")
    order = make_order([("CUP-1", "1", "99.90")], number="TB-SHIP")
    blue = billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=actor)
    r = api.post(red_url(blue), {"confirmation_number": NUMBER, "reason": "整单退货"})
    assert r.status_code == 201, r.json_body
    assert not Voucher.objects.filter(rule="sales.revenue.reverse").exists()


# -- the page -------------------------------------------------------------------------------------


def test_the_red_form_asks_for_the_number_and_a_wrong_one_keeps_what_was_typed(blue, make_user):
    client = login(make_user, "accountant")
    page = client.get(f"/invoices/{blue.pk}/").content.decode()
    assert "红字发票信息确认单编号" in page and 'name="confirmation_number"' in page
    # a malformed number is refused next to the field, with what was typed kept, and nothing issued
    r = client.post(f"/invoices/{blue.pk}/red/", {"scope": "lines", "qty_2": "1", "reason": "退货 RMA-77",
                                                  "confirmation_number": "12345"})
    page = r.content.decode()
    assert r.status_code == 422 and "confirmation_number" in page and "20" in page
    assert 'value="退货 RMA-77"' in page and 'value="12345"' in page and 'name="qty_2" value="1"' in page
    assert Invoice.objects.count() == 1
    # the right one issues the red invoice, whose page shows the number
    r = client.post(f"/invoices/{blue.pk}/red/", {"scope": "lines", "qty_2": "1", "reason": "退货 RMA-77",
                                                  "confirmation_number": NUMBER})
    red = Invoice.objects.get(kind="red")
    assert r.status_code == 302 and red.confirmation_number == NUMBER
    page = client.get(r["Location"]).content.decode()
    assert f'data-field="confirmation_number">{NUMBER}<' in page
    # and the same number again is a 409 on the blue invoice's page
    r = client.post(f"/invoices/{blue.pk}/red/", {"reason": "余下", "confirmation_number": NUMBER})
    assert r.status_code == 409 and red.number in r.content.decode()
