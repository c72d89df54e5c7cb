"""`POST /api/v1/channels/{code}/orders` takes a page of orders as a pull gets it (issue 11, item 17):
each order on its own, idempotent on its own, a refused one kept on the intake error list without
stopping the others; a body of one order keeps the one-order answer. And a WooCommerce order to
Shanghai (state CN10) is no longer held as a bad address (item 18)."""

import pytest

from sihe.catalog.models import Channel
from sihe.core.actor import Actor
from sihe.oms import services
from sihe.oms.models import IntakeError, Order

from .pages import douyin_list, douyin_order, jd_info, jd_search, taobao_sold, taobao_trade, woo_order
from .world import build

pytestmark = pytest.mark.django_db
JD_LIST = "jingdong_pop_order_search_responce.searchorderinfo_result.orderInfoList"
ONE_ORDER_KEYS = {"created", "duplicate", "changes", "order"}


def _channel(world, code: str, kind: str, skus: tuple[str, ...]) -> Channel:
    channel = Channel.objects.create(code=code, type=kind, name=f"{kind} shop")
    for sku in skus:
        services.map_sku(channel=channel, channel_sku=sku, product=world["tee"], actor=Actor.system("test"))
    return channel


def test_jd_order_search_page_takes_each_order_once_and_keeps_the_refused_one(api_as):
    # given a JD shop and stock for 3 orders of 3 T-shirts
    world = build(stock={"SH": 10, "GZ": 10})
    _channel(world, "jd", "jd", ("TS-001-M-BLK", "TS-001-L-BLK"))
    broken = jd_info("312345678903")
    del broken["orderState"]
    # when a pulled page of order.search holds A, B, A again and a broken C (4 of 9 in all)
    page = jd_search(jd_info("312345678901"), jd_info("312345678902"), jd_info("312345678901"), broken, total=9)
    r = api_as("service").post("/api/v1/channels/jd/orders", page)
    # then each order has its own result, in the page's order
    assert r.status_code == 200, r.json_body
    body = r.json_body
    assert (body["orders"], body["created"], body["updated"], body["duplicates"], body["refused"]) == (4, 2, 0, 1, 1)
    assert (body["total_results"], body["has_next"]) == (9, None)
    assert [(e["index"], e["path"], e["external_id"], e["result"]) for e in body["results"]] == [
        (0, f"{JD_LIST}[0]", "312345678901", "created"),
        (1, f"{JD_LIST}[1]", "312345678902", "created"),
        (2, f"{JD_LIST}[2]", "312345678901", "duplicate"),
        (3, f"{JD_LIST}[3]", "312345678903", "refused"),
    ]
    first, _, again, refused = body["results"]
    assert first["order"]["number"] == "jd-312345678901" and again["order"] == first["order"]
    assert first["error"] is None and first["changes"] == []
    kept = IntakeError.objects.get()
    assert refused["order"] is None and refused["error"] == {
        "code": "invalid_payload", "field": f"{JD_LIST}[3].orderState",
        "message": f"{JD_LIST}[3].orderState: is missing", "intake_error": kept.pk}
    # the same order twice is one order; the refused one changed nothing but its intake error
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["312345678901", "312345678902"]
    assert (kept.channel_code, kept.external_id, kept.code, kept.field) == (
        "jd", "312345678903", "invalid_payload", "orderState")


def test_a_refused_order_of_a_page_is_replayed_from_its_own_json(api_as):
    # given a Douyin list page whose second order has an SKU nobody mapped yet
    world = build(stock={"SH": 10, "GZ": 0})
    service = api_as("service")
    unknown = douyin_order("6918000000000000002")
    unknown["sku_order_list"][0].update(out_sku_id="NEW-SKU-1", code="NEW-SKU-1", sku_id=99)
    r = service.post("/api/v1/channels/dy/orders", douyin_list(douyin_order("6918000000000000001"), unknown,
                                                               douyin_order("6918000000000000003")))
    # then the orders around it are taken, and it waits on the intake error list
    assert r.status_code == 200, r.json_body
    assert [(e["external_id"], e["result"]) for e in r.json_body["results"]] == [
        ("6918000000000000001", "created"), ("6918000000000000002", "refused"), ("6918000000000000003", "created")]
    error = r.json_body["results"][1]["error"]
    assert (error["code"], error["field"]) == ("unknown_sku", "lines[0].sku")
    errors = service.get("/api/v1/intake-errors").json_body["items"]
    assert [(e["id"], e["external_id"], e["code"]) for e in errors] == [
        (error["intake_error"], "6918000000000000002", "unknown_sku")]
    # when the SKU is mapped and the stored order replayed
    services.map_sku(channel=world["channels"]["dy"], channel_sku="NEW-SKU-1", product=world["tee"],
                     actor=world["actor"])
    replay = service.post(f"/api/v1/intake-errors/{error['intake_error']}/replay")
    # then it is taken as one order, and the page again changes nothing
    assert replay.status_code == 201, replay.json_body
    assert set(replay.json_body) == ONE_ORDER_KEYS and replay.json_body["order"]["external_id"] == "6918000000000000002"
    assert Order.objects.filter(channel__code="dy").count() == 3
    again = service.post("/api/v1/channels/dy/orders", douyin_list(douyin_order("6918000000000000001"), unknown))
    assert [e["result"] for e in again.json_body["results"]] == ["duplicate", "duplicate"]
    assert Order.objects.filter(channel__code="dy").count() == 3


