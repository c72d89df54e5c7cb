"""Demo orders (a step of `sihe demo`, idempotent): Taobao trades and dealer / API / POS orders taken in
through intake like real ones, some shipped (COGS and revenue vouchers), invoiced and settled, some
held for customer service, and one payload refused for an unknown SKU waiting on the intake error list."""

import json
from collections.abc import Callable
from decimal import Decimal

from sihe.core.actor import Actor
from sihe.core.errors import DomainError

CITIES = (("广东省", "深圳市", "南山区"), ("浙江省", "杭州市", "西湖区"), ("上海市", "上海市", "浦东新区"),
          ("江苏省", "南京市", "鼓楼区"), ("北京市", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区"),
          ("广东省", "广州市", "天河区"), ("浙江省", "宁波市", "鄞州区"))
ORDERS = 24


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def taobao_trade(tid: str, lines: list[tuple[str, str, int, int]], *, receiver: tuple[str, str, str],
                 when: str = "2026-11-25 10:00:00", name: str = "张**") -> dict:
    """A taobao.trade.fullinfo.get answer whose numbers add up: lines are (outer sku, title, price fen, num)."""
    orders, total = [], 0
    for k, (sku, title, price, num) in enumerate(lines):
        fee = price * num
        total += fee
        orders.append({"oid": f"{tid}{k}", "num_iid": 600000 + k, "sku_id": f"{k}{tid[-6:]}", "outer_sku_id": sku,
                       "title": title, "sku_properties_name": "", "price": yuan(price), "num": num,
                       "adjust_fee": "0.00", "discount_fee": "0.00", "total_fee": yuan(fee),
                       "part_mjz_discount": "0.00", "divide_order_fee": yuan(fee), "payment": yuan(fee),
                       "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"})
    province, city, district = receiver
    return {"trade_fullinfo_get_response": {"trade": {
        "tid": int(tid), "tid_str": tid, "type": "fixed", "status": "WAIT_SELLER_SEND_GOODS",
        "buyer_nick": f"tb_{tid[-4:]}", "buyer_open_uid": f"AAG{tid[-8:]}", "created": when, "pay_time": when,
        "modified": when, "total_fee": yuan(total), "discount_fee": "0.00", "adjust_fee": "0.00", "post_fee": "0.00",
        "payment": yuan(total), "receiver_name": name, "receiver_mobile": "138****5678", "receiver_state": province,
        "receiver_city": city, "receiver_district": district, "receiver_address": "科技路**号",
        "orders": {"order": orders}}}}


def native_order(order_id: str, lines: list[tuple[str, str, int]], *, receiver: tuple[str, str, str],
                 customer: str = "", name: str = "王先生") -> dict:
    province, city, district = receiver
    body = {"order_id": order_id, "status": "paid", "created_at": "2026-11-25T09:30:00+08:00",
            "paid_at": "2026-11-25T09:31:00+08:00",
            "receiver": {"name": name, "phone": "13900001111", "province": province, "city": city,
                         "district": district, "address": "人民路 88 号"},
            "lines": [{"sku": sku, "qty": str(qty), "price": price} for sku, price, qty in lines]}
    if customer:
        body["customer"] = customer
    return body


def _stocked(limit: int = 12):
    """Products with plenty available and no serial numbers, with a sale price."""
    from sihe.stock.models import StockLevel

    rows = (StockLevel.objects.filter(on_hand__gte=40, product__tracking__in=["none", "lot", "lot_expiry"])
            .select_related("product").order_by("product__sku"))
    seen, out = set(), []
    for level in rows:
        if level.product_id in seen:
            continue
        seen.add(level.product_id)
        out.append(level.product)
        if len(out) >= limit:
            break
    return out


def load_orders(*, actor: Actor, advance: Callable[[int], None]) -> int:
    from sihe.catalog.models import Channel, Partner
    from sihe.oms import billing, services
    from sihe.oms.models import Order

    if Order.objects.exists():
        advance(ORDERS)
        return 0
    products = _stocked()
    channels = {c.code: c for c in Channel.objects.all()}
    dealer = Partner.objects.filter(kind="customer").order_by("code").first()
    if len(products) < 4 or "tb-flagship" not in channels:
        advance(ORDERS)
        return 0

    def price(p) -> int:
        return int((Decimal(p.list_price or 0) or Decimal("39.90")) * 100)

    taken = []
    for i in range(ORDERS):
        a, b = products[i % len(products)], products[(i * 5 + 3) % len(products)]
        receiver = CITIES[i % len(CITIES)]
        kind = ("tb-flagship", "dealer", "api", "pos-store1")[i % 4]
        if kind == "tb-flagship":
            code, body = kind, taobao_trade(f"38{i:017d}", [(a.sku, a.name, price(a), 1 + i % 2),
                                                            (b.sku, b.name, price(b), 1)], receiver=receiver)
        elif kind == "dealer" and dealer is not None:
            code, body = kind, native_order(f"DL-2026-{i:04d}", [(a.sku, str(price(a) / 100 * 0.7), 10 + i)],
                                            receiver=(dealer.province, dealer.city, dealer.district),
                                            customer=dealer.code, name=dealer.contact or "采购部")
        else:
            code, body = ("api" if kind == "api" else "pos-store1"), native_order(
                f"{kind.upper()}-{i:05d}", [(a.sku, yuan(price(a)), 1), (b.sku, yuan(price(b)), 2)], receiver=receiver)
        if i == 5:  # a receiver nobody can find: held for customer service
            body["receiver"]["province"] = "火星省"
        try:
            taken.append(services.receive_order(channel_code=code, body=body, actor=actor).order)
        except DomainError:
            pass
        advance(1)
    # one payload whose SKU is not ours yet: it waits on the intake error list for a mapping
    try:
        services.receive_order(channel_code="tb-flagship", body=json.dumps(taobao_trade(
            "3899999999999999999", [("TS-001-M-BLK", "纯棉短袖T恤 男款 黑色 M", 5900, 2)], receiver=CITIES[0])),
            actor=actor)
    except DomainError:
        pass
    shipped = 0
    for order in taken:
        order.refresh_from_db()
        if order.status != Order.Status.ALLOCATED or shipped >= 14:
            continue
        try:
            services.ship_order(order=order, carrier="SF" if shipped % 2 else "ZTO",
                                tracking_no=f"{'SF' if shipped % 2 else 'ZTO'}{7300000000 + order.pk}", actor=actor)
            shipped += 1
        except DomainError:
            continue
    done = list(Order.objects.filter(status=Order.Status.SHIPPED).order_by("pk")[:4])
    for order in done[:3]:
        try:
            billing.invoice_orders(orders=[order.pk], buyer_name=order.partner.name if order.partner_id else "个人",
                                   buyer_tax_id=order.partner.tax_id if order.partner_id else "", actor=actor)
        except DomainError:
            pass
    for order in done[:2]:
        if order.channel.code == "tb-flagship":
            fee = (order.revenue_total * Decimal("0.05")).quantize(Decimal("0.01"))
            services.record_settlement(order=order, kind="platform", amount=order.revenue_total - fee, fee=fee,
                                       actor=actor, reference=f"ALIPAY-{order.pk}")
    return len(taken)
