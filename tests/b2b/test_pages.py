"""The B2B pages in zh-Hans: a quotation made on the page with the group's break price, 满减 and gift,
taken through its acts to an order; a receipt entered on the money page over two orders; the statement
page with its Excel and PDF."""

from decimal import Decimal

import pytest

from sihe.oms.b2b.models import Quotation, Receipt
from sihe.oms.models import Order

from .world import dealer_world

D = Decimal
pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_quotation_page_to_order_and_money_and_statement(web_as, clock):
    dealer_world()
    service = web_as("service")
    form = text(service.get("/b2b/quotations/new/"))
    assert 'id="quotation-form"' in form and "新建报价单" in form
    r = service.post("/b2b/quotations/new/", {"partner": "C-DEALER-01", "name": "王经理", "phone": "13800000000",
                                              "sku_0": "TEE-BLK-M", "qty_0": "12", "sku_1": "CAP-RED", "qty_1": "7"},
                     follow=True)
    page = text(r)
    q = Quotation.objects.get()
    assert q.total == D("743.31")
    assert q.number in page and "满500减30" in page and "赠品" in page and "743.31" in page
    # a bad line is refused on the page, naming it, and nothing is made
    r = service.post("/b2b/quotations/new/", {"partner": "C-DEALER-01", "sku_0": "NOPE", "qty_0": "1"})
    assert r.status_code == 422 and "lines[0].sku" in text(r) and Quotation.objects.count() == 1
    for act in ("send", "accept", "convert"):
        r = service.post(f"/b2b/quotations/{q.pk}/{act}/", follow=True)
        assert r.status_code == 200
    q.refresh_from_db()
    order = Order.objects.get(pk=q.order_id)
    assert q.status == "converted" and order.status == "allocated"
    page = text(service.get(f"/b2b/quotations/{q.pk}/"))
    assert 'id="order-link"' in page and order.number in page and "已转订单" in page
    listing = text(service.get("/b2b/quotations/"))
    assert q.number in listing and order.number in listing

    # the warehouse ships; the accountant enters one receipt on the money page
    r = web_as("warehouse").post(f"/orders/{order.pk}/act/ship/", {"carrier": "SF", "tracking_no": "SF9"})
    assert r.status_code == 302
    accountant = web_as("accountant")
    r = accountant.post("/b2b/receipts/", {"kind": "receipt", "partner": "C-DEALER-01", "amount": "800.00",
                                           "date": "2026-12-02", "allocations": f"{order.number} 743.31"},
                        follow=True)
    page = text(r)
    receipt = Receipt.objects.get()
    assert (receipt.amount, receipt.unapplied) == (D("800.00"), D("56.69"))
    assert receipt.number in page and "56.69" in page
    # the service team may not take money in
    assert service.post("/b2b/receipts/", {"kind": "receipt", "partner": "C-DEALER-01", "amount": "1"}).status_code == 403

    st = text(accountant.get("/b2b/statement/?partner=C-DEALER-01&from=2026-12-01&to=2026-12-31"))
    assert 'id="statement"' in st and "期初余额" in st and "-56.69" in st
    r = accountant.get("/b2b/statement/?partner=C-DEALER-01&from=2026-12-01&to=2026-12-31&format=pdf")
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = accountant.get("/b2b/statement/?partner=C-DEALER-01&from=2026-12-01&to=2026-12-31&format=xlsx")
    assert r.content.startswith(b"PK")
    assert "一级经销商" in text(service.get("/b2b/prices/"))