def test_a_page_of_one_order_keeps_the_one_order_answer(api_as):
    # given a JD order.search answer with one order (refused before: "orderState: is missing")
    world = build(stock={"SH": 10, "GZ": 10})
    _channel(world, "jd", "jd", ("TS-001-M-BLK", "TS-001-L-BLK"))
    service = api_as("service")
    # when it is posted
    r = service.post("/api/v1/channels/jd/orders", jd_search(jd_info("312345678901")))
    # then the answer is the one-order answer: 201 and the order
    assert r.status_code == 201, r.json_body
    assert set(r.json_body) == ONE_ORDER_KEYS
    assert (r.json_body["created"], r.json_body["order"]["external_id"]) == (True, "312345678901")
    # and a refusal of that one order is a 422 naming the path in the body, as for order.get
    broken = jd_info("312345678909", orderState="SOMETHING_NEW")
    refused = service.post("/api/v1/channels/jd/orders", jd_search(broken))
    assert refused.status_code == 422
    assert (refused.json_body["code"], refused.json_body["field"]) == ("invalid_payload", f"{JD_LIST}[0].orderState")


def test_taobao_trades_sold_get_page_and_an_empty_page(api_as):
    build(stock={"SH": 10, "GZ": 10})
    service = api_as("service")
    page = taobao_sold(taobao_trade("3712345678900000001"), taobao_trade("3712345678900000002"), total=40,
                       has_next=True)
    r = service.post("/api/v1/channels/tb/orders", page)
    assert r.status_code == 200, r.json_body
    assert ([e["result"] for e in r.json_body["results"]], r.json_body["total_results"], r.json_body["has_next"]) == (
        ["created", "created"], 40, True)
    # nothing matched: TOP sends no trades at all, and nothing happens
    empty = service.post("/api/v1/channels/tb/orders", taobao_sold(total=0))
    assert empty.status_code == 200
    assert empty.json_body == {"orders": 0, "created": 0, "updated": 0, "duplicates": 0, "refused": 0,
                               "total_results": 0, "has_next": False, "results": []}
    assert Order.objects.count() == 2 and IntakeError.objects.count() == 0


def test_a_platform_error_answer_is_refused_and_kept(api_as):
    build(stock={"SH": 1, "GZ": 0})
    r = api_as("service").post("/api/v1/channels/tb/orders", {"error_response": {
        "code": 27, "msg": "Invalid session", "sub_code": "invalid-sessionkey"}})
    assert r.status_code == 422
    assert (r.json_body["code"], r.json_body["field"]) == ("invalid_payload", "error_response")
    assert "Invalid session" in r.json_body["message"]
    assert IntakeError.objects.get().field == "error_response" and Order.objects.count() == 0


def test_woocommerce_order_to_shanghai_is_not_held_as_a_bad_address(api_as):
    # given a WooCommerce shop in China and an order to Shanghai, state CN10 (held as "unknown province" before)
    world = build(stock={"SH": 10, "GZ": 10})
    _channel(world, "wc", "woocommerce", ("HD-200-GRY-L", "SK-002-WHT"))
    # when it comes in
    r = api_as("service").post("/api/v1/channels/wc/orders", woo_order(727))
    # then the province is stored by name and the order goes on to the Shanghai warehouse
    assert r.status_code == 201, r.json_body
    order = Order.objects.get(channel__code="wc")
    assert (order.province, order.city, order.hold_reason) == ("上海市", "上海市", "")
    assert order.status == "allocated"
    assert [a["warehouse"] for a in r.json_body["order"]["allocation"]] == ["SH"]


def test_woocommerce_order_list_is_a_page(api_as):
    world = build(stock={"SH": 10, "GZ": 10})
    _channel(world, "wc", "woocommerce", ("HD-200-GRY-L", "SK-002-WHT"))
    r = api_as("service").post("/api/v1/channels/wc/orders", [woo_order(727), woo_order(728)])
    assert r.status_code == 200, r.json_body
    assert [(e["path"], e["external_id"], e["result"]) for e in r.json_body["results"]] == [
        ("[0]", "727", "created"), ("[1]", "728", "created")]
