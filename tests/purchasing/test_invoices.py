"""Supplier invoices (three-way match), payments and AP aging, on receipts scanned by the warehouse."""

import datetime
from decimal import Decimal

import pytest

from sihe.core.actor import Actor
from sihe.core.errors import Conflict, DomainError
from sihe.core.models import Event
from sihe.ledger.models import Voucher
from sihe.purchasing import selectors, services
from sihe.purchasing.models import PurchaseOrderLine, SupplierInvoice
from sihe.purchasing.services import InvoiceLine, OrderLine
from sihe.wms.inbound import services as inbound
from sihe.wms.inbound.models import Asn

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 11, 2)


def at(day: datetime.date, actor: Actor) -> Actor:
    return Actor(user_id=actor.user_id, username=actor.username, role=actor.role, via=actor.via,
                 at=datetime.datetime(day.year, day.month, day.day, 10, tzinfo=datetime.UTC))


@pytest.fixture
def received(wh, supplier, products, people):
    """A confirmed PO of 100 MILK at 4.50 and 50 TEA at 8.00, received 100 MILK and 40 TEA on DAY."""
    buyer = at(DAY, people["buyer"][1])
    po = services.create_order(supplier=supplier, warehouse=wh, actor=buyer, lines=[
        OrderLine(product=products["MILK"], qty="100", price="4.50"),
        OrderLine(product=products["TEA"], qty="50", price="8.00", field="lines[1]")])
    po = services.confirm(order=po, actor=buyer)
    asn = Asn.objects.get(pk=po.asn_id)
    clerk = at(DAY, Actor.system("clerk"))
    inbound.receive_scan(asn=asn, barcode=f"(01)0{products['MILK'].gtin}(10)M1(17)270630", qty="100", actor=clerk)
    inbound.receive_scan(asn=asn, barcode=f"(01)0{products['TEA'].gtin}", qty="40", actor=clerk)
    return po


def lines_of(voucher):
    return [(ln.account.code, ln.debit, ln.credit, ln.partner) for ln in voucher.lines.select_related("account")
            .order_by("seq")]


def test_receipts_show_on_the_order_at_once(received):
    progress = [(ln.product.sku, ln.qty, ln.received_qty, ln.received_value)
                for ln in PurchaseOrderLine.objects.filter(order=received).order_by("line_no")]
    assert progress == [("MILK", D(100), D(100), D("450.00")), ("TEA", D(50), D(40), D("320.00"))]
    received.refresh_from_db()
    assert received.status == "partially_received"
    event = Event.objects.filter(type="purchasing.po.received").last()
    assert event.payload["lines"] == [{"line": 1, "sku": "MILK", "ordered": "100", "received": "100"},
                                      {"line": 2, "sku": "TEA", "ordered": "50", "received": "40"}]


def test_invoice_within_tolerance_reverses_the_estimate_and_books_the_variance(received, products, people):
    acc = at(DAY + datetime.timedelta(days=3), people["accountant"][1])
    # MILK 100 at 4.55 (+1.1 %, tolerance 2 %), TEA 40 at 8.00
    inv = services.post_invoice(order=received, number="04400123", actor=acc, lines=[
        InvoiceLine(product=products["MILK"], qty="100", price="4.55"),
        InvoiceLine(product=products["TEA"], qty="40", price="8", field="lines[1]")])
    # net 455.00 + 320.00 = 775.00; tax 13 %: 59.15 + 41.60 = 100.75; estimate 450 + 320 = 770; variance 5.00
    assert (inv.net, inv.tax, inv.total, inv.estimate, inv.price_variance) == (
        D("775.00"), D("100.75"), D("875.75"), D("770.00"), D("5.00"))
    assert inv.due_date == datetime.date(2026, 12, 5)
    voucher = Voucher.objects.get(pk=inv.voucher_id)
    assert voucher.is_posted and voucher.date == datetime.date(2026, 11, 5)
    # a 专票: its tax waits in 待认证进项税额 until 勾选/认证 (tests/vat/test_taxpayer.py certifies it)
    assert lines_of(voucher) == [("2202.02", D("770.00"), D(0), ""), ("5401", D("5.00"), D(0), ""),
                                 ("2221.09", D("100.75"), D(0), ""), ("2202.01", D(0), D("875.75"), "S01")]
    assert list(PurchaseOrderLine.objects.order_by("line_no").values_list("invoiced_qty", "invoiced_value")) == [
        (D(100), D("450.00")), (D(40), D("320.00"))]
    assert Event.objects.get(type="purchasing.invoice.posted").payload["price_variance"] == "5.00"


