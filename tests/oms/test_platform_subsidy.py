"""Platform money (issue 16): a discount the platform funds (平台补贴: a JD coupon, a Douyin platform or 达人
promotion, Taobao's platform_subsidy_fee) is part of the sale. Revenue and output VAT are booked on the full
price (buyer's payment + subsidy), the receivable (1122, on the platform's partner dimension) covers both, and
the platform's settlement of buyer's payment + subsidy less its fee matches it to the fen."""

from decimal import Decimal

import pytest

from sihe.catalog.models import Channel
from sihe.ledger.models import VoucherLine
from sihe.ledger.reports import trial_balance
from sihe.oms import services
from sihe.oms.checks import receivables_match_ledger
from sihe.oms.models import Order

from .conftest import load
from .world import build

D = Decimal
pytestmark = pytest.mark.django_db


def jd_with_subsidy(subsidy: str = "20.00", seller_discount: str = "0.00", order_id: str = "312345678901") -> dict:
    """The JD sample with `sellerDiscount` = seller_discount and a JD coupon of `subsidy`: goods 207.00 +
    freight 6.00 − both = orderPayment."""
    payload = load("jd")
    info = payload["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]
    goods, freight = D(info["orderTotalPrice"]), D(info["freightPrice"])
    info.update(orderId=order_id, sellerDiscount=seller_discount,
                orderSellerPrice=str(goods - D(seller_discount)),
                orderPayment=str(goods + freight - D(seller_discount) - D(subsidy)))
    return payload


def jd_world():
    world = build(stock={"SH": 6})
    jd = Channel.objects.create(code="jd", type="jd", name="四合京东自营店")
    for sku in ("TS-001-M-BLK", "TS-001-L-BLK"):
        services.map_sku(channel=jd, channel_sku=sku, product=world["tee"], actor=world["actor"])
    world["channels"]["jd"] = jd
    return world


def account_net(code: str, **dims) -> Decimal:
    rows = VoucherLine.objects.filter(account__code=code, voucher__status="posted", **dims)
    return sum((r.debit - r.credit for r in rows), D(0))


def ship(api, order_id: int):
    r = api.post(f"/api/v1/orders/{order_id}/ship", {"carrier": "JD", "tracking_no": f"JD{order_id}"})
    assert r.status_code == 200, r.json_body
    return r.json_body


def test_jd_order_with_a_platform_subsidy_is_settled_exactly(api_as):
    # given a JD order: goods 207.00 (69 × 2 + 69), freight 6.00, sellerDiscount 0, a JD coupon of 20.00:
    # the buyer pays 193.00 and JD owes the seller the other 20.00
    jd_world()
    service, warehouse, accountant = api_as("service"), api_as("warehouse"), api_as("accountant")
    r = service.post("/api/v1/channels/jd/orders", jd_with_subsidy())
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    assert order["amounts"]["amount_paid"] == "193.00"
    assert order["amounts"]["platform_subsidy"] == "20.00"
    assert [ln["platform_subsidy"] for ln in order["lines"]] == ["13.33", "6.67"]

    # when it ships (revenue at shipment)
    ship(warehouse, order["id"])
    after = accountant.get(f"/api/v1/orders/{order['id']}").json_body

    # then revenue and output VAT are on the full price 213.00: 138.00 → 122.12 + 15.88, 69.00 → 61.06 + 7.94,
    # freight 6.00 → 5.31 + 0.69; the receivable is 213.00, all of it owed by JD (the channel's partner)
    revenue = [v for v in after["vouchers"] if v["rule"] == "sales.revenue"]
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in revenue[0]["lines"]] == [
        ("1122", "213.00", "0.00"), ("5001", "0.00", "188.49"), ("2221.01.06", "0.00", "24.51")]
    assert after["amounts"]["revenue_booked"] == "213.00"
    assert account_net("1122", partner="jd") == D("213.00")
    assert "含平台补贴 ¥20.00" in revenue[0]["memo"]
    assert "实付 ¥193.00，平台补贴 ¥20.00" in after["timeline"][0]["message_zh"]

    # when JD settles what it pays the seller: the buyer's 193.00 + its 20.00, less a 5% fee of 10.65
    settle = accountant.post(f"/api/v1/orders/{order['id']}/settlements",
                             {"kind": "platform", "amount": "202.35", "fee": "10.65", "reference": "JD-BILL-1"})

    # then it matches to the fen and the order is complete
    assert settle.status_code == 201, settle.json_body
    done = settle.json_body
    assert done["status"] == "completed"
    assert (done["amounts"]["settled"], done["amounts"]["revenue_booked"]) == ("213.00", "213.00")
    assert account_net("1122") == D("0.00")
    assert account_net("1012") == D("202.35") and account_net("5601.03") == D("10.65")
    assert account_net("5001") == D("-188.49") and account_net("2221.01.06") == D("-24.51")
    period = done["shipments"][0]["shipped_at"][:7]
    report = trial_balance(period)
    assert report["totals"]["debit"] == report["totals"]["credit"]
    ok, detail = receivables_match_ledger(period)
    assert ok, detail


