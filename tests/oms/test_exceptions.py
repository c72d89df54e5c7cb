"""Exceptions (O6) and review (O2): out of stock → backorder (补发) or hold; review rules hold orders for a
person with the reason and the fix; backorders are allocated again when stock arrives; ATP events."""

import datetime
from decimal import Decimal

import pytest

from sihe.core.errors import ValidationFailed
from sihe.core.models import Event
from sihe.costing import services as costing
from sihe.oms import atp, services
from sihe.oms.allocation import plan
from sihe.oms.models import Blacklist, Order
from sihe.oms.settings import policy
from sihe.stock.models import StockLevel
from sihe.stock.services import InLine
from sihe.wms.models import Shipment

from .world import build, dealer_order

D = Decimal
pytestmark = pytest.mark.django_db


def take(world, payload):
    return services.receive_order(channel_code="dealer", body=payload, actor=world["actor"]).order


def test_plan_prefers_one_warehouse_then_the_cheapest_split():
    # given two lines (products 1, 2), warehouses 10 (100 km), 20 (900 km), 30 (1,200 km)
    dist = {10: 100.0, 20: 900.0, 30: 1200.0}
    needs = [(1, 1, D(3)), (2, 2, D(2))]
    # nearest that has everything wins even when farther ones have more
    whole = {(1, 20): D(5), (2, 20): D(5), (1, 30): D(9), (2, 30): D(9), (1, 10): D(3)}
    assert plan(needs, whole, dist, 500.0) == ({20: [(1, D(3)), (2, D(2))]}, {})
    # nobody has everything: the cheapest cover (100 + 900 + 500 penalty) beats (100 + 1200 + 500)
    split = {(1, 10): D(3), (2, 20): D(2), (2, 30): D(2)}
    assert plan(needs, split, dist, 500.0) == ({10: [(1, D(3))], 20: [(2, D(2))]}, {})
    # not enough anywhere: what is there is taken nearest first, the rest is short
    short = {(1, 10): D(1), (1, 20): D(1)}
    assert plan(needs, short, dist, 500.0) == ({10: [(1, D(1))], 20: [(1, D(1))]}, {1: D(1), 2: D(2)})


def test_out_of_stock_backorders_and_ships_when_stock_arrives():
    # given 1 T-shirt in Shanghai and a dealer ordering 3
    world = build(stock={"SH": 1, "GZ": 0})
    order = take(world, dealer_order("D-1", 3))
    # then 1 is allocated and 2 wait (补发)
    assert order.status == "allocated"
    line = order.lines.get()
    assert (line.allocated_qty, line.backorder_qty) == (D(1), D(2))
    assert order.timeline.filter(kind="backorder").get().message == "缺货待补发：TEE-BLK-M×2"
    # when 5 arrive in Guangzhou and the hub reacts to the receipt
    costing.receive(warehouse=world["wh"]["GZ"], lines=[InLine(product=world["tee"], qty=D(5), unit_cost=D(24))],
                    actor=world["actor"], reference="PO-9", date=datetime.date(2026, 11, 26))
    event = Event.objects.filter(type="stock.received").latest("id")
    atp.on_stock_arrived(event)
    # then the backorder is allocated in Guangzhou: a second shipment
    line.refresh_from_db()
    assert (line.allocated_qty, line.backorder_qty) == (D(3), D(0))
    assert sorted(Shipment.objects.values_list("warehouse__code", flat=True)) == ["GZ", "SH"]
    # and an order for 4 with 3 left in Guangzhou: when its 补发 is allocated there too, it takes the order's next
    # number in that warehouse
    more = take(world, dealer_order("D-2", 4))
    costing.receive(warehouse=world["wh"]["GZ"], lines=[InLine(product=world["tee"], qty=D(2), unit_cost=D(24))],
                    actor=world["actor"], reference="PO-10", date=datetime.date(2026, 11, 26))
    atp.on_stock_arrived(Event.objects.filter(type="stock.received").latest("id"))
    shipped = Shipment.objects.filter(source_id=str(more.pk)).order_by("pk")
    assert [(s.number, s.lines.get().qty) for s in shipped] == [("GZ-dealer-D-2", D(3)), ("GZ-dealer-D-2-2", D(1))]