def test_a_cheaper_invoice_credits_the_variance(received, products, people):
    acc = people["accountant"][1]
    inv = services.post_invoice(order=received, number="X1", actor=acc, invoice_date=DAY, lines=[
        InvoiceLine(product=products["TEA"], qty="40", price="7.90")])
    assert (inv.net, inv.estimate, inv.price_variance) == (D("316.00"), D("320.00"), D("-4.00"))
    assert lines_of(Voucher.objects.get(pk=inv.voucher_id)) == [
        ("2202.02", D("320.00"), D(0), ""), ("5401", D(0), D("4.00"), ""), ("2221.09", D("41.08"), D(0), ""),
        ("2202.01", D(0), D("357.08"), "S01")]


@pytest.mark.parametrize(("line", "field", "reason"), [
    ({"sku": "MILK", "qty": "100", "price": "4.60"}, "lines[0].price", "price"),  # +2.2 %
    ({"sku": "MILK", "qty": "100", "price": "4.40"}, "lines[0].price", "price"),  # −2.2 %
    ({"sku": "TEA", "qty": "41", "price": "8"}, "lines[0].qty", "quantity"),  # only 40 received
    ({"sku": "MILK", "qty": "100", "price": "4.5", "tax_rate": "0.09"}, "lines[0].tax_rate", "tax_rate"),
])
def test_outside_tolerance_is_refused_with_the_line_and_reason(received, products, people, line, field, reason):
    before = (Voucher.objects.count(), SupplierInvoice.objects.count())
    with pytest.raises(DomainError) as caught:
        services.post_invoice(order=received, number="BAD", actor=people["accountant"][1], invoice_date=DAY, lines=[
            InvoiceLine(product=products[line["sku"]], qty=line["qty"], price=line["price"],
                        tax_rate=line.get("tax_rate"))])
    assert (caught.value.code, caught.value.field, caught.value.extra["reason"]) == ("out_of_tolerance", field, reason)
    assert (Voucher.objects.count(), SupplierInvoice.objects.count()) == before
    assert list(PurchaseOrderLine.objects.values_list("invoiced_qty", flat=True)) == [D(0), D(0)]


def test_invoice_twice_and_over_invoicing_are_refused(received, products, people):
    acc = people["accountant"][1]
    services.post_invoice(order=received, number="A1", actor=acc, invoice_date=DAY,
                          lines=[InvoiceLine(product=products["TEA"], qty="25", price="8")])
    with pytest.raises(Conflict) as caught:
        services.post_invoice(order=received, number="A1", actor=acc, invoice_date=DAY,
                              lines=[InvoiceLine(product=products["TEA"], qty="1", price="8")])
    assert caught.value.code == "duplicate_invoice"
    with pytest.raises(DomainError) as caught:
        services.post_invoice(order=received, number="A2", actor=acc, invoice_date=DAY,
                              lines=[InvoiceLine(product=products["TEA"], qty="16", price="8")])
    assert caught.value.extra["open_qty"] == "15"
    # the rest (15) clears exactly what is left of the estimate: 320 − 200 = 120
    inv = services.post_invoice(order=received, number="A3", actor=acc, invoice_date=DAY,
                                lines=[InvoiceLine(product=products["TEA"], qty="15", price="8")])
    assert (inv.estimate, inv.price_variance) == (D("120.00"), D("0.00"))


