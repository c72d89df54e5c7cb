"""合单: two orders of one dealer to one address ship as one shipment (one pick per SKU, summed), are
shipped once and invoiced apart, each order with its own revenue, cost and invoice to the fen; undone
before picking; refused naming the rule an order breaks."""

from decimal import Decimal

import pytest
from django.conf import settings

from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.ledger.models import VoucherLine
from sihe.oms.merging.models import Merge, MergeLine
from sihe.oms.models import Order, OrderLine
from sihe.stock.models import Reservation, StockLevel
from sihe.wms import shipping
from sihe.wms.models import Shipment
from sihe.wms.outbound.models import PickTask

from .world import build, dealer_order

D = Decimal
pytestmark = pytest.mark.django_db
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def net(code: str) -> Decimal:
    return sum((r.debit - r.credit for r in VoucherLine.objects.filter(account__code=code, voucher__status="posted")),
               D(0))


def intake(api_as, body: dict) -> dict:
    r = api_as("service").post("/api/v1/channels/dealer/orders", body)
    assert r.status_code in (200, 201), r.json_body
    return r.json_body["order"]


@pytest.fixture
def two(api_as):
    world = build(stock={"SH": 10})
    a = intake(api_as, dealer_order("D-7001", 2, "50.00"))
    b = intake(api_as, {**dealer_order("D-7002", 3, "45.00"), "paid_at": "2026-11-25T15:00:00+08:00"})
    return {**world, "a": a, "b": b}


def own_shipments(order_id: int) -> list[Shipment]:
    return list(Shipment.objects.filter(source_type="oms.order", source_id=str(order_id)).order_by("pk"))


def test_two_orders_merged_picked_as_one_shipped_once_and_invoiced_apart(two, api_as):
    service, warehouse = api_as("service"), api_as("warehouse")
    a, b = two["a"], two["b"]
    assert [s.state for s in own_shipments(a["id"]) + own_shipments(b["id"])] == ["pending", "pending"]

    r = service.post("/api/v1/orders/merge", {"order_ids": [b["id"], a["id"]]})
    assert r.status_code == 201, r.json_body
    merge = r.json_body
    assert merge["orders"] == ["dealer-D-7001", "dealer-D-7002"] and merge["undo_allowed"] is True
    # their own shipments are gone; one shipment carries the SKU once, 2 + 3 units, reserved once
    assert [s.state for s in own_shipments(a["id"]) + own_shipments(b["id"])] == ["cancelled", "cancelled"]
    shipment = Shipment.objects.get(number=merge["shipment"])
    assert [(ln.product.sku, ln.qty) for ln in shipment.lines.all()] == [("TEE-BLK-M", D(5))]
    level = StockLevel.objects.get(product=two["tee"], warehouse=two["wh"]["SH"])
    assert (level.on_hand, level.reserved) == (D(10), D(5))
    assert [ln.allocated_qty for ln in OrderLine.objects.order_by("order_id")] == [D(2), D(3)]
    detail = service.get(f"/api/v1/orders/{a['id']}").json_body
    merged = next(s for s in detail["shipments"] if s["number"] == shipment.number)
    assert merged["merge"]["with"] == ["dealer-D-7002"] and merged["merge"]["lines"][0]["qty"] == "2"

    # one wave, one pick list, one stop: 5 × TEE from the bin
    r = api_as("manager").post("/api/v1/wms/waves", {"warehouse": "SH", "shipments": [shipment.number]})
    assert r.status_code == 201, r.json_body
    assert [(t.product.sku, t.qty) for t in PickTask.objects.all()] == [("TEE-BLK-M", D(5))]
    assert {o.status for o in Order.objects.all()} == {"picking"}
    r = service.post(f"/api/v1/orders/merges/{merge['id']}/undo")
    assert (r.status_code, r.json_body["code"]) == (409, "picking_started")
    assert "picking has started" in r.json_body["message"]

    # shipped once, under one tracking number; each order told of its own lines
    r = warehouse.post(f"/api/v1/orders/{a['id']}/ship", {"carrier": "SF", "tracking_no": "SF7001"})
    assert r.status_code == 200, r.json_body
    orders = {o.number: o for o in Order.objects.all()}
    assert {n: (o.status, o.revenue_total) for n, o in orders.items()} == {
        "dealer-D-7001": ("shipped", D("100.00")), "dealer-D-7002": ("shipped", D("135.00"))}
    assert [ln.shipped_qty for ln in OrderLine.objects.order_by("order_id")] == [D(2), D(3)]
    shipped = Event.objects.filter(type="oms.order.shipped").order_by("pk")
    assert [(e.payload["external_id"], e.payload["tracking_no"]) for e in shipped] == [
        ("D-7001", "SF7001"), ("D-7002", "SF7001")]
    # cost of sales per order's own lines: 2 × 20.00 and 3 × 20.00; revenue per order
    assert [(ml.order_line.order.number, ml.cost) for ml in MergeLine.objects.order_by("pk")] == [
        ("dealer-D-7001", D("40.00")), ("dealer-D-7002", D("60.00"))]
    assert Merge.objects.get().status == "shipped"
    assert net("5401") == D("100.00") and net("1405") == D("100.00")  # 10 × 20.00 in, 5 out
    assert net("5001") == D("-207.97")  # 100.00/1.13 = 88.50, 135.00/1.13 = 119.47
    assert net("2221.01.06") == D("-27.03")
    assert net("1122") == D("235.00")

    # two invoices, each with its own lines
    accountant = api_as("accountant")
    first = accountant.post("/api/v1/invoices", {"orders": [a["number"]], "buyer_name": "杭州好运商贸有限公司"})
    second = accountant.post("/api/v1/invoices", {"orders": [b["number"]], "buyer_name": "杭州好运商贸有限公司"})
    assert first.status_code == 201 and second.status_code == 201, (first.json_body, second.json_body)
    assert [(ln["qty"], ln["amount"], ln["tax"]) for ln in first.json_body["lines"]] == [("2", "88.50", "11.50")]
    assert [(ln["qty"], ln["amount"], ln["tax"]) for ln in second.json_body["lines"]] == [("3", "119.47", "15.53")]
    assert (first.json_body["total"], second.json_body["total"]) == ("100.00", "135.00")