def test_hold_policy_holds_the_whole_order_and_reserves_nothing():
    world = build(stock={"SH": 1, "GZ": 0})
    rules = policy()
    rules.stockout = "hold"
    rules.save()
    order = take(world, dealer_order("D-2", 3))
    assert (order.status, order.hold_reason) == ("held", "out_of_stock")
    assert StockLevel.objects.get(product=world["tee"], warehouse=world["wh"]["SH"]).reserved == D(0)
    assert list(Order.objects.filter(status="held")) == [order]


def test_review_rules_hold_for_a_person_and_release():
    world = build(stock={"SH": 10, "GZ": 0})
    # amount above the limit
    rules = policy()
    rules.amount_limit = D("100.00")
    rules.save()
    big = take(world, dealer_order("D-3", 3, "50.00"))
    assert (big.status, big.hold_reason) == ("held", "amount_limit")
    assert big.hold_detail == "实付 150.00 超过上限 100.00"  # stored in Chinese for the service queue
    # a person releases it: the amount rule is waived, the order is allocated
    services.release_order(order=big, actor=world["actor"], note="老客户")
    big.refresh_from_db()
    assert big.status == "allocated"
    rules.amount_limit = D("20000.00")
    rules.save()
    # blacklisted phone
    Blacklist.objects.create(kind="phone", value="13900000000", reason="恶意退货")
    black = dealer_order("D-4", 1)
    black["receiver"]["phone"] = "13900000000"
    assert take(world, black).hold_reason == "blacklist"
    # unknown province: bad address, then corrected by customer service
    bad = take(world, dealer_order("D-5", 1, province="火星省"))
    assert (bad.status, bad.hold_reason) == ("held", "bad_address")
    services.correct_address(order=bad, actor=world["actor"], province="浙江省", city="杭州市", district="西湖区",
                             address="文三路 100 号")
    bad.refresh_from_db()
    assert bad.status == "allocated"
    assert [t.kind for t in bad.timeline.all()][-3:] == ["address_changed", "reviewed", "allocated"]


def test_cancel_releases_and_refuses_after_shipping():
    world = build(stock={"SH": 5, "GZ": 0})
    first = take(world, dealer_order("D-6", 2))
    services.cancel_order(order=first, actor=world["actor"], reason="买家取消")
    assert StockLevel.objects.get(product=world["tee"], warehouse=world["wh"]["SH"]).reserved == D(0)
    second = take(world, dealer_order("D-7", 1))
    services.ship_order(order=second, carrier="ZTO", tracking_no="ZTO1", actor=world["actor"])
    with pytest.raises(ValidationFailed) as refused:
        services.cancel_order(order=second, actor=world["actor"])
    assert refused.value.code == "already_shipped"


def test_atp_is_published_per_channel_on_stock_change():
    world = build(stock={"SH": 5, "GZ": 2})
    before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0  # the log is append-only
    take(world, dealer_order("D-8", 3))
    reserved = Event.objects.filter(type="stock.reserved").latest("id")
    atp.on_stock_event(reserved)
    published = {e.payload["channel"]: e.payload["items"]
                 for e in Event.objects.filter(type="oms.atp.changed", id__gt=before)}
    assert set(published) == {"tb", "dy", "sp", "dealer"}
    assert published["tb"] == [{"sku": "TEE-BLK-M", "atp": "4"}]


