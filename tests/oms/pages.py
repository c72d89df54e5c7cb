"""Pages of orders as the platforms' list APIs answer them, built from the one-order samples.

Envelope names as the platforms document them (docs/design/channels.md, "Envelopes"):
- Taobao `taobao.trades.sold.get`: `trades_sold_get_response.{total_results, has_next, trades.trade[]}`;
- JD `jingdong.pop.order.search`: `jingdong_pop_order_search_responce.searchorderinfo_result.{apiResult,
  orderInfoList[], orderTotal}` (JD spells it "responce");
- Douyin `order.searchList`: `{code: 10000, msg, data: {page, size, total, shop_order_list[]}}`,
  `order.orderDetail`: `{code: 10000, data: {shop_order_detail}}`;
- Shopify `GET orders.json`: `{"orders": [...]}`; WooCommerce `GET orders`: a bare array.
"""

from .conftest import load


def taobao_trade(tid: str, **changes) -> dict:
    """The sample trade under another tid (its lines' oids follow it, so two trades share no line id)."""
    trade = load("taobao")["trade_fullinfo_get_response"]["trade"]
    trade.update(tid=int(tid), tid_str=tid, **changes)
    for i, line in enumerate(trade["orders"]["order"], start=1):
        line["oid"] = f"{tid}{i}"
    return trade


def taobao_sold(*trades: dict, total: int | None = None, has_next: bool = False,
                key: str = "trades_sold_get_response") -> dict:
    response = {"total_results": len(trades) if total is None else total, "has_next": has_next,
                "request_id": "example"}
    if trades:  # TOP leaves an empty array out of its answer
        response["trades"] = {"trade": list(trades)}
    return {key: response}


def jd_info(order_id: str, **changes) -> dict:
    info = load("jd")["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]
    info.update(orderId=order_id, **changes)
    return info


def jd_search(*infos: dict, total: int | None = None) -> dict:
    return {"jingdong_pop_order_search_responce": {"code": "0", "searchorderinfo_result": {
        "apiResult": {"success": True, "numberCode": 0, "chineseErrCode": "成功", "englishErrCode": "success"},
        "orderInfoList": list(infos), "orderTotal": len(infos) if total is None else total}}}


def jd_get(info: dict) -> dict:
    return {"jingdong_pop_order_get_responce": {"code": "0", "orderDetailInfo": {
        "apiResult": {"success": True}, "orderInfo": info}}}


def douyin_order(order_id: str, **changes) -> dict:
    order = load("douyin")["data"]["shop_order_list"][0]
    order.update(order_id=order_id, **changes)
    for i, line in enumerate(order["sku_order_list"], start=1):
        line["order_id"] = f"{order_id}{i}"
        line["parent_order_id"] = order_id
    return order


def douyin_list(*orders: dict, page: int = 0, size: int = 20, total: int | None = None) -> dict:
    return {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "example",
            "data": {"page": page, "size": size, "total": len(orders) if total is None else total,
                     "shop_order_list": list(orders)}}


def douyin_detail(order: dict) -> dict:
    return {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "example",
            "data": {"shop_order_detail": order}}


def shopify_order(order_id: int, **changes) -> dict:
    order = load("shopify")
    order.pop("_meta", None)
    order.update(id=order_id, **changes)
    return order


def woo_order(order_id: int, **changes) -> dict:
    order = load("woocommerce")
    order.pop("_meta", None)
    order.update(id=order_id, **changes)
    return order
