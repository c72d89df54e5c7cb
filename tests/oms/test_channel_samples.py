"""Each channel's sample normalizes to the totals a shop owner checks against the platform's back office."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sihe.oms.channels import ADAPTERS, STATUSES, ChannelPayloadError, NormalizedOrder, normalize

from .conftest import SOURCES, load

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def assert_adds_up(order: NormalizedOrder):
    """Σ lines + shipping − discounts (+ added tax) = paid; line discounts add up to the order's."""
    assert sum(line.discount for line in order.lines) == order.discount_total
    assert sum(line.line_total for line in order.lines) == order.goods_total
    added_tax = D(0) if order.prices_include_tax else order.tax_total
    assert order.goods_total - order.discount_total + order.shipping_fee + order.fee_total + added_tax \
        == order.amount_paid
    line_tax = sum(line.tax for line in order.lines) if not order.prices_include_tax else D(0)
    assert sum(line.amount_paid for line in order.lines) + order.shipping_fee + order.fee_total + added_tax - line_tax \
        == order.amount_paid
    for line in order.lines:
        assert line.qty * line.unit_price == line.line_total or abs(line.qty * line.unit_price - line.line_total) \
            <= D("0.01")
    assert order.status in STATUSES and all(line.status in STATUSES for line in order.lines)
    assert isinstance(order.external_id, str)
    assert all(isinstance(line.external_line_id, str) and isinstance(line.channel_sku, str) for line in order.lines)
    assert order.created_at.tzinfo is not None and order.updated_at.tzinfo is not None


@pytest.mark.parametrize("channel", sorted(SOURCES))
def test_every_sample_adds_up(channel):
    assert_adds_up(normalize(channel, load(channel)))


def test_taobao_sample():
    # when
    order = normalize("taobao", load("taobao"))
    # then
    assert order.external_id == "3712345678901234567"
    assert order.dedupe_key == "taobao:示例旗舰店:3712345678901234567"
    assert (order.status, order.channel_status) == ("paid", "WAIT_SELLER_SEND_GOODS")
    assert (order.goods_total, order.discount_total, order.shipping_fee, order.amount_paid) == (
        D("147.90"), D("16.00"), D("0.00"), D("131.90"))
    tee, socks = order.lines
    assert (tee.outer_sku, tee.channel_sku, tee.qty, tee.unit_price) == ("TS-001-M-BLK", "4567890123456", D(2), D("59.00"))
    assert tee.spec == {"颜色分类": "黑色", "尺码": "M"}
    assert (tee.discount, tee.amount_paid) == (D("14.50"), D("103.50"))  # 10.00 own + 4.50 shop share
    assert (socks.discount, socks.amount_paid) == (D("1.50"), D("28.40"))
    assert socks.refund_status == "WAIT_SELLER_AGREE" and socks.shippable is False and tee.shippable is True
    assert "3712345678901234569" in order.hold_reason
    assert order.receiver.name == "张**" and order.receiver.phone == "138****5678"
    assert (order.receiver.province, order.receiver.city, order.receiver.district, order.receiver.street) == (
        "广东省", "深圳市", "南山区", "粤海街道")
    assert order.created_at == datetime(2025, 3, 8, 20, 31, 5, tzinfo=SHANGHAI)
    assert order.paid_at == datetime(2025, 3, 8, 12, 31, 40, tzinfo=UTC)
    assert order.version_key == datetime(2025, 3, 8, 21, 2, 17, tzinfo=SHANGHAI)
    assert order.buyer_message == "请用顺丰"


def test_taobao_plain_array_form_gives_the_same_order():
    wrapped = load("taobao")
    plain = wrapped["trade_fullinfo_get_response"]["trade"]
    plain["orders"] = plain["orders"]["order"]
    assert normalize("taobao", {"trade": plain}) == normalize("taobao", wrapped)


def test_taobao_spreads_the_shop_discount_when_no_allocation_is_sent():
    payload = load("taobao")
    for line in payload["trade_fullinfo_get_response"]["trade"]["orders"]["order"]:
        del line["part_mjz_discount"]
    order = normalize("taobao", payload)
    # 6.00 over 108.00 and 29.90: 4.70, and the last line takes the remainder 1.30
    assert [line.discount for line in order.lines] == [D("14.70"), D("1.30")]
    assert order.discount_total == D("16.00") and order.amount_paid == D("131.90")


