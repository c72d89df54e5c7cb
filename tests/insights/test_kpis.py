"""The KPIs on a small November a manager can check by hand.

The company: T-shirts (服装) in Shanghai, shoes (鞋) in Guangzhou; a Taobao and a Douyin shop.
- 11-01 receipts: SH 10 T-shirts × ¥20 = ¥200; GZ 5 shoes × ¥100 = ¥500 → stock ¥700.
- O1 (Taobao): 2 T-shirts, paid ¥226 (net ¥200 + VAT 13 % ¥26) 11-10 09:00, in Sihe 30 s later, promised
  16:00, shipped from SH 15:00 (on time, 6 h). Cost 2 × 20 = ¥40.
- O2 (Douyin): 1 pair of shoes, paid ¥339 (net ¥300) 11-10 10:00, in Sihe 10 s later, promised 16:00,
  shipped from GZ 11-11 11:00 (late, 25 h). Cost ¥100.
- O3 (Taobao), shipped 10-15 for ¥113 and never settled: on 11-30 it is 46 days old, overdue.
So for 11-01…11-30: revenue 200 + 300 = ¥500.00 (Taobao 200 / Douyin 300; SH 200 / GZ 300; 服装 200 / 鞋 300);
cost of sales 40 + 100 = ¥140.00; gross profit ¥360.00, margin 72.00 % (Taobao 160/200 = 80.00 %, Douyin
200/300 = 66.67 %); stock on 11-30 700 − 140 = ¥560.00 (SH 160, GZ 400); turnover 140 ÷ ((0 + 560) / 2) = 0.50,
days of stock 280 × 30 ÷ 140 = 60.0; on time 1 of 2 = 50.00 %; cycle (6 + 25) / 2 = 15.50 h; hand-off
(30 + 10) / 2 = 20.0 s; overdue ¥113.00; counts 39/40 at SH + 10/10 at GZ = 49/50 = 98.00 %; pick list of
3 lines in 30 min = 6.0 lines/h; 120 m unrouted − 80 m routed = 40 m saved (33.33 %); October closed 11-03 =
3.0 days to close.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sihe.catalog.models import Category, Channel, Location, Warehouse, Zone
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.insights import kpis
from sihe.ledger.models import Period
from sihe.oms import books
from sihe.oms.models import Order, OrderLine
from sihe.stock.services import InLine, OutLine
from sihe.wms.counting.models import CountTask
from sihe.wms.models import Shipment
from sihe.wms.outbound.models import PickList, PickTask, Wave
from tests.stock.conftest import make_product

D = Decimal
pytestmark = pytest.mark.django_db
NOV = kpis.Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def at(day, hour, minute=0, second=0, month=11):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute, second))


def _order(number, channel, product, *, qty, paid, net, paid_at, lag, promised, shipped, warehouse, actor):
    order = Order.objects.create(number=number, channel=channel, external_id=number, ordered_at=paid_at,
                                 paid_at=paid_at, channel_updated_at=paid_at, amount_paid=paid, goods_total=paid,
                                 promised_ship_at=promised, shipped_at=shipped, status="shipped")
    Order.objects.filter(pk=order.pk).update(received_at=paid_at + datetime.timedelta(seconds=lag))
    OrderLine.objects.create(order=order, line_no=1, product=product, qty=qty, unit_price=paid / qty, line_total=paid,
                             amount_paid=paid, tax_rate=D("0.13"))
    shipment = Shipment.objects.create(number=f"S-{number}", warehouse=warehouse, state="shipped",
                                       source_type="oms.order", source_id=str(order.pk), source_number=number,
                                       shipped_at=shipped)
    day = timezone.localdate(shipped)
    costing.issue(warehouse=warehouse, lines=[OutLine(product=product, qty=qty)], actor=actor,
                  reference=shipment.number, date=day)
    books.book_revenue(order=order, amounts={"total": paid, "net": net, "tax": paid - net}, actor=actor, date=day)
    return order, shipment


@pytest.fixture
def november(db, clock):
    clock.at(2026, 12, 2, hour=10)
    actor = Actor.system("test")
    clothes = Category.objects.create(code="CLO", name="服装")
    shoes = Category.objects.create(code="SHO", name="鞋")
    tee, shoe = make_product("TEE"), make_product("SHOE")
    tee.category, shoe.category = clothes, shoes
    tee.save(), shoe.save()
    sh = Warehouse.objects.create(code="SH", name="上海仓")
    gz = Warehouse.objects.create(code="GZ", name="广州仓")
    for wh in (sh, gz):
        zone = Zone.objects.create(warehouse=wh, code="A", name="A")
        Location.objects.create(warehouse=wh, zone=zone, code="DOCK", kind="dock")
        Location.objects.create(warehouse=wh, zone=zone, code="A-01-01-01", kind="bin", aisle=1)
    tb = Channel.objects.create(code="TB", name="淘宝店", type="taobao")
    dy = Channel.objects.create(code="DY", name="抖音店", type="douyin")
    costing.receive(warehouse=sh, lines=[InLine(product=tee, qty=D(10), unit_cost=D(20))], actor=actor,
                    reference="PO1", date=datetime.date(2026, 11, 1))
    costing.receive(warehouse=gz, lines=[InLine(product=shoe, qty=D(5), unit_cost=D(100))], actor=actor,
                    reference="PO2", date=datetime.date(2026, 11, 1))
    o1, s1 = _order("O1", tb, tee, qty=D(2), paid=D("226.00"), net=D("200.00"), paid_at=at(10, 9), lag=30,
                    promised=at(10, 16), shipped=at(10, 15), warehouse=sh, actor=actor)
    o2, s2 = _order("O2", dy, shoe, qty=D(1), paid=D("339.00"), net=D("300.00"), paid_at=at(10, 10), lag=10,
                    promised=at(10, 16), shipped=at(11, 11), warehouse=gz, actor=actor)
    Order.objects.create(number="O3", channel=tb, external_id="O3", ordered_at=at(14, 9, month=10),
                         channel_updated_at=at(14, 9, month=10), shipped_at=at(15, 9, month=10),
                         revenue_total=D("113.00"), status="shipped")
    for number, wh, counted, matched in (("CT1", sh, 40, 39), ("CT2", gz, 10, 10)):
        task = CountTask.objects.create(number=number, warehouse=wh, scope="zone", state="closed", recount_qty=5,
                                        recount_pct=10, lines_counted=counted, lines_matched=matched)
        CountTask.objects.filter(pk=task.pk).update(closed_at=at(20, 17))
    wave = Wave.objects.create(number="WV1", warehouse=sh)
    picklist = PickList.objects.create(wave=wave, number="WV1-01", picker="li", state="done", length=D(80),
                                       naive_length=D(120), started_at=at(10, 13), finished_at=at(10, 13, 30))
    bin_ = Location.objects.get(warehouse=sh, code="A-01-01-01")
    for i in range(3):
        PickTask.objects.create(picklist=picklist, sequence=i + 1, shipment=s1, product=tee, location=bin_, qty=1,
                                picked_qty=1, state="done")
    Period.objects.update_or_create(code="2026-10", defaults={"status": "closed", "closed_at": at(3, 18)})
    return {"o1": o1, "o2": o2}


def value(code, group_by=None, period=NOV):
    return kpis.figure(code, period, group_by=group_by)


def groups(code, group_by):
    return {g["key"]: g["value"] for g in value(code, group_by)["groups"]}


def test_revenue_cost_and_margin_from_the_ledger_by_channel_warehouse_and_product_group(november):
    assert value("revenue")["value"] == "500.00"
    assert groups("revenue", "channel") == {"TB": "200.00", "DY": "300.00"}
    assert groups("revenue", "warehouse") == {"SH": "200.00", "GZ": "300.00"}
    assert groups("revenue", "product_group") == {"CLO": "200.00", "SHO": "300.00"}
    assert value("cogs")["value"] == "140.00"
    assert groups("cogs", "channel") == {"TB": "40.00", "DY": "100.00"}
    assert groups("cogs", "product_group") == {"CLO": "40.00", "SHO": "100.00"}
    assert value("gross_profit")["value"] == "360.00"
    assert value("gross_margin")["value"] == "72.00"
    assert groups("gross_margin", "channel") == {"TB": "80.00", "DY": "66.67"}
    assert groups("gross_margin", "warehouse") == {"SH": "80.00", "GZ": "66.67"}


def test_stock_value_turnover_and_days_of_stock_from_the_stock_ledger(november):
    assert value("stock_value")["value"] == "560.00"
    assert groups("stock_value", "warehouse") == {"SH": "160.00", "GZ": "400.00"}
    assert value("inventory_turnover")["value"] == "0.50"
    assert value("days_of_stock")["value"] == "60.0"


def test_order_figures(november):
    on_time = value("on_time_shipment")
    assert (on_time["value"], on_time["numerator"], on_time["denominator"]) == ("50.00", 1, 2)
    assert groups("on_time_shipment", "channel") == {"TB": "100.00", "DY": "0.00"}
    assert value("order_cycle_time")["value"] == "15.50"
    assert groups("order_cycle_time", "channel") == {"TB": "6.00", "DY": "25.00"}
    assert value("handoff_latency")["value"] == "20.0"
    assert value("receivables_overdue")["value"] == "113.00"


def test_warehouse_and_close_figures(november):
    assert value("inventory_accuracy")["value"] == "98.00"
    assert groups("inventory_accuracy", "warehouse") == {"SH": "97.50", "GZ": "100.00"}
    assert value("picking_rate")["value"] == "6.0"
    assert groups("picking_rate", "picker") == {"li": "6.0"}
    saved = value("walking_saved")
    assert (saved["value"], saved["share"]) == ("40.00", "33.33")
    assert value("days_to_close")["value"] == "3.0"


def test_drill_down_documents_make_the_figure(november):
    rev = kpis.drill("revenue", NOV)
    assert rev["count"] == 2 and rev["total"] == "500.00"
    assert sum(D(r["amount"]) for r in rev["rows"]) == D("500.00")
    assert {(r["order"], r["amount"]) for r in rev["rows"]} == {("O1", "200.00"), ("O2", "300.00")}
    tb = kpis.drill("revenue", NOV, group_by="channel", group="TB")
    assert [(r["order"], r["amount"]) for r in tb["rows"]] == [("O1", "200.00")]
    cost = kpis.drill("cogs", NOV, group_by="warehouse", group="GZ")
    assert [(r["shipment"], r["order"], r["amount"]) for r in cost["rows"]] == [("S-O2", "O2", "100.00")]
    profit = kpis.drill("gross_profit", NOV)
    assert sum(D(r["amount"]) for r in profit["rows"]) == D("360.00") == D(profit["total"])
    stock = kpis.drill("stock_value", NOV)
    assert sum(D(r["amount"]) for r in stock["rows"]) == D("560.00")
    late = kpis.drill("on_time_shipment", NOV)
    assert [(r["number"], r["on_time"]) for r in late["rows"]] == [("O1", True), ("O2", False)]
    overdue = kpis.drill("receivables_overdue", NOV)
    assert [(r["number"], r["days"], r["amount"]) for r in overdue["rows"]] == [("O3", 46, "113.00")]
    counts = kpis.drill("inventory_accuracy", NOV)
    assert (counts["numerator"], counts["denominator"]) == (49, 50)
    walk = kpis.drill("walking_saved", NOV)
    assert sum(D(r["amount"]) for r in walk["rows"]) == D("40.00")
    close = kpis.drill("days_to_close", NOV)
    assert [(r["number"], r["amount"]) for r in close["rows"]] == [("2026-10", 3)]


def test_the_api_answers_the_same_figures_and_refuses_bad_parameters(november, api_as):
    manager = api_as("manager")
    r = manager.get("/api/v1/kpis?from=2026-11-01&to=2026-11-30&group_by=channel")
    assert r.status_code == 200, r.json_body
    by_code = {k["code"]: k for k in r.json_body}
    assert by_code["revenue"]["value"] == "500.00"
    assert {g["key"]: g["value"] for g in by_code["revenue"]["groups"]} == {"TB": "200.00", "DY": "300.00"}
    assert {g["key"]: g["label"] for g in by_code["revenue"]["groups"]} == {"TB": "淘宝店", "DY": "抖音店"}
    assert by_code["stock_value"]["grouped_by"] is None  # not by channel: answered whole
    drill = manager.get("/api/v1/kpis/revenue/drill?from=2026-11-01&to=2026-11-30&group_by=channel&group=DY")
    assert drill.status_code == 200 and drill.json_body["total"] == "300.00", drill.json_body
    for url, field in (("/api/v1/kpis?from=2026-13-01", "from"), ("/api/v1/kpis?from=2026-11-30&to=2026-11-01", "from"),
                       ("/api/v1/kpis?group_by=colour", "group_by"), ("/api/v1/kpis?codes=revenue,profit", "codes"),
                       ("/api/v1/kpis?from=2024-01-01&to=2026-11-30", "to"),
                       ("/api/v1/kpis/revenue/drill?limit=0", "limit")):
        bad = manager.get(url)
        assert bad.status_code == 422 and bad.json_body["field"] == field, (url, bad.json_body)
    missing = manager.get("/api/v1/kpis/profit/drill")
    assert missing.status_code == 404 and missing.json_body["field"] == "code"
    assert api_as("warehouse").get("/api/v1/kpis").status_code == 403


def test_a_module_switched_off_takes_its_kpis_out_of_the_list(november, api_as):
    from sihe.core import modules

    modules.set_enabled("shopfloor", False, actor=Actor.system("admin"), confirm=True)
    listed = [k["code"] for k in api_as("manager").get("/api/v1/kpis").json_body]
    assert "oee" not in listed and "yield" not in listed and "revenue" in listed
    # asked by name it still answers (an integrator's report keeps working)
    assert [k["code"] for k in api_as("admin").get("/api/v1/kpis?codes=yield").json_body] == ["yield"]
