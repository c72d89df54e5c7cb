"""A platform's refund of a shipped line, seen on a later version of the order, becomes a refund-only case
once (by the platform's refund id) and is refunded in the books at once; an invoiced order's case waits
for the red invoice in the service queue."""

from decimal import Decimal

import pytest

from sihe.ledger.models import VoucherLine
from sihe.oms.aftersales.models import Case
from sihe.oms.models import Order
from tests.oms.conftest import load
from tests.oms.world import build

D = Decimal
pytestmark = pytest.mark.django_db


def trade(payload):
    return payload.get("trade_fullinfo_get_response", {}).get("trade", payload.get("trade", payload))


def net(code: str) -> Decimal:
    return sum((r.debit - r.credit for r in VoucherLine.objects.filter(account__code=code, voucher__status="posted")),
               D(0))


def shipped_taobao(api_as):
    build(stock={"SH": 4, "GZ": 4})
    service = api_as("service")
    order = service.post("/api/v1/channels/tb/orders", load("taobao")).json_body["order"]
    r = api_as("warehouse").post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": "SF9"})
    assert r.status_code == 200, r.json_body
    return order


def refunded_version(refund_id="880011223344556677", modified="2030-01-01 10:00:00", *, refund=True):
    """A later version: the second line's refund before shipping went through (the line closes); with
    `refund` the shipped first line is refunded too."""
    payload = load("taobao")
    t = trade(payload)
    t["modified"] = modified
    t["orders"]["order"][1].update({"status": "TRADE_CLOSED", "refund_status": "SUCCESS"})
    if refund:
        t["orders"]["order"][0].update({"refund_status": "SUCCESS", "refund_id": refund_id})
    return payload


def test_the_platforms_refund_of_a_shipped_line_is_booked_once(api_as):
    order = shipped_taobao(api_as)
    service = api_as("service")
    before = Order.objects.get(pk=order["id"])
    assert before.revenue_total == D("103.50")
    r = service.post("/api/v1/channels/tb/orders", refunded_version())
    assert r.status_code == 200, r.json_body
    case = Case.objects.get()
    assert (case.status, case.channel_ref, case.refund_amount, case.refund_via) == (
        "refunded", "880011223344556677", D("103.50"), "platform")
    after = Order.objects.get(pk=order["id"])
    assert after.revenue_total == D("0.00")
    assert net("1122") == D("0.00") and net("5001") == D("0.00") and net("2221.01.06") == D("0.00")
    # the same refund again (a later poll): nothing new
    again = service.post("/api/v1/channels/tb/orders", refunded_version(modified="2030-01-02 10:00:00"))
    assert again.status_code == 200 and Case.objects.count() == 1
    assert Order.objects.get(pk=order["id"]).revenue_total == D("0.00") and net("1122") == D("0.00")


def test_an_invoiced_orders_refund_waits_for_the_red_invoice(api_as):
    order = shipped_taobao(api_as)
    api_as("service").post("/api/v1/channels/tb/orders", refunded_version(modified="2029-12-31 10:00:00",
                                                                          refund=False))
    inv = api_as("accountant").post("/api/v1/invoices", {"orders": [order["id"]], "buyer_name": "张三"})
    assert inv.status_code == 201, inv.json_body
    api_as("service").post("/api/v1/channels/tb/orders", refunded_version())
    case = Case.objects.get()
    assert case.status == "open" and case.refunded_amount == D("0.00")
    assert Order.objects.get(pk=order["id"]).revenue_total == D("103.50")
    queue = api_as("service").get("/api/v1/aftersales").json_body
    assert [c["number"] for c in queue] == [case.number]
