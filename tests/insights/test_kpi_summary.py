"""The KPIs' daily ledger summary (issue 19, performance): kept at posting, equal to the books.

A small trading company runs through the services: T-shirts (服装, ¥20 in Shanghai / ¥24 in Guangzhou), mugs
(家居, ¥10) and gift cards (no product group, ¥5), stocked in both warehouses; a dealer channel and a web shop
(Sihe's own order format) order mixed baskets on three days, the warehouse ships them (cost-of-sales vouchers
per move, a revenue voucher per order), and an accountant posts a manual revenue voucher of no order. Then:

- every summary row equals the figure recomputed here, in Python, from the voucher lines, the orders and the
  stock moves (channel of the order; warehouse of the move or the order's first shipment; product group of the
  move, or the order's revenue shared out over its lines by sale amount);
- every general-ledger KPI, whole and by each grouping, from the summary equals the same KPI straight from
  the voucher lines;
- `sihe kpis rebuild` gives the same rows, and `sihe kpis check` finds no difference (and finds one it is
  shown).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sihe.catalog.models import Category, Channel, Product, Uom
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.costing.models import ValuationLayer
from sihe.insights import kpis, summary
from sihe.insights.models import LedgerDay
from sihe.ledger import services as ledger
from sihe.ledger.models import Account, Voucher, VoucherLine
from sihe.oms.models import Order, OrderLine
from sihe.stock.models import StockMove
from sihe.stock.services import InLine
from sihe.wms.models import Shipment
from tests.oms.world import build

D = Decimal
pytestmark = pytest.mark.django_db
DECEMBER = kpis.Period(datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
GL_KPIS = ("revenue", "cogs", "gross_profit", "gross_margin", "inventory_turnover", "days_of_stock")


def web_order(order_id: str, lines: list[tuple[str, int, str]], *, city="杭州市", province="浙江省") -> dict:
    return {"order_id": order_id, "status": "paid", "created_at": "2026-12-01T09:00:00+08:00",
            "paid_at": "2026-12-01T09:00:00+08:00",
            "receiver": {"name": "李女士", "phone": "13900000000", "province": province, "city": city,
                         "district": "西湖区", "address": "文三路 200 号"},
            "lines": [{"sku": sku, "qty": str(qty), "price": price} for sku, qty, price in lines]}


def dealer_order(order_id: str, lines: list[tuple[str, int, str]], **where) -> dict:
    return {**web_order(order_id, lines, **where), "customer": "C-DEALER-01"}


@pytest.fixture
def company(db, clock, api_as, make_user):
    clock.at(2026, 12, 1, hour=9)
    world = build(stock={"SH": 30, "GZ": 30})
    actor = world["actor"]
    clothes = Category.objects.create(code="CLO", name="服装")
    home = Category.objects.create(code="HOME", name="家居")
    tee = world["tee"]
    tee.category = clothes
    tee.save()
    pcs = Uom.objects.get(code="PCS")
    mug = Product.objects.create(sku="MUG-350", name="陶瓷马克杯 350ml", uom=pcs, category=home, tax_rate=D("0.13"),
                                 tax_code=tee.tax_code, tax_short_name="日用品")
    card = Product.objects.create(sku="CARD-50", name="礼品卡包装", uom=pcs, tax_rate=D("0.13"),
                                  tax_code=tee.tax_code, tax_short_name="纸制品")
    for product, cost in ((mug, "10.00"), (card, "5.00")):
        for wh in world["wh"].values():
            costing.receive(warehouse=wh, lines=[InLine(product=product, qty=D(30), unit_cost=D(cost))], actor=actor,
                            reference=f"PO-{product.sku}-{wh.code}", date=datetime.date(2026, 11, 1))
    Channel.objects.create(code="web", type="api", name="四合官网")
    service, warehouse = api_as("service"), api_as("warehouse")
    days = [
        (2, [("web", web_order("W-1", [("TEE-BLK-M", 2, "50.00"), ("MUG-350", 1, "30.00")])),
             ("dealer", dealer_order("D-1", [("TEE-BLK-M", 4, "45.00"), ("CARD-50", 1, "12.00")]))]),
        (3, [("web", web_order("W-2", [("MUG-350", 3, "29.90")], city="广州市", province="广东省")),
             ("web", web_order("W-3", [("TEE-BLK-M", 1, "59.00"), ("MUG-350", 2, "33.30"), ("CARD-50", 1, "9.90")],
                               city="深圳市", province="广东省"))]),
        (5, [("dealer", dealer_order("D-2", [("MUG-350", 5, "27.00"), ("TEE-BLK-M", 3, "44.00")],
                                     city="广州市", province="广东省"))]),
    ]
    for day, orders in days:
        clock.at(2026, 12, day, hour=10)
        for channel, body in orders:
            r = service.post(f"/api/v1/channels/{channel}/orders", body)
            assert r.status_code == 201, r.json_body
            order = r.json_body["order"]
            assert order["status"] == "allocated", order
            for i, shipment in enumerate(order["shipments"]):
                shipped = warehouse.post(f"/api/v1/orders/{order['id']}/ship",
                                         {"shipment": shipment["number"], "carrier": "SF",
                                          "tracking_no": f"SF{order['id']}{i}"})
                assert shipped.status_code == 200, shipped.json_body
    # a revenue voucher of no order: the platform's year-end bonus on sales, booked by hand
    clock.at(2026, 12, 6, hour=10)
    maker = Actor.for_user(make_user("accountant", "maker"))
    reviewer = Actor.for_user(make_user("accountant", "reviewer"))
    voucher = ledger.create_voucher(date=datetime.date(2026, 12, 6), actor=maker, lines=[
        {"account": "1122", "debit": "113.00", "credit": None, "summary": "平台年度返利"},
        {"account": "5001", "debit": None, "credit": "100.00", "summary": "平台年度返利"},
        {"account": "2221.01.06", "debit": None, "credit": "13.00", "summary": "平台年度返利"}])
    ledger.review_voucher(voucher=voucher, actor=reviewer)
    ledger.post_voucher(voucher=voucher, actor=reviewer)
    return world


def _accounts(role: str) -> set[int]:
    roots = list(Account.objects.filter(role=role).values_list("code", flat=True))
    return {a.pk for a in Account.objects.all() if any(a.code == r or a.code.startswith(f"{r}.") for r in roots)}


def recomputed() -> dict[tuple, tuple[Decimal, Decimal]]:
    """The summary as the books say it should be, worked out line by line in Python."""
    revenue, cogs = _accounts("revenue"), _accounts("cogs")
    rows: dict[tuple, list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for line in VoucherLine.objects.filter(voucher__status="posted", account_id__in=revenue | cogs).select_related(
            "voucher"):
        v = line.voucher
        pieces = [(0, 0, 0, D(1))]  # channel, warehouse, product group, share
        if line.account_id in revenue and v.source_type == "oms.order":
            order = Order.objects.get(pk=int(v.source_id))
            shipments = Shipment.objects.filter(source_type="oms.order", source_id=v.source_id)
            warehouse = min(s.warehouse_id for s in shipments) if shipments else 0
            sale = defaultdict(lambda: D(0))
            for ol in OrderLine.objects.filter(order=order).select_related("product"):
                sale[ol.product.category_id or 0] += ol.amount_paid + ol.platform_subsidy
            whole = sum(sale.values(), D(0))
            pieces = ([(order.channel_id, warehouse, cat, amount / whole) for cat, amount in sale.items()] if whole
                      else [(order.channel_id, warehouse, 0, D(1))])
        elif line.account_id in cogs and v.source_type == "stock_move":
            move = StockMove.objects.select_related("product").get(pk=int(v.source_id))
            shipment = Shipment.objects.filter(number=move.reference).first()
            channel = (Order.objects.get(pk=int(shipment.source_id)).channel_id
                       if shipment and shipment.source_type == "oms.order" else 0)
            pieces = [(channel, move.src_warehouse_id or move.dst_warehouse_id or 0, move.product.category_id or 0,
                       D(1))]
        for channel, warehouse, cat, share in pieces:
            entry = rows[(v.date.isoformat(), line.account_id, channel, warehouse, cat)]
            entry[0] += line.debit * share
            entry[1] += line.credit * share
    return {k: (v[0], v[1]) for k, v in rows.items()}


def close_enough(stored: dict, books: dict) -> list:
    """Rows that differ by more than a hundredth of a fen (a share keeps 8 places)."""
    zero = (D(0), D(0))
    return [(k, stored.get(k), books.get(k)) for k in set(stored) | set(books)
            if any(abs(a - b) > D("0.0001") for a, b in zip(stored.get(k, zero), books.get(k, zero), strict=True))]


def test_every_summary_row_equals_the_books(company):
    stored = summary.stored()
    books = recomputed()
    assert close_enough(stored, books) == []
    # the rows a manager would check: revenue and cost per product group over the month, from the summary
    # W-1: 100 + 30 = 130 gross → net 115.04, shared 100:30; D-1 180 + 12; W-2 89.70; W-3 59 + 66.60 + 9.90; D-2
    # 135 + 132; the manual ¥100 has no group
    by_group = kpis.figure("revenue", DECEMBER, group_by="product_group")
    values = {g["key"]: D(g["value"]) for g in by_group["groups"]}
    assert set(values) == {"CLO", "HOME", "-"}
    gross = {"CLO": D("100") + D("180") + D("59") + D("132"), "HOME": D("30") + D("89.70") + D("66.60") + D("135"),
             "-": D("12") + D("9.90")}
    for key, amount in gross.items():  # net of 13 % VAT, to within the fen each order's rounding moves
        assert abs(values[key] - (amount / D("1.13") + (100 if key == "-" else 0))) < D("0.05"), (key, values)
    assert D(by_group["value"]) == sum(values.values())
    # cost of sales: what the stock ledger issued — T-shirts 2 + 4 + 1 + 3 at ¥20 (SH) or ¥24 (GZ), mugs 11 × ¥10,
    # cards 2 × ¥5 — whole and per warehouse
    issued = ValuationLayer.objects.filter(kind="out", move__kind="issue")
    assert D(kpis.figure("cogs", DECEMBER)["value"]) == -sum((x.value for x in issued), D(0))
    per_wh = {g["key"]: D(g["value"]) for g in kpis.figure("cogs", DECEMBER, group_by="warehouse")["groups"]}
    assert per_wh == {code: -sum((x.value for x in issued if x.warehouse.code == code), D(0)) for code in {x.warehouse.code for x in issued}}
    # and per product group, though W-1, D-1, W-3 and D-2 each shipped two or three groups in one parcel
    per_group = {g["key"]: D(g["value"]) for g in kpis.figure("cogs", DECEMBER, group_by="product_group")["groups"]}
    assert per_group == {"CLO": -sum((x.value for x in issued if x.product.sku == "TEE-BLK-M"), D(0)),
                         "HOME": -sum((x.value for x in issued if x.product.sku == "MUG-350"), D(0)),
                         "-": D("10.00")}
    assert per_group["HOME"] == D("110.00")  # 11 mugs at ¥10
    margin = {g["key"]: D(g["value"]) for g in kpis.figure("gross_profit", DECEMBER, group_by="product_group")["groups"]}
    assert margin["HOME"] == values["HOME"] - D("110.00")
    by_channel = {g["key"] for g in kpis.figure("revenue", DECEMBER, group_by="channel")["groups"]}
    assert by_channel == {"web", "dealer", "-"}
    assert LedgerDay.objects.filter(channel=0, warehouse=0, category=0,
                                    account__code="5001").get().credit == D("100.00")


def test_kpis_from_the_summary_equal_the_kpis_straight_from_the_ledgers(company):
    for code in GL_KPIS:
        for group_by in (None, *kpis.REGISTRY[code].group_by):
            fast = kpis.figure(code, DECEMBER, group_by=group_by)
            with kpis.straight_from_ledgers():
                straight = kpis.figure(code, DECEMBER, group_by=group_by)
            assert (fast["value"], fast["groups"]) == (straight["value"], straight["groups"]), (code, group_by)
    assert kpis.figure("revenue", DECEMBER)["value"] != "0.00"
    with kpis.straight_from_ledgers():
        straight_days = kpis.revenue_by_day(DECEMBER)
    assert kpis.revenue_by_day(DECEMBER) == straight_days
    assert sorted(straight_days) == [datetime.date(2026, 12, d) for d in (2, 3, 5, 6)]


def test_a_rebuild_gives_the_same_rows_and_the_check_finds_a_difference(company, capsys):
    before = summary.stored()
    assert before and summary.differences() == []
    call_command("kpis", "rebuild")
    assert close_enough(summary.stored(), before) == []
    assert set(summary.stored()) == set(before)
    call_command("kpis", "check")
    LedgerDay.objects.filter(account__code="5001", channel=0).update(credit=D("99.00"))
    with pytest.raises(CommandError, match="1"):
        call_command("kpis", "check")
    summary.rebuild()
    assert summary.differences() == []
    assert Voucher.objects.filter(status="posted").exists()
