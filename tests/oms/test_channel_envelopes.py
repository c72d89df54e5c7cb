"""Each envelope the platforms' order APIs answer with gives its orders, each at its JSON path (issue 11,
item 17): one-order answers (fullinfo.get, order.get, orderDetail) and pages (trades.sold.get,
order.search, searchList, orders.json, a WooCommerce array); platform error answers are refused by name."""

from decimal import Decimal

import pytest

from sihe.oms.channels import ChannelPayloadError, normalize, split_orders

from .conftest import load
from .pages import (
    douyin_detail,
    douyin_list,
    douyin_order,
    jd_get,
    jd_info,
    jd_search,
    shopify_order,
    taobao_sold,
    taobao_trade,
    woo_order,
)

JD_LIST = "jingdong_pop_order_search_responce.searchorderinfo_result.orderInfoList"


def test_one_order_envelopes_hold_one_order_and_no_list():
    # given each platform's one-order answer
    cases = {
        "taobao": (load("taobao"), "trade_fullinfo_get_response.trade"),
        "jd": (load("jd"), "jingdong_pop_order_get_responce.orderDetailInfo.orderInfo"),
        "douyin": (douyin_detail(douyin_order("6918000000000000001")), "data.shop_order_detail"),
        "shopify": ({"order": shopify_order(1)}, "order"),
        "woocommerce": (woo_order(727), ""),
    }
    for channel, (payload, path) in cases.items():
        # when it is split
        page = split_orders(channel, payload)
        # then it is one order at its path, not a page
        assert ([node.path for node in page.orders], page.listed) == ([path], None), channel


def test_taobao_trades_sold_get_is_a_page_with_its_paging_facts():
    # given a page of trades.sold.get with 3 trades of 57, more to come
    payload = taobao_sold(taobao_trade("3712345678900000001"), taobao_trade("3712345678900000002"),
                          taobao_trade("3712345678900000003"), total=57, has_next=True)
    # when
    page = split_orders("taobao", payload)
    # then
    assert [node.path for node in page.orders] == [
        f"trades_sold_get_response.trades.trade[{i}]" for i in range(3)]
    assert (page.listed.path, page.total, page.has_next) == ("trades_sold_get_response.trades.trade", 57, True)
    assert [normalize("taobao", node.value).external_id for node in page.orders] == [
        "3712345678900000001", "3712345678900000002", "3712345678900000003"]


def test_taobao_increment_page_simplified_arrays_and_the_empty_page():
    increment = split_orders("taobao", taobao_sold(taobao_trade("3712345678900000001"),
                                                   key="trades_sold_increment_get_response"))
    assert [node.path for node in increment.orders] == ["trades_sold_increment_get_response.trades.trade[0]"]
    # simplify=true drops the {"trade": [...]} wrapper
    simplified = {"trades_sold_get_response": {"total_results": "1", "has_next": "false",
                                               "trades": [taobao_trade("3712345678900000001")]}}
    page = split_orders("taobao", simplified)
    assert ([node.path for node in page.orders], page.total, page.has_next) == (
        ["trades_sold_get_response.trades[0]"], 1, False)
    # TOP leaves "trades" out when nothing matched
    empty = split_orders("taobao", taobao_sold(total=0))
    assert (empty.orders, empty.total, empty.listed.path) == ((), 0, "trades_sold_get_response.trades.trade")


def test_jd_order_search_is_a_page_of_orders():
    # given what a pull gets from jingdong.pop.order.search: 2 orders of 120
    payload = jd_search(jd_info("312345678901"), jd_info("312345678902"), total=120)
    # when
    page = split_orders("jd", payload)
    # then each order is at its path, with JD's total
    assert [node.path for node in page.orders] == [f"{JD_LIST}[0]", f"{JD_LIST}[1]"]
    assert (page.total, page.has_next) == (120, None)
    assert [normalize("jd", node.value).external_id for node in page.orders] == ["312345678901", "312345678902"]


