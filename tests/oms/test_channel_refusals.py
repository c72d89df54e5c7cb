"""Malformed payloads are refused with ChannelPayloadError naming the JSON path and the reason; webhooks
are verified against the raw body."""

import base64
import hashlib
import hmac
import json

import pytest

from sihe.oms.channels import ADAPTERS, ChannelPayloadError, normalize

from .conftest import load

TB = "trade_fullinfo_get_response.trade"
JD = "jingdong_pop_order_get_responce.orderDetailInfo.orderInfo"
DY = "data.shop_order_list[0]"


def _tb(p):
    return p["trade_fullinfo_get_response"]["trade"]


def _jd(p):
    return p["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]


def _dy(p):
    return p["data"]["shop_order_list"][0]


CASES = [
    # (channel, how the payload is broken, the path named, a word of the reason)
    ("taobao", lambda p: _tb(p).pop("tid_str") and _tb(p).pop("tid"), f"{TB}.tid", "missing"),
    ("taobao", lambda p: _tb(p)["orders"]["order"][0].update(num=-2), f"{TB}.orders.order[0].num", "greater than zero"),
    ("taobao", lambda p: _tb(p)["orders"]["order"][0].update(num="2"), f"{TB}.orders.order[0].num", "not text"),
    ("taobao", lambda p: _tb(p)["orders"]["order"][1].update(price="二十九"), f"{TB}.orders.order[1].price", "not a number"),
    ("taobao", lambda p: _tb(p)["orders"]["order"][1].update(price=29.9), f"{TB}.orders.order[1].price", "decimal string"),
    ("taobao", lambda p: _tb(p)["orders"].update(order=[]), f"{TB}.orders.order", "empty"),
    ("taobao", lambda p: _tb(p).update(orders="none"), f"{TB}.orders", "list"),
    ("taobao", lambda p: _tb(p).update(payment="130.90"), f"{TB}.payment", "131.90"),
    ("taobao", lambda p: _tb(p).update(status="SOMETHING_NEW"), f"{TB}.status", "unknown status"),
    ("taobao", lambda p: _tb(p).update(created="08/03/2025"), f"{TB}.created", "YYYY-MM-DD"),
    ("jd", lambda p: _jd(p).pop("orderId"), f"{JD}.orderId", "missing"),
    ("jd", lambda p: _jd(p)["itemInfoList"][0].update(itemTotal="-1"), f"{JD}.itemInfoList[0].itemTotal", "greater than zero"),
    ("jd", lambda p: _jd(p)["itemInfoList"][0].update(itemTotal="1.5"), f"{JD}.itemInfoList[0].itemTotal", "whole"),
    ("jd", lambda p: _jd(p)["itemInfoList"][1].update(jdPrice="69,00"), f"{JD}.itemInfoList[1].jdPrice", "not a number"),
    ("jd", lambda p: _jd(p).update(itemInfoList=[]), f"{JD}.itemInfoList", "empty"),
    ("jd", lambda p: _jd(p).update(orderTotalPrice="200.00"), f"{JD}.orderTotalPrice", "207.00"),
    ("jd", lambda p: _jd(p).update(orderPayment="300.00"), f"{JD}.orderPayment", "more than"),
    ("douyin", lambda p: _dy(p).pop("order_id"), f"{DY}.order_id", "missing"),
    ("douyin", lambda p: _dy(p).update(pay_amount="148.00"), f"{DY}.pay_amount", "integer number of fen"),
    ("douyin", lambda p: _dy(p).update(pay_amount=148.0), f"{DY}.pay_amount", "integer number of fen"),
    ("douyin", lambda p: _dy(p)["sku_order_list"][0].update(item_num=-2), f"{DY}.sku_order_list[0].item_num", "greater than zero"),
    ("douyin", lambda p: _dy(p).update(sku_order_list=[]), f"{DY}.sku_order_list", "empty"),
    ("douyin", lambda p: _dy(p).update(sku_order_list={"x": 1}), f"{DY}.sku_order_list", "list"),
    ("douyin", lambda p: _dy(p).update(create_time="2025-03-08"), f"{DY}.create_time", "unix seconds"),
    ("douyin", lambda p: _dy(p).update(order_status=99), f"{DY}.order_status", "unknown status"),
    ("shopify", lambda p: p.pop("id"), "id", "missing"),
    ("shopify", lambda p: p.update(id=5678901234567.0), "id", "not float"),
    ("shopify", lambda p: p["line_items"][1].update(quantity=0), "line_items[1].quantity", "greater than zero"),
    ("shopify", lambda p: p["line_items"][0].update(price="abc"), "line_items[0].price", "not a number"),
    ("shopify", lambda p: p.update(line_items=[]), "line_items", "empty"),
    ("shopify", lambda p: p.update(total_price="63.30"), "total_price", "63.29"),
    ("shopify", lambda p: p.update(financial_status="paidish"), "financial_status", "unknown status"),
    ("shopify", lambda p: p.update(created_at="2025-03-08T10:15:30"), "created_at", "offset"),
    ("woocommerce", lambda p: p.pop("id"), "id", "missing"),
    ("woocommerce", lambda p: p["line_items"][0].update(price="90"), "line_items[0].price", "number"),
    ("woocommerce", lambda p: p["line_items"][0].update(quantity=-1), "line_items[0].quantity", "greater than zero"),
    ("woocommerce", lambda p: p["line_items"][1].update(total="abc"), "line_items[1].total", "not a number"),
    ("woocommerce", lambda p: p.update(line_items=[]), "line_items", "empty"),
    ("woocommerce", lambda p: p.update(total="250.00"), "total", "248.60"),
    ("woocommerce", lambda p: p.update(refunds=[{"id": 1, "total": "10.00"}]), "refunds[0].total", "negative"),
    ("woocommerce", lambda p: p.update(status="shipped"), "status", "unknown status"),
]


@pytest.mark.parametrize(("channel", "breaks", "path", "reason"), CASES,
                         ids=[f"{c[0]}:{c[2]}:{c[3]}" for c in CASES])
def test_malformed_payload_is_refused_naming_the_path(channel, breaks, path, reason):
    # given a payload broken in one place
    payload = load(channel)
    breaks(payload)
    # when / then
    with pytest.raises(ChannelPayloadError) as error:
        normalize(channel, payload)
    assert error.value.code == "invalid_payload"
    assert error.value.status == 422
    assert error.value.field == path
    assert reason in error.value.reason
    assert error.value.as_dict()["field"] == path


@pytest.mark.parametrize("channel", ["taobao", "jd", "douyin", "shopify", "woocommerce"])
def test_not_an_object(channel):
    for bad in ([], "x", None):
        with pytest.raises(ChannelPayloadError) as error:
            normalize(channel, bad)
        assert error.value.field == "$"


def _sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.mark.parametrize(("channel", "header"), [("shopify", "X-Shopify-Hmac-Sha256"),
                                                  ("woocommerce", "X-WC-Webhook-Signature")])
def test_webhook_signature_over_the_raw_body(channel, header):
    # given the raw body as the platform sent it
    raw = json.dumps(load(channel), ensure_ascii=False).encode()
    verify = ADAPTERS[channel].verify_webhook
    good = _sign(raw, "s3cret")
    # then
    assert verify({header: good}, raw, "s3cret") is True
    assert verify({header.lower(): good}, raw, "s3cret") is True  # header names are case-insensitive
    assert verify({header: good}, raw + b" ", "s3cret") is False  # re-serialized or tampered body
    assert verify({header: good}, raw, "other") is False
    assert verify({header: _sign(raw, "other")}, raw, "s3cret") is False
    assert verify({}, raw, "s3cret") is False
    assert verify({header: good}, raw, "") is False


def test_channels_without_webhook_signatures_say_so():
    assert ADAPTERS["taobao"].verify_webhook is None
    assert ADAPTERS["douyin"].verify_webhook is None


def test_absurdly_large_amounts_are_refused_not_crashed():
    payload = load("jd")
    _jd(payload)["orderTotalPrice"] = "1E30"
    with pytest.raises(ChannelPayloadError) as error:
        normalize("jd", payload)
    assert error.value.field == f"{JD}.orderTotalPrice" and "too large" in error.value.reason
    payload = load("douyin")
    _dy(payload)["pay_amount"] = 10**40
    with pytest.raises(ChannelPayloadError) as error:
        normalize("douyin", payload)
    assert error.value.field == f"{DY}.pay_amount"