def test_taobao_county_level_city_goes_into_city():
    payload = load("taobao")
    trade = payload["trade_fullinfo_get_response"]["trade"]
    trade.update(receiver_state="河南省", receiver_city="", receiver_district="济源市", receiver_town="沁园街道")
    receiver = normalize("taobao", payload).receiver
    assert (receiver.province, receiver.city, receiver.district, receiver.street) == (
        "河南省", "济源市", "", "沁园街道")


def test_taobao_lines_closed_by_taobao_never_ship():
    payload = load("taobao")
    line = payload["trade_fullinfo_get_response"]["trade"]["orders"]["order"][0]
    line["status"] = "TRADE_CLOSED_BY_TAOBAO"
    order = normalize("taobao", payload)
    assert order.lines[0].status == "cancelled" and order.lines[0].shippable is False


def test_taobao_tid_as_integer_becomes_its_digits_and_a_float_is_refused():
    payload = load("taobao")
    trade = payload["trade_fullinfo_get_response"]["trade"]
    del trade["tid_str"]
    assert normalize("taobao", payload).external_id == "3712345678901234567"
    trade["tid"] = 3.712345678901234e18
    with pytest.raises(ChannelPayloadError) as error:
        normalize("taobao", payload)
    assert error.value.field == "trade_fullinfo_get_response.trade.tid"


def test_jd_sample():
    order = normalize("jd", load("jd"))
    assert (order.external_id, order.shop, order.status) == ("312345678901", "10123456", "paid")
    assert (order.goods_total, order.discount_total, order.shipping_fee, order.amount_paid) == (
        D("207.00"), D("10.00"), D("6.00"), D("203.00"))
    assert [line.discount for line in order.lines] == [D("6.67"), D("3.33")]
    assert [line.amount_paid for line in order.lines] == [D("131.33"), D("65.67")]
    assert [line.qty for line in order.lines] == [D(2), D(1)]  # itemTotal "2" is a string
    assert order.platform_subsidy == D("0.00")
    assert order.extra["finished_at"] is None  # 0001-01-01 00:00:00 = not finished
    # JD's Beijing "city" is the district and its "county" a ring-road zone
    assert (order.receiver.province, order.receiver.city, order.receiver.district, order.receiver.street) == (
        "北京市", "北京市", "朝阳区", "望京街道")
    assert order.paid_at == datetime(2025, 3, 8, 9, 13, 2, tzinfo=SHANGHAI)