def test_undo_before_picking_restores_each_orders_own_shipment(two, api_as):
    service = api_as("service")
    merge = service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]}).json_body
    r = service.post(f"/api/v1/orders/merges/{merge['number']}/undo", {"note": "买家要求分开发"})
    assert r.status_code == 200, r.json_body
    assert (r.json_body["status"], r.json_body["shipment_state"]) == ("undone", "cancelled")
    for order, qty in ((two["a"], 2), (two["b"], 3)):
        live = [s for s in own_shipments(order["id"]) if s.state == "pending"]
        assert [(s.warehouse.code, [ln.qty for ln in s.lines.all()]) for s in live] == [("SH", [D(qty)])]
        assert Order.objects.get(pk=order["id"]).status == "allocated"
    assert [ln.allocated_qty for ln in OrderLine.objects.order_by("order_id")] == [D(2), D(3)]
    level = StockLevel.objects.get(product=two["tee"], warehouse=two["wh"]["SH"])
    assert level.reserved == D(5)
    again = service.post(f"/api/v1/orders/merges/{merge['id']}/undo")
    assert (again.status_code, again.json_body["code"]) == (409, "not_active")
    # and they may be merged again
    assert service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]}).status_code == 201


def test_cancelling_one_merged_order_leaves_the_other_shipping_alone(two, api_as):
    service = api_as("service")
    merge = service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]}).json_body
    r = service.post(f"/api/v1/orders/{two['a']['id']}/cancel", {"reason": "买家取消"})
    assert r.status_code == 200, r.json_body
    assert Merge.objects.get(pk=merge["id"]).status == "undone"
    assert Order.objects.get(pk=two["a"]["id"]).status == "cancelled"
    live = [s for s in own_shipments(two["b"]["id"]) if s.state == "pending"]
    assert [[ln.qty for ln in s.lines.all()] for s in live] == [[D(3)]]
    level = StockLevel.objects.get(product=two["tee"], warehouse=two["wh"]["SH"])
    assert level.reserved == D(3)


def test_a_short_pick_of_the_summed_line_is_taken_from_the_order_paid_last(two, api_as):
    service = api_as("service")
    merge = service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]}).json_body
    shipment = Shipment.objects.get(number=merge["shipment"])
    shipping.report_short(line=shipment.lines.get(), short_qty=D(1), actor=Actor.system("picker"), reason="A-01")
    # the later order (D-7002) gives up one unit; the 9 left elsewhere in SH are allocated to it again
    assert [ml.qty for ml in MergeLine.objects.order_by("pk")] == [D(2), D(2)]
    extra = [s for s in own_shipments(two["b"]["id"]) if s.state == "pending"]
    assert [[ln.qty for ln in s.lines.all()] for s in extra] == [[D(1)]]
    assert OrderLine.objects.get(order_id=two["b"]["id"]).allocated_qty == D(3)


@pytest.mark.parametrize("change, code", [
    ({"receiver": {"name": "王经理", "phone": "13800000000", "province": "浙江省", "city": "宁波市",
                   "district": "鄞州区", "address": "天童路 1 号"}}, "different_address"),
    ({"cod": True}, "cod"),
    ({"presale": True}, "presale"),
    ({"paid_at": "2026-11-27T09:00:00+08:00"}, "outside_window"),
    ({"buyer": {"id": "someone-else"}}, "different_buyer"),
])
def test_an_order_breaking_a_rule_is_refused_naming_it(api_as, change, code):
    build(stock={"SH": 10})
    a = intake(api_as, dealer_order("D-7101", 1))
    b = intake(api_as, {**dealer_order("D-7102", 1), **change})
    r = api_as("service").post("/api/v1/orders/merge", {"order_ids": [a["id"], b["id"]]})
    assert r.status_code == 409, r.json_body
    assert (r.json_body["code"], r.json_body["field"]) == (code, "order_ids[1]")
    assert "D-7102" in r.json_body["message"]
    assert Merge.objects.count() == 0
    assert [s.state for s in Shipment.objects.order_by("pk")] == ["pending", "pending"]


