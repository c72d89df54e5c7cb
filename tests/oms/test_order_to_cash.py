"""Order to cash, as a story: Taobao, Douyin and Shopify orders for the same SKU, stock in Shanghai and
Guangzhou; intake → review → nearest-warehouse allocation (and a split) → ship → COGS and revenue
vouchers → 数电发票 → platform settlement, with stock, ATP, vouchers and the trial balance checked."""

import json
from decimal import Decimal

import pytest

from sihe.ledger.models import VoucherLine
from sihe.ledger.reports import trial_balance
from sihe.oms import atp
from sihe.oms.models import Order
from sihe.stock.models import StockLevel
from sihe.wms.models import Shipment

from .conftest import load
from .world import build

D = Decimal
pytestmark = pytest.mark.django_db


def post_order(api, channel: str, payload: dict):
    return api.post(f"/api/v1/channels/{channel}/orders", payload)


def level(world, code: str) -> tuple[Decimal, Decimal]:
    lv = StockLevel.objects.get(product=world["tee"], warehouse=world["wh"][code])
    return lv.on_hand, lv.reserved


def account_net(code: str) -> Decimal:
    rows = VoucherLine.objects.filter(account__code=code, voucher__status="posted")
    return sum((r.debit - r.credit for r in rows), D(0))