def test_jd_coupon_paid_by_jd_is_a_platform_subsidy_and_a_lock_holds_the_order():
    payload = load("jd")
    info = payload["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]
    info.update(orderPayment="198.00", balanceUsed="2.00", orderState="LOCKED")
    order = normalize("jd", payload)
    assert order.amount_paid == D("200.00")  # balance used is still paid by the buyer
    assert (order.discount_total, order.platform_subsidy) == (D("13.00"), D("3.00"))
    assert order.hold_reason and not any(line.shippable for line in order.lines)


def test_douyin_sample_converts_fen_once():
    order = normalize("douyin", load("douyin"))
    assert (order.external_id, order.shop, order.status, order.channel_status) == (
        "6918123456789012345", "1234567", "paid", "2")
    assert (order.goods_total, order.discount_total, order.shipping_fee, order.amount_paid) == (
        D("158.00"), D("10.00"), D("0.00"), D("148.00"))
    (mug,) = order.lines
    assert (mug.unit_price, mug.qty, mug.line_total, mug.discount, mug.amount_paid) == (
        D("79.00"), D(2), D("158.00"), D("10.00"), D("148.00"))
    assert (mug.external_line_id, mug.channel_sku, mug.outer_sku) == ("6918123456789012346", "1734567890123", "MUG-350-WHT")
    assert mug.spec == {"颜色": "白色"}
    assert (order.receiver.city, order.receiver.district, order.receiver.street) == ("杭州市", "西湖区", "文新街道")
    assert order.created_at == datetime(2025, 3, 8, 12, 30, tzinfo=UTC)
    assert order.buyer.id == "EXAMPLE-doudian-open-id"


def test_douyin_platform_and_talent_subsidies_are_kept_apart_from_the_shop_discount():
    payload = load("douyin")
    shop_order = payload["data"]["shop_order_list"][0]
    shop_order.update(promotion_shop_amount=500, promotion_platform_amount=300, promotion_talent_amount=200)
    order = normalize("douyin", payload)
    assert (order.discount_total, order.platform_subsidy) == (D("10.00"), D("5.00"))
    assert order.extra["shop_promotion"] == D("5.00")


def test_douyin_after_sale_request_blocks_the_line():
    payload = load("douyin")
    payload["data"]["shop_order_list"][0]["sku_order_list"][0]["after_sale_info"]["after_sale_status"] = 6
    order = normalize("douyin", payload)
    assert order.lines[0].shippable is False and order.hold_reason


def test_douyin_bare_shop_order_and_several_orders_in_one_envelope():
    payload = load("douyin")
    bare = payload["data"]["shop_order_list"][0]
    assert normalize("douyin", bare).amount_paid == D("148.00")
    payload["data"]["shop_order_list"].append(bare)
    with pytest.raises(ChannelPayloadError) as error:
        normalize("douyin", payload)
    assert error.value.field == "data.shop_order_list"


def test_shopify_sample():
    order = normalize("shopify", load("shopify"), shop="example-cn-exporter.myshopify.com")
    assert order.external_id == "5678901234567"
    assert order.dedupe_key == "shopify:example-cn-exporter.myshopify.com:5678901234567"
    assert (order.status, order.currency) == ("paid", "USD")
    assert (order.goods_total, order.discount_total, order.shipping_fee, order.tax_total, order.amount_paid) == (
        D("58.97"), D("5.00"), D("5.00"), D("4.32"), D("63.29"))
    tee, mug = order.lines
    assert (tee.external_line_id, tee.channel_sku, tee.outer_sku) == ("13688971493691", "44012345678901", "TS-001-M-BLK")
    assert (tee.line_total, tee.discount, tee.tax, tee.amount_paid) == (D("39.98"), D("5.00"), D("2.80"), D("37.78"))
    assert (mug.line_total, mug.discount, mug.tax, mug.amount_paid) == (D("18.99"), D("0.00"), D("1.52"), D("20.51"))
    assert order.created_at == datetime(2025, 3, 8, 15, 15, 30, tzinfo=UTC)
    assert order.created_at.utcoffset() == timedelta(hours=-5)
    assert (order.buyer.id, order.buyer.nick) == ("7012345678901", "Alex Chen")
    assert order.receiver.detail == "100 Main St Apt 4" and order.receiver.country == "US"


def test_shopify_status_from_cancelled_at_and_fulfilment():
    payload = load("shopify")
    payload["fulfillment_status"] = "fulfilled"
    assert normalize("shopify", payload).status == "shipped"
    payload["closed_at"] = "2025-03-10T10:00:00-05:00"
    assert normalize("shopify", payload).status == "completed"
    payload.update(cancelled_at="2025-03-08T11:00:00-05:00", cancel_reason="customer", fulfillment_status=None)
    assert normalize("shopify", payload).status == "cancelled"


def test_shopify_refund_transactions_are_summed():
    payload = load("shopify")
    payload["financial_status"] = "partially_refunded"
    payload["refunds"] = [{"id": 9123, "transactions": [
        {"id": 1, "kind": "refund", "status": "success", "amount": "20.51"},
        {"id": 2, "kind": "refund", "status": "failure", "amount": "5.00"},
    ]}]
    assert normalize("shopify", payload).refunded_total == D("20.51")


def test_woocommerce_sample():
    order = normalize("woocommerce", load("woocommerce"), shop="https://shop.example.cn")
    assert (order.external_id, order.status, order.currency) == ("727", "paid", "CNY")
    assert (order.goods_total, order.discount_total, order.shipping_fee, order.tax_total, order.amount_paid) == (
        D("230.00"), D("20.00"), D("10.00"), D("28.60"), D("248.60"))
    hoodie, socks = order.lines
    assert (hoodie.unit_price, hoodie.discount, hoodie.tax, hoodie.amount_paid) == (
        D("100.00"), D("20.00"), D("23.40"), D("203.40"))
    assert hoodie.spec == {"颜色": "灰色", "尺码": "L"}
    assert (socks.channel_sku, socks.outer_sku, socks.amount_paid) == ("94", "SK-002-WHT", D("33.90"))
    assert order.created_at == datetime(2025, 3, 8, 7, 15, 30, tzinfo=UTC)  # from date_created_gmt
    assert order.extra["prices_include_tax"] is True
    assert order.receiver.name == "刘明"


def test_woocommerce_prefixed_status_and_negative_refunds():
    payload = load("woocommerce")
    payload["status"] = "wc-completed"
    payload["refunds"] = [{"id": 730, "reason": "袜子退货", "total": "-33.90"}]
    order = normalize("woocommerce", payload)
    assert (order.status, order.channel_status, order.refunded_total) == ("completed", "completed", D("33.90"))


def test_later_version_of_the_same_order_is_newer():
    first = normalize("shopify", load("shopify"), shop="s")
    payload = load("shopify")
    payload.update(updated_at="2025-03-08T10:20:00-05:00", cancelled_at="2025-03-08T10:19:00-05:00")
    later = normalize("shopify", payload, shop="s")
    assert later.dedupe_key == first.dedupe_key
    assert later.is_newer_than(first) and not first.is_newer_than(later) and not first.is_newer_than(first)
    assert later.status == "cancelled"
    # a different offset for the same instant is not newer
    payload["updated_at"] = first.updated_at.astimezone(timezone(timedelta(hours=8))).isoformat()
    assert not normalize("shopify", payload, shop="s").is_newer_than(first)


def test_registry():
    assert set(ADAPTERS) >= {"taobao", "jd", "douyin", "shopify", "woocommerce"}
    with pytest.raises(ChannelPayloadError) as error:
        normalize("pinduoduo", {})
    assert error.value.field == "channel_type"


def test_jd_ordinary_province_keeps_its_four_levels():
    payload = load("jd")
    _info = payload["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]
    _info["consigneeInfo"].update(province="浙江", city="杭州市", county="西湖区", town="文新街道")
    receiver = normalize("jd", payload).receiver
    assert (receiver.province, receiver.city, receiver.district, receiver.street) == (
        "浙江", "杭州市", "西湖区", "文新街道")


def test_shopify_free_shipping_code_is_taken_from_the_shipping_line():
    payload = load("shopify")
    payload["shipping_lines"][0]["discounted_price"] = "0.00"
    payload.update(total_price="58.29", total_price_set=None)
    order = normalize("shopify", payload)
    assert (order.shipping_fee, order.amount_paid) == (D("0.00"), D("58.29"))


STATUS_TABLES = {
    "taobao": {"WAIT_BUYER_PAY": "pending_payment", "WAIT_SELLER_SEND_GOODS": "paid",
               "SELLER_CONSIGNED_PART": "partially_shipped", "WAIT_BUYER_CONFIRM_GOODS": "shipped",
               "TRADE_BUYER_SIGNED": "shipped", "TRADE_FINISHED": "completed", "TRADE_CLOSED": "closed",
               "TRADE_CLOSED_BY_TAOBAO": "cancelled", "PAID_FORBID_CONSIGN": "paid"},
    "jd": {"WAIT_SELLER_STOCK_OUT": "paid", "WAIT_GOODS_RECEIVE_CONFIRM": "shipped", "FINISHED_L": "completed",
           "TRADE_CANCELED": "cancelled", "LOCKED": "paid"},
    "douyin": {1: "pending_payment", 105: "paid", 2: "paid", 101: "partially_shipped", 3: "shipped",
               4: "cancelled", 5: "completed"},
    "woocommerce": {"pending": "pending_payment", "on-hold": "pending_payment", "processing": "paid",
                    "wc-processing": "paid", "completed": "completed", "cancelled": "cancelled",
                    "refunded": "closed", "failed": "pending_payment"},
}


def _set_status(channel, payload, raw):
    if channel == "taobao":
        trade = payload["trade_fullinfo_get_response"]["trade"]
        trade["status"] = raw
        for line in trade["orders"]["order"]:
            line["status"] = raw
    elif channel == "jd":
        payload["jingdong_pop_order_get_responce"]["orderDetailInfo"]["orderInfo"]["orderState"] = raw
    elif channel == "douyin":
        shop_order = payload["data"]["shop_order_list"][0]
        shop_order["order_status"] = raw
        shop_order["sku_order_list"][0]["order_status"] = raw
    else:
        payload["status"] = raw


@pytest.mark.parametrize(("channel", "raw", "expected"),
                         [(c, raw, ours) for c, table in STATUS_TABLES.items() for raw, ours in table.items()])
def test_status_tables(channel, raw, expected):
    payload = load(channel)
    _set_status(channel, payload, raw)
    order = normalize(channel, payload)
    assert order.status == expected
    assert all(line.shippable is False for line in order.lines) or order.status == "paid"


def test_woocommerce_fee_lines_are_other_charges():
    payload = load("woocommerce")
    payload["fee_lines"] = [{"id": 320, "name": "货到付款手续费", "total": "5.00", "total_tax": "0.65"}]
    payload.update(total="254.25", total_tax="29.25")
    order = normalize("woocommerce", payload)
    assert (order.fee_total, order.tax_total, order.amount_paid) == (D("5.00"), D("29.25"), D("254.25"))
    assert_adds_up(order)