def test_dealer_receivable_ages_and_bank_receipt_clears_it(clock):
    # given a dealer order shipped on 2026-11-20 (Beijing time, just after midnight: UTC still says the 19th)
    clock.at(2026, 11, 20, hour=0, minute=30)
    world = build(stock={"SH": 5, "GZ": 0})
    order = take(world, dealer_order("D-9", 2, "56.50"))
    services.ship_order(order=order, carrier="SF", tracking_no="SF9", actor=world["actor"])
    order.refresh_from_db()
    assert order.partner == world["dealer"] and order.revenue_total == D("113.00")
    # when it is aged on 2027-02-01 (73 days later), on the bucket edges (60 and 61 days) and by the clock
    aging = services.ar_aging(as_of=datetime.date(2027, 2, 1), dealers_only=True)
    row = aging["rows"][0]
    assert (row["customer"], row["total"]) == ("C-DEALER-01", D("113.00"))
    assert sum(row[b] for b in aging["buckets"]) == D("113.00") and row["61-90"] == D("113.00")
    assert services.ar_aging(as_of=datetime.date(2027, 1, 19), dealers_only=True)["rows"][0]["31-60"] == D("113.00")
    assert services.ar_aging(as_of=datetime.date(2027, 1, 20), dealers_only=True)["rows"][0]["61-90"] == D("113.00")
    clock.at(2027, 2, 1)
    assert services.ar_aging(dealers_only=True)["rows"][0]["61-90"] == D("113.00")
    with pytest.raises(ValidationFailed) as too_much:
        services.record_settlement(order=order, kind="bank", amount="200.00", actor=world["actor"])
    assert (too_much.value.field, too_much.value.code) == ("amount", "over_settlement")
    services.record_settlement(order=order, kind="bank", amount="113.00", actor=world["actor"])
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert services.ar_aging(dealers_only=True)["rows"] == []


def test_the_policy_and_tables_are_in_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    for model in ("reviewpolicy", "blacklist", "currencyrate", "channelsync", "skumapping"):
        assert client.get(f"/admin/oms/{model}/").status_code == 200, model
    assert client.get("/admin/oms/reviewpolicy/add/").status_code == 200


def test_the_order_follows_the_picker_and_ships_from_picking():
    from sihe.wms import shipping

    world = build(stock={"SH": 5, "GZ": 0})
    order = take(world, dealer_order("D-10", 2))
    line = Shipment.objects.get().lines.get()
    bin_ = line.reservation.lines.get().quant.location
    shipping.record_pick(line=line, location=bin_, lot=None, qty=D(2), actor=world["actor"])
    order.refresh_from_db()
    assert order.status == "picking"
    assert order.timeline.order_by("id").last().message == "上海仓开始拣货（SH-dealer-D-10）"
    services.ship_order(order=order, carrier="SF", tracking_no="SF10", actor=world["actor"])
    order.refresh_from_db()
    assert order.status == "shipped"


def test_a_long_blacklist_is_matched_whole_by_buyer_phone_and_address(db, clock):
    """A shop blacklists thousands of phones over the years: the one that matches may be anywhere in it."""
    clock.at(2026, 11, 26)
    world = build(stock={"SH": 50})
    Blacklist.objects.bulk_create([Blacklist(kind="phone", value=f"1370000{i:04d}", reason="恶意退货")
                                   for i in range(1500)])
    late = dealer_order("BL-1", 1)
    late["receiver"]["phone"] = "13700001499"  # the 1,500th entry
    held = take(world, late)
    assert (held.status, held.hold_reason) == ("held", "blacklist") and "13700001499" in held.hold_detail
    Blacklist.objects.create(kind="address", value="幸福路 7 号", reason="刷单")
    at_address = dealer_order("BL-2", 1)
    at_address["receiver"]["address"] = "幸福路 7 号 3 单元"
    held = take(world, at_address)
    assert (held.hold_reason, held.hold_detail) == ("blacklist", "地址包含 幸福路 7 号")
    assert take(world, dealer_order("BL-3", 1)).status == "allocated"  # no entry hits: reviewed and allocated