def test_refund_in_progress_and_already_shipped_are_refused(two, api_as):
    service = api_as("service")
    OrderLine.objects.filter(order_id=two["b"]["id"]).update(refund_status="WAIT_SELLER_AGREE")
    r = service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (409, "refund_in_progress", "order_ids[1]")
    OrderLine.objects.filter(order_id=two["b"]["id"]).update(refund_status="")
    assert api_as("warehouse").post(f"/api/v1/orders/{two['a']['id']}/ship",
                                    {"carrier": "SF", "tracking_no": "SF1"}).status_code == 200
    r = service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (409, "already_shipped", "order_ids[0]")


def test_several_broken_rules_are_all_listed(api_as):
    build(stock={"SH": 10})
    a = intake(api_as, dealer_order("D-7201", 1))
    b = intake(api_as, {**dealer_order("D-7202", 1), "cod": True, "paid_at": "2026-11-28T09:00:00+08:00"})
    r = api_as("service").post("/api/v1/orders/merge", {"order_ids": [a["id"], b["id"]]})
    assert r.status_code == 409
    assert {(e["field"], e["code"]) for e in r.json_body["errors"]} == {
        ("order_ids[1]", "cod"), ("order_ids[1]", "outside_window")}


def test_rules_are_data_a_shop_may_switch_merging_off_or_widen_the_window(api_as):
    build(stock={"SH": 10})
    service = api_as("service")
    a = intake(api_as, dealer_order("D-7301", 1))
    b = intake(api_as, {**dealer_order("D-7302", 1), "paid_at": "2026-11-27T09:00:00+08:00"})
    assert service.get("/api/v1/orders/merge-candidates").json_body == []
    r = service.post("/api/v1/orders/merge-rules", {"channel": "dealer", "window_hours": 72, "note": "经销商"})
    assert r.status_code == 201, r.json_body
    assert [g["order_ids"] for g in service.get("/api/v1/orders/merge-candidates").json_body] == [[a["id"], b["id"]]]
    rules = service.get("/api/v1/orders/merge-rules").json_body
    assert [(x["channel"], x["window_hours"]) for x in rules] == [("dealer", 72), (None, 24)]
    service.post("/api/v1/orders/merge-rules", {"channel": "dealer", "active": False, "window_hours": 72})
    r = service.post("/api/v1/orders/merge", {"order_ids": [a["id"], b["id"]]})
    assert (r.status_code, r.json_body["code"]) == (409, "merge_off")
    bad = service.post("/api/v1/orders/merge-rules", {"channel": "nope", "window_hours": 2})
    assert (bad.status_code, bad.json_body["field"]) == (422, "channel")


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_orders_merged_at_once_on_8_connections_one_wins(parallel, make_user):
    from tests.conftest import api_client

    build(stock={"SH": 10})
    api = api_client(make_user("service"))
    ids = [api.post("/api/v1/channels/dealer/orders", dealer_order(f"P-{i}", 1)).json_body["order"]["id"]
           for i in range(3)]

    def merge(i):
        r = api.post("/api/v1/orders/merge", {"order_ids": [ids[0], ids[1 + i % 2]]})
        return r.status_code, r.json_body.get("code")

    results = parallel(merge, 8)
    assert sorted(s for s, _c in results).count(201) == 1, results
    assert {c for s, c in results if s != 201} == {"already_merged"}
    assert Merge.objects.count() == 1
    assert sum(r.qty for r in Reservation.objects.filter(state="active")) == D(3)


def test_holding_a_merged_order_takes_it_out_and_each_keeps_its_stock(two, api_as):
    service = api_as("service")
    merge = service.post("/api/v1/orders/merge", {"order_ids": [two["a"]["id"], two["b"]["id"]]}).json_body
    r = service.post(f"/api/v1/orders/{two['b']['id']}/hold", {"reason": "买家要改地址"})
    assert r.status_code == 200, r.json_body
    assert Merge.objects.get(pk=merge["id"]).status == "undone"
    assert Order.objects.get(pk=two["b"]["id"]).status == "held"
    for order, qty in ((two["a"], 2), (two["b"], 3)):
        live = [s for s in own_shipments(order["id"]) if s.state == "pending"]
        assert [[ln.qty for ln in s.lines.all()] for s in live] == [[D(qty)]]
    assert StockLevel.objects.get(product=two["tee"], warehouse=two["wh"]["SH"]).reserved == D(5)