def test_three_channels_end_to_end(api_as):
    # given 4 T-shirts in Shanghai (¥20) and 3 in Guangzhou (¥24)
    world = build(stock={"SH": 4, "GZ": 3})
    service, warehouse, accountant = api_as("service"), api_as("warehouse"), api_as("accountant")

    # when a Taobao buyer in 深圳 orders 2 (+1 whose refund is in progress: that line stays back, 退款商品拆单),
    # a Douyin buyer in 杭州 2, a Shopify buyer in Illinois 3
    tb = post_order(service, "tb", load("taobao"))
    dy = post_order(service, "dy", load("douyin"))
    sp = post_order(service, "sp", load("shopify"))

    # then each is allocated: 深圳 → Guangzhou, 杭州 → Shanghai (nearest that has all);
    # Illinois: no single warehouse has 3 left, so it is split over both
    assert (tb.status_code, dy.status_code, sp.status_code) == (201, 201, 201), (tb.json_body, dy.json_body,
                                                                                 sp.json_body)
    tb_o, dy_o, sp_o = tb.json_body["order"], dy.json_body["order"], sp.json_body["order"]
    assert [a["warehouse"] for a in tb_o["allocation"]] == ["GZ"]
    assert [a["warehouse"] for a in dy_o["allocation"]] == ["SH"]
    assert sorted((a["warehouse"], a["lines"][0]["qty"]) for a in sp_o["allocation"]) == [("GZ", "1"), ("SH", "2")]
    assert {tb_o["status"], dy_o["status"], sp_o["status"]} == {"allocated"}
    assert any("已分配至广州仓" in t["message_zh"] for t in tb_o["timeline"])
    # every unit is reserved, nothing is left to promise on any channel
    assert level(world, "SH") == (D(4), D(4)) and level(world, "GZ") == (D(3), D(3))
    assert [(ln["allocated"], ln["backorder"]) for ln in tb_o["lines"]] == [("2", "0"), ("0", "0")]
    assert atp.atp(["TEE-BLK-M"])["tb"]["TEE-BLK-M"] == D(0)

    # when the warehouse ships every shipment
    for order in (tb_o, dy_o):
        r = warehouse.post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": f"SF{order['id']}01"})
        assert r.status_code == 200, r.json_body
    several = warehouse.post(f"/api/v1/orders/{sp_o['id']}/ship", {"carrier": "DHL", "tracking_no": "DHL1"})
    assert several.status_code == 422 and several.json_body["field"] == "shipment"
    for i, shipment in enumerate(sp_o["shipments"]):
        r = warehouse.post(f"/api/v1/orders/{sp_o['id']}/ship",
                           {"shipment": shipment["number"], "carrier": "DHL", "tracking_no": f"DHL{i}"})
        assert r.status_code == 200, r.json_body

    # then the stock is gone at cost: 4 × 20 + 3 × 24 = 152 to 主营业务成本
    assert level(world, "SH") == (D(0), D(0)) and level(world, "GZ") == (D(0), D(0))
    assert account_net("5401") == D("152.00")
    assert account_net("1405") == D("0.00")
    assert Shipment.objects.filter(state="shipped").count() == 4
    tb_after = service.get(f"/api/v1/orders/{tb_o['id']}").json_body
    assert tb_after["status"] == "allocated"  # the refunding line still waits
    # when Taobao reports the refund done (line closed), the order has shipped all it will ship
    refunded = load("taobao")
    trade = _trade(refunded)
    trade["modified"] = "2030-01-01 10:00:00"
    trade["orders"]["order"][1].update({"status": "TRADE_CLOSED", "refund_status": "SUCCESS"})
    later = post_order(service, "tb", refunded)
    assert later.status_code == 200, later.json_body
    assert later.json_body["order"]["vouchers"] == []  # a service clerk reads no vouchers (issue 12.8)
    tb_after = accountant.get(f"/api/v1/orders/{tb_o['id']}").json_body
    assert tb_after["status"] == "shipped"
    assert [t["kind"] for t in tb_after["timeline"]] == [
        "received", "split_refund", "reviewed", "allocated", "shipped", "revenue", "line_closed", "refund",
        "shipped_all"]
    # revenue at shipment for what shipped: the T-shirts, 118.00 − 14.50 = 103.50 (the refunding line waits);
    # net as the 数电发票 splits it: 104.42 − 12.83 = 91.59, tax 11.91
    revenue = [v for v in tb_after["vouchers"] if v["rule"] == "sales.revenue"]
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in revenue[0]["lines"]] == [
        ("1122", "103.50", "0.00"), ("5001", "0.00", "91.59"), ("2221.01.06", "0.00", "11.91")]
    # Douyin paid ¥148.00 (integer fen 14800): 158.00 − 10.00 → net 139.82 − 8.85 = 130.97, tax 17.03
    dy_after = accountant.get(f"/api/v1/orders/{dy_o['id']}").json_body
    dy_rev = next(v for v in dy_after["vouchers"] if v["rule"] == "sales.revenue")
    assert [ln["credit"] for ln in dy_rev["lines"][1:]] == ["130.97", "17.03"]
    # Shopify paid US$63.29 (export, no output VAT) at 7.10: shipments booked 37.78 + shipping etc. in CNY
    sp_after = accountant.get(f"/api/v1/orders/{sp_o['id']}").json_body
    sp_revenue = sum((D(v["lines"][0]["debit"]) for v in sp_after["vouchers"] if v["rule"] == "sales.revenue"), D(0))
    assert sp_revenue == D(sp_after["amounts"]["revenue_booked"])
    assert abs(sp_revenue - D("63.29") * D("7.1")) <= D("0.01")
    assert account_net("2221.01.06") == -(D("11.91") + D("17.03"))
    assert account_net("1122") == D("103.50") + D("148.00") + sp_revenue

    # the books balance
    tb_report = trial_balance("2026-" + tb_after["shipments"][0]["shipped_at"][5:7])
    assert tb_report["totals"]["debit"] == tb_report["totals"]["credit"]

    # when the accountant invoices the Taobao order (数电发票) and the platform settles it
    inv = accountant.post("/api/v1/invoices", {"orders": [tb_o["id"]], "buyer_name": "张三"})
    assert inv.status_code == 201, inv.json_body
    body = inv.json_body
    totals = body.get("totals", body)
    assert (D(str(totals["amount"])), D(str(totals["tax"])), D(str(totals["total"]))) == (
        D("91.59"), D("11.91"), D("103.50"))
    settle = accountant.post(f"/api/v1/orders/{tb_o['id']}/settlements",
                             {"kind": "platform", "amount": "98.33", "fee": "5.17", "reference": "ALIPAY-1"})
    assert settle.status_code == 201, settle.json_body
    done = settle.json_body
    assert done["status"] == "completed"
    assert account_net("1012") == D("98.33") and account_net("5601.03") == D("5.17")
    assert D(done["amounts"]["settled"]) == D("103.50")
    # the order links its vouchers, and each voucher links back to the order or its stock moves
    assert {v["rule"] for v in done["vouchers"]} == {"stock.issue", "sales.revenue", "receipt.platform"}
    assert done["invoices"] and done["invoices"][0]["number"] == (body.get("number") or body["invoice"]["number"])