def test_payments_allocate_oldest_first_and_aging_buckets(received, products, people):
    acc = people["accountant"][1]
    old = services.post_invoice(order=received, number="OLD", actor=acc, invoice_date=DAY,
                                lines=[InvoiceLine(product=products["TEA"], qty="20", price="8")])  # 180.80
    new = services.post_invoice(order=received, number="NEW", actor=acc, invoice_date=DAY + datetime.timedelta(days=40),
                                lines=[InvoiceLine(product=products["MILK"], qty="100", price="4.5")])  # 508.50
    assert (old.total, new.total) == (D("180.80"), D("508.50"))
    payment = services.pay(supplier=received.supplier, amount="200", actor=acc, date=DAY + datetime.timedelta(days=41))
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.paid, old.status, new.paid, new.status) == (D("180.80"), "paid", D("19.20"), "partially_paid")
    assert lines_of(Voucher.objects.get(pk=payment.voucher_id)) == [("2202.01", D("200.00"), D(0), "S01"),
                                                                    ("1002", D(0), D("200.00"), "")]
    # aging by invoice date on DAY + 100: NEW is 60 days old, 489.30 open
    report = selectors.ap_aging(as_of=DAY + datetime.timedelta(days=100))
    assert report["rows"] == [{"supplier": "S01", "name": "上海乳业有限公司", "0-30": D(0), "31-60": D("489.30"),
                               "61-90": D(0), "90+": D(0), "total": D("489.30"), "items": 1}]
    # as of DAY + 40, before the payment: OLD 40 days (31–60), NEW 0 days
    report = selectors.ap_aging(as_of=DAY + datetime.timedelta(days=40))
    assert {k: report["totals"][k] for k in ("0-30", "31-60", "total")} == {
        "0-30": D("508.50"), "31-60": D("180.80"), "total": D("689.30")}
    # by due date (30 days): OLD is 10 days overdue on DAY + 40
    report = selectors.ap_aging(as_of=DAY + datetime.timedelta(days=40), basis="due_date")
    assert report["totals"]["0-30"] == D("689.30")
    # more than is open is refused, nothing booked
    vouchers = Voucher.objects.count()
    with pytest.raises(DomainError) as caught:
        services.pay(supplier=received.supplier, amount="489.31", actor=acc)
    assert (caught.value.code, caught.value.field) == ("overpayment", "amount")
    assert Voucher.objects.count() == vouchers


def test_return_to_supplier_reverses_stock_and_the_estimate(received, products, people, api_as):
    from sihe.costing.checks import inventory_matches_ledger
    from sihe.ledger.services import period_of
    from sihe.stock.models import StockLevel

    api = api_as("manager")
    # 30 of the 40 TEA go back; TEA was received at 8.00, so the estimate falls by 240.00
    r = api.post(f"/api/v1/purchase-orders/{received.pk}/returns",
                 {"reason": "包装破损", "lines": [{"sku": "TEA", "qty": "30"}]})
    assert r.status_code == 201, r.json_body
    body = r.json_body
    assert (body["status"], body["estimate"], body["cost"], body["lines"]) == (
        "partially_received", "240.00", "240.00", [{"line": 2, "sku": "TEA", "qty": "30", "value": "240.00"}])
    assert StockLevel.objects.get(product=products["TEA"]).on_hand == D(10)
    assert lines_of(Voucher.objects.get(pk=body["voucher_id"])) == [("2202.02", D("240.00"), D(0), ""),
                                                                    ("1901", D(0), D("240.00"), "")]
    got = api.get(f"/api/v1/purchase-orders/{received.pk}").json_body
    assert [(ln["sku"], ln["received"]) for ln in got["lines"]] == [("MILK", "100"), ("TEA", "10")]
    # 2202.02 holds only what is still received and not invoiced (450 + 80), 1901 is clear, stock = books
    from django.utils import timezone

    from sihe.ledger import reports

    period = period_of(timezone.localdate())  # the return is dated today
    tb = {row["code"]: row["closing"] for row in reports.trial_balance(period)["rows"]}
    assert (tb["2202.02"], tb.get("1901", D(0)), tb["1405"]) == (D("530.00"), D(0), D("530.00"))
    assert inventory_matches_ledger(period)[0]
    # more than is left is refused, nothing changes
    r = api.post(f"/api/v1/purchase-orders/{received.pk}/returns", {"lines": [{"sku": "TEA", "qty": "11"}]})
    assert (r.status_code, r.json_body["field"], r.json_body["returnable"]) == (422, "lines[0].qty", "10")
    assert StockLevel.objects.get(product=products["TEA"]).on_hand == D(10)