def test_jd_order_search_with_one_order_normalizes_instead_of_missing_order_state():
    # given an order.search answer that holds one order (refused before: "orderState: is missing")
    payload = jd_search(jd_info("312345678901"))
    # when
    order = normalize("jd", payload)
    # then it is that order, the same as order.get gives
    assert order == normalize("jd", jd_get(jd_info("312345678901")))
    assert (order.external_id, order.status, order.amount_paid, order.receiver.province) == (
        "312345678901", "paid", Decimal("203.00"), "北京市")


def test_douyin_search_list_page_and_its_next_page():
    # given page 0 of size 2 with 5 orders in all
    payload = douyin_list(douyin_order("6918000000000000001"), douyin_order("6918000000000000002"),
                          size=2, total=5)
    page = split_orders("douyin", payload)
    assert [node.path for node in page.orders] == ["data.shop_order_list[0]", "data.shop_order_list[1]"]
    assert (page.total, page.has_next) == (5, True)
    # the last page (page 2: orders 5 of 5) has no next
    assert split_orders("douyin", douyin_list(douyin_order("6918000000000000005"), page=2, size=2,
                                              total=5)).has_next is False


def test_shopify_orders_list_and_woocommerce_array_are_pages():
    shopify = split_orders("shopify", {"orders": [shopify_order(1), shopify_order(2)]})
    assert [node.path for node in shopify.orders] == ["orders[0]", "orders[1]"]
    woo = split_orders("woocommerce", [woo_order(727), woo_order(728)])
    assert [node.path for node in woo.orders] == ["[0]", "[1]"]
    assert [normalize("woocommerce", node.value).external_id for node in woo.orders] == ["727", "728"]


@pytest.mark.parametrize(("channel", "payload", "field", "words"), [
    ("taobao", {"error_response": {"code": 27, "msg": "Invalid session", "sub_code": "invalid-sessionkey"}},
     "error_response", "27 Invalid session invalid-sessionkey"),
    ("jd", {"error_response": {"code": "19", "zh_desc": "token已过期", "en_desc": "Invalid access_token"}},
     "error_response", "19 token已过期 Invalid access_token"),
    ("jd", {"jingdong_pop_order_search_responce": {"code": "0", "searchorderinfo_result": {
        "apiResult": {"success": False, "numberCode": 10100030, "chineseErrCode": "查询时间跨度超过限制"}}}},
     "jingdong_pop_order_search_responce.searchorderinfo_result.apiResult", "10100030 查询时间跨度超过限制"),
    ("douyin", {"code": 30002, "msg": "参数错误", "sub_code": "isv.parameter-invalid", "sub_msg": "page 无效",
                "log_id": "x", "data": None}, "code", "30002 参数错误 isv.parameter-invalid page 无效"),
])
def test_a_platform_error_answer_is_refused_with_its_error(channel, payload, field, words):
    with pytest.raises(ChannelPayloadError) as error:
        split_orders(channel, payload)
    assert error.value.field == field
    assert error.value.reason == f"the platform answered with an error: {words}"


def test_one_order_is_asked_for_but_a_page_holds_another_number():
    # normalize() takes one order: a page of two or of none is refused naming the list
    with pytest.raises(ChannelPayloadError) as two:
        normalize("jd", jd_search(jd_info("312345678901"), jd_info("312345678902")))
    assert (two.value.field, two.value.reason) == (JD_LIST, "holds 2 orders; send one order per request")
    with pytest.raises(ChannelPayloadError) as none:
        normalize("taobao", taobao_sold(total=0))
    assert (none.value.field, none.value.reason) == ("trades_sold_get_response.trades.trade", "is missing")
    with pytest.raises(ChannelPayloadError) as not_a_list:
        split_orders("jd", {"jingdong_pop_order_search_responce": {"searchorderinfo_result": {
            "orderInfoList": {"orderId": "1"}}}})
    assert (not_a_list.value.field, not_a_list.value.reason) == (JD_LIST, "must be a list")


def test_a_bare_array_is_refused_by_channels_that_never_send_one():
    with pytest.raises(ChannelPayloadError) as error:
        split_orders("jd", [jd_info("312345678901")])
    assert (error.value.field, error.value.reason) == ("$", "the payload must be a JSON object")