def test_subsidy_and_seller_discount_together_only_the_seller_part_reduces_revenue(api_as):
    # a seller discount of 10.00 and a JD coupon of 20.00: revenue is 207 − 10 + 6 = 203.00 (what the sample
    # books without a coupon), the buyer pays 183.00
    jd_world()
    service, warehouse, accountant = api_as("service"), api_as("warehouse"), api_as("accountant")
    r = service.post("/api/v1/channels/jd/orders", jd_with_subsidy("20.00", "10.00"))
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    assert (order["amounts"]["amount_paid"], order["amounts"]["platform_subsidy"]) == ("183.00", "20.00")
    ship(warehouse, order["id"])
    after = accountant.get(f"/api/v1/orders/{order['id']}").json_body
    (revenue,) = [v for v in after["vouchers"] if v["rule"] == "sales.revenue"]
    # as the 数电发票 splits a discounted line: (122.12 − 5.90) + (61.06 − 2.95) + 5.31 = 179.64
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in revenue["lines"]] == [
        ("1122", "203.00", "0.00"), ("5001", "0.00", "179.64"), ("2221.01.06", "0.00", "23.36")]
    over = accountant.post(f"/api/v1/orders/{order['id']}/settlements",
                           {"kind": "platform", "amount": "203.00", "fee": "0.01"})
    assert over.status_code == 422 and over.json_body["code"] == "over_settlement"
    settle = accountant.post(f"/api/v1/orders/{order['id']}/settlements", {"kind": "platform", "amount": "203.00"})
    assert settle.status_code == 201 and settle.json_body["status"] == "completed", settle.json_body


def test_an_order_without_subsidy_books_as_before(api_as):
    # the JD sample as it is: sellerDiscount 10.00, no coupon; the buyer pays 203.00 and revenue is 203.00
    jd_world()
    service, warehouse, accountant = api_as("service"), api_as("warehouse"), api_as("accountant")
    r = service.post("/api/v1/channels/jd/orders", load("jd"))
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    assert order["amounts"]["platform_subsidy"] == "0.00"
    assert [ln["platform_subsidy"] for ln in order["lines"]] == ["0.00", "0.00"]
    ship(warehouse, order["id"])
    after = accountant.get(f"/api/v1/orders/{order['id']}").json_body
    (revenue,) = [v for v in after["vouchers"] if v["rule"] == "sales.revenue"]
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in revenue["lines"]] == [
        ("1122", "203.00", "0.00"), ("5001", "0.00", "179.64"), ("2221.01.06", "0.00", "23.36")]
    assert not any("平台补贴" in t["message_zh"] for t in after["timeline"])