def test_same_order_twice_is_one_order_and_later_versions_apply(api_as):
    world = build(stock={"SH": 10, "GZ": 0})
    service = api_as("service")
    first = post_order(service, "tb", load("taobao"))
    again = post_order(service, "tb", load("taobao"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json_body["duplicate"] is True and Order.objects.count() == 1

    # a later version with a new address (before shipping) applies as a change with history
    moved = load("taobao")
    trade = moved.get("trade_fullinfo_get_response", {}).get("trade", moved.get("trade", moved))
    trade["modified"] = "2030-01-01 10:00:00"
    trade["receiver_address"] = "科技园南区 8 栋 1201"
    changed = post_order(service, "tb", moved)
    assert changed.status_code == 200, changed.json_body
    assert changed.json_body["changes"] == ["address"]
    order = changed.json_body["order"]
    assert order["receiver_detail"]["address"] == "科技园南区 8 栋 1201"
    assert order["timeline"][-1]["kind"] == "address_changed"
    assert Shipment.objects.get().address.endswith("科技园南区 8 栋 1201")

    # a cancel version releases the stock
    cancelled = json.loads(json.dumps(moved))
    trade = cancelled.get("trade_fullinfo_get_response", {}).get("trade", cancelled.get("trade", cancelled))
    trade["modified"] = "2030-01-02 10:00:00"
    trade["status"] = "TRADE_CLOSED_BY_TAOBAO"
    gone = post_order(service, "tb", cancelled)
    assert gone.status_code == 200, gone.json_body
    assert gone.json_body["order"]["status"] == "cancelled", gone.json_body["changes"]
    assert level(world, "SH") == (D(10), D(0))


def test_unknown_sku_is_refused_kept_for_replay_and_replayed_after_mapping(api_as):
    world = build(stock={"SH": 10, "GZ": 0})
    service = api_as("service")
    payload = load("taobao")
    text = json.dumps(payload).replace("TS-001-M-BLK", "TS-NEW-XL")
    r = service.post("/api/v1/channels/tb/orders", json.loads(text))
    assert r.status_code == 422
    assert (r.json_body["code"], r.json_body["field"]) == ("unknown_sku", "lines[0].sku")
    assert "TS-NEW-XL" in r.json_body["message"]
    # nothing was stored but the intake error
    assert Order.objects.count() == 0 and level(world, "SH") == (D(10), D(0))
    listed = service.get("/api/v1/intake-errors").json_body  # paged like every list (issue 12.10)
    errors = listed["items"]
    assert listed["count"] == 1 and [(e["code"], e["field"]) for e in errors] == [("unknown_sku", "lines[0].sku")]
    # when the operator maps the new SKU and replays
    m = service.post("/api/v1/channels/tb/mappings", {"channel_sku": "TS-NEW-XL", "sku": "TEE-BLK-M"})
    assert m.status_code == 201
    replay = service.post(f"/api/v1/intake-errors/{errors[0]['id']}/replay")
    assert replay.status_code == 201, replay.json_body
    assert replay.json_body["order"]["status"] == "allocated"
    assert service.get("/api/v1/intake-errors").json_body == {"items": [], "count": 0}


MALFORMED = {
    "tb": ("taobao", lambda p: _trade(p).pop("tid", None) and _trade(p).pop("tid_str", None)),
    "dy": ("douyin", lambda p: p["data"]["shop_order_list"][0].__setitem__("pay_amount", "abc")),
    "sp": ("shopify", lambda p: (p.get("order", p)).__setitem__("line_items", [])),
}


def _trade(p):
    return p.get("trade_fullinfo_get_response", {}).get("trade", p.get("trade", p))


@pytest.mark.parametrize("channel", ["tb", "dy", "sp"])
def test_malformed_payloads_are_refused_with_their_reason(api_as, channel):
    world = build(stock={"SH": 10, "GZ": 0})
    sample, breaker = MALFORMED[channel]
    payload = load(sample)
    breaker(payload)
    r = api_as("service").post(f"/api/v1/channels/{channel}/orders", payload)
    assert r.status_code == 422, r.json_body
    assert r.json_body["code"] == "invalid_payload" and r.json_body["field"]
    assert Order.objects.count() == 0 and level(world, "SH") == (D(10), D(0))


def test_not_json_is_refused(api_as):
    build(stock={"SH": 1, "GZ": 0})
    api = api_as("service")
    r = api.client.post("/api/v1/channels/tb/orders", data=b"{not json", content_type="application/json",
                        **api.headers)
    assert r.status_code == 422 and r.json()["field"] == "$"
    unknown = api.post("/api/v1/channels/nope/orders", {"a": 1})
    assert unknown.status_code == 404 and unknown.json_body["field"] == "channel_code"


def test_a_warehouse_user_cannot_take_orders_in(api_as):
    build(stock={"SH": 1, "GZ": 0})
    r = api_as("accountant").post("/api/v1/channels/tb/orders", load("taobao"))
    assert r.status_code == 403