def test_a_subsidised_order_shipped_in_parts_adds_up_to_the_fen(api_as):
    # 3 units of one line, a JD coupon of 10.00 on 207.00: two shipments (2 from Shanghai, 1 from Guangzhou)
    world = build(stock={"SH": 2, "GZ": 1})
    jd = Channel.objects.create(code="jd", type="jd", name="四合京东自营店")
    services.map_sku(channel=jd, channel_sku="TS-001-M-BLK", product=world["tee"], actor=world["actor"])
    payload = jd_with_subsidy("10.00")
    info = payload["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]
    info["itemInfoList"] = [dict(info["itemInfoList"][0], itemTotal="3")]
    service, warehouse, accountant = api_as("service"), api_as("warehouse"), api_as("accountant")
    r = service.post("/api/v1/channels/jd/orders", payload)
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    assert order["amounts"]["amount_paid"] == "203.00"
    for i, shipment in enumerate(order["shipments"]):
        rr = warehouse.post(f"/api/v1/orders/{order['id']}/ship",
                            {"shipment": shipment["number"], "carrier": "JD", "tracking_no": f"JD{i}"})
        assert rr.status_code == 200, rr.json_body
    after = accountant.get(f"/api/v1/orders/{order['id']}").json_body
    assert after["amounts"]["revenue_booked"] == "213.00"
    settle = accountant.post(f"/api/v1/orders/{order['id']}/settlements",
                             {"kind": "platform", "amount": "200.00", "fee": "13.00"})
    assert settle.status_code == 201 and settle.json_body["status"] == "completed", settle.json_body
    assert account_net("1122") == D("0.00")


def test_douyin_platform_and_talent_promotions_are_receivable_from_the_platform(api_as):
    # the Douyin sample (158.00 − 10.00 promotion) where 3.00 is the platform's and 2.00 the 达人's:
    # the buyer pays 148.00, revenue is 153.00 (158.00 − the shop's 5.00)
    build(stock={"SH": 2})
    payload = load("douyin")
    payload["data"]["shop_order_list"][0].update(promotion_shop_amount=500, promotion_platform_amount=300,
                                                 promotion_talent_amount=200)
    service, warehouse, accountant = api_as("service"), api_as("warehouse"), api_as("accountant")
    r = service.post("/api/v1/channels/dy/orders", payload)
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    assert (order["amounts"]["amount_paid"], order["amounts"]["platform_subsidy"]) == ("148.00", "5.00")
    ship(warehouse, order["id"])
    after = accountant.get(f"/api/v1/orders/{order['id']}").json_body
    (revenue,) = [v for v in after["vouchers"] if v["rule"] == "sales.revenue"]
    # 158.00 → 139.82 + 18.18, less the shop's 5.00 → 4.42 + 0.58: net 135.40, tax 17.60
    assert [(ln["account"], ln["debit"], ln["credit"]) for ln in revenue["lines"]] == [
        ("1122", "153.00", "0.00"), ("5001", "0.00", "135.40"), ("2221.01.06", "0.00", "17.60")]
    settle = accountant.post(f"/api/v1/orders/{order['id']}/settlements",
                             {"kind": "platform", "amount": "145.35", "fee": "7.65"})
    assert settle.status_code == 201 and settle.json_body["status"] == "completed", settle.json_body


def test_taobao_platform_subsidy_fee_is_the_platform_part_of_the_discounts(api_as):
    build(stock={"GZ": 3})
    payload = load("taobao")
    payload["trade_fullinfo_get_response"]["trade"]["platform_subsidy_fee"] = "4.00"
    service = api_as("service")
    r = service.post("/api/v1/channels/tb/orders", payload)
    assert r.status_code == 201, r.json_body
    order = Order.objects.get(pk=r.json_body["order"]["id"])
    assert (order.amount_paid, order.platform_subsidy) == (D("131.90"), D("4.00"))
    assert sum((ln.platform_subsidy for ln in order.lines.all()), D(0)) == D("4.00")
    assert all(ln.platform_subsidy <= ln.discount for ln in order.lines.all())
