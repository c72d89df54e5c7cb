"""Waves, scan-to-pick refusals with their reasons, check, pack and ship — through the services."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from sihe.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from sihe.core.models import Event
from sihe.ledger.models import Voucher
from sihe.stock.models import Quant, Reservation, StockLevel
from sihe.wms import shipping
from sihe.wms.models import Shipment
from sihe.wms.outbound import services
from sihe.wms.outbound.models import CheckScan, Parcel, PickList, PickTask, Wave
from tests.wms_outbound.conftest import MILK_GTIN, gs1, loc, ship_order

pytestmark = pytest.mark.django_db


def refusal(fn, **kw) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(**kw)
    return info.value


def test_a_wave_groups_the_earliest_cutoff_and_splits_carts_by_zone_in_route_order(stocked, actor):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    early = datetime.datetime(2030, 1, 1, 16, 0, tzinfo=datetime.UTC)
    late = datetime.datetime(2030, 1, 1, 20, 0, tzinfo=datetime.UTC)
    # given three shipments, two for the 16:00 cut-off (milk from aisles 1/2 and a widget from aisle 4)
    a = ship_order(wh, [(milk, 25)], number="SO-A", actor=actor, mrsl=30, cutoff=early)
    b = ship_order(wh, [(widget, 2), (milk, 1)], number="SO-B", actor=actor, mrsl=30, cutoff=early)
    c = ship_order(wh, [(widget, 1)], number="SO-C", actor=actor, cutoff=late)
    # when the planner releases a wave
    wave = services.create_wave(warehouse=wh, actor=actor, max_lines=20)
    # then only the 16:00 shipments are in it, with totes 1 and 2, and both are picking
    assert [e.shipment.number for e in wave.entries.order_by("tote")] == [a.number, b.number]
    assert wave.cutoff_at == early
    assert Shipment.objects.get(pk=c.pk).state == "pending"
    assert set(Shipment.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {"picking"}
    # one pick list per zone: A (milk) and B (widgets)
    lists = {pl.zone.code: pl for pl in wave.picklists.select_related("zone")}
    assert sorted(lists) == ["A", "B"]
    stops = [(t.location.code, t.lot.number if t.lot else None, t.qty, t.tote)
             for t in lists["A"].tasks.select_related("location", "lot")]
    # FEFO with MRSL 30: L1 (10 days left) is skipped; L2 from A-01-03-L, then L3, stops in route order
    assert stops == [("A-01-03-L", "L2", D(20), 1), ("A-02-06-R", "L3", D(5), 1), ("A-02-06-R", "L3", D(1), 2)]
    # depot (aisle 0) → up aisle 1 to slot 3 and back (2 × 4.5) → aisle 2 to slot 6 and back (2 × 7.5), 2 × 6 across
    assert lists["A"].length == D("36.00")
    assert lists["A"].method == "optimal"
    assert [t.location.code for t in lists["B"].tasks.all()] == ["B-04-09-L"]
    # B: depot at aisle 0 → aisle 4 (12 m) and back, up to slot 9 (2/2 + 9.5 = 10.5 m) and back: 2 × 12 + 2 × 10.5
    assert lists["B"].length == D("45.00")
    # taken in the order the lines came (A-01-03 then A-02-06; one bin in B) the walk is no longer here
    assert (lists["A"].naive_length, lists["B"].naive_length) == (D("36.00"), D("45.00"))
    assert Event.objects.filter(type="wms.wave.released", aggregate_id=wave.number).count() == 1
    payload = Event.objects.get(type="wms.wave.released").payload
    assert payload["shipments"] == [a.number, b.number] and len(payload["picklists"]) == 2


@pytest.fixture
def wave(stocked, actor):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    shipment = ship_order(wh, [(milk, 25), (widget, 2)], number="SO-1", actor=actor, mrsl=30)
    wave = services.create_wave(warehouse=wh, actor=actor)
    lists = {pl.zone.code: pl for pl in wave.picklists.select_related("zone")}
    return {**stocked, "shipment": shipment, "wave": wave, "A": lists["A"], "B": lists["B"]}


def nothing_picked(shipment):
    assert [line.picked_qty for line in shipment.lines.order_by("pk")] == [D(0), D(0)]
    assert PickTask.objects.filter(shipment=shipment).exclude(picked_qty=0).count() == 0


def test_scan_refusals_name_the_reason_and_the_right_bin(wave, actor, today):
    pl, shipment = wave["A"], wave["shipment"]
    scan = services.scan_pick
    # an item before any bin
    assert refusal(scan, picklist=pl, barcode=gs1(MILK_GTIN, "L2"), actor=actor).code == "scan_bin_first"
    # a bin with nothing to pick on this list names the next stop
    err = refusal(scan, picklist=pl, barcode="A-01-00-L", actor=actor)
    assert (err.code, err.field, err.extra["expected_location"]) == ("wrong_bin", "barcode", "A-01-03-L")
    assert "A-01-00-L" in err.message and "A-01-03-L" in err.message
    # at the right bin
    assert scan(picklist=pl, barcode="A-01-03-L", actor=actor).kind == "bin"
    # a lot under the customer's 30 days of shelf life is refused, naming the lot and bin to take
    err = refusal(scan, picklist=pl, barcode=gs1(MILK_GTIN, "L1", today + datetime.timedelta(days=10)), actor=actor)
    assert (err.code, err.extra["expected_lot"], err.extra["expected_location"]) == ("short_shelf_life", "L2",
                                                                                       "A-01-03-L")
    expiry = (today + datetime.timedelta(days=10)).isoformat()
    assert err.message == f"批次 L1 于 {expiry} 到期，剩余 10 天，客户要求至少 30 天，请拣 L2（A-01-03-L）"
    with translation.override("en"):
        err = refusal(scan, picklist=pl, barcode=gs1(MILK_GTIN, "L1"), actor=actor)
    assert err.message == f"lot L1 expires {expiry}: 10 days left, the customer needs at least 30; pick L2 (A-01-03-L)"
    # a younger lot (L3, also in this bin) while L2 is pickable: refused, naming L2's bin
    err = refusal(scan, picklist=pl, barcode=gs1(MILK_GTIN, "L3"), actor=actor)
    assert (err.code, err.extra["expected_lot"], err.extra["expected_location"]) == ("younger_lot", "L2", "A-01-03-L")
    assert err.message == "批次 L3 比 L2 新，应先出 L2：请拣 L2（A-01-03-L）"
    # a bare GTIN cannot tell L2 from L3 in this bin
    assert refusal(scan, picklist=pl, barcode=MILK_GTIN, actor=actor).code == "lot_required"
    # over-pick: 21 of the 20 at this stop
    err = refusal(scan, picklist=pl, barcode=gs1(MILK_GTIN, "L2"), qty="21", actor=actor)
    assert (err.code, err.field, err.extra["open"]) == ("over_pick", "qty", "20")
    # the widget is on the other zone's list; an unknown code is neither bin nor product
    assert refusal(scan, picklist=pl, barcode="6901234567885", actor=actor).code == "wrong_item"
    assert refusal(scan, picklist=pl, barcode="NO-SUCH-THING", actor=actor).code == "unknown_barcode"
    assert refusal(scan, picklist=pl, barcode="  ", actor=actor).code == "empty_scan"
    # then nothing was picked
    nothing_picked(shipment)


def test_younger_lot_in_another_bin_names_the_bin_of_the_right_lot(stocked, actor):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    ship_order(wh, [(milk, 5), (widget, 1)], number="SO-Y", actor=actor, mrsl=30)
    wave = services.create_wave(warehouse=wh, actor=actor, by_zone=False)
    [pl] = wave.picklists.all()
    assert [t.location.code for t in pl.tasks.all()] == ["A-01-03-L", "B-04-09-L"]
    # the picker stands at the widget bin and scans milk of lot L3 (a younger lot than the reserved L2)
    services.scan_pick(picklist=pl, barcode="B-04-09-L", actor=actor)
    err = refusal(services.scan_pick, picklist=pl, barcode=gs1(MILK_GTIN, "L3"), actor=actor)
    # then the scan is refused naming L2's bin
    assert (err.code, err.extra["expected_lot"], err.extra["expected_location"]) == ("younger_lot", "L2", "A-01-03-L")
    # and L2 itself, scanned here, is sent to its bin
    err = refusal(services.scan_pick, picklist=pl, barcode=gs1(MILK_GTIN, "L2"), actor=actor)
    assert (err.code, err.extra["expected_location"]) == ("wrong_bin", "A-01-03-L")
    assert pl.tasks.exclude(picked_qty=0).count() == 0


def test_wave_pick_check_pack_ship_issues_stock_at_cost_with_the_cogs_voucher(wave, actor):
    pl_a, pl_b, shipment, wh = wave["A"], wave["B"], wave["shipment"], wave["wh"]
    milk, widget = wave["milk"], wave["widget"]
    scan = services.scan_pick
    # when the picker walks list A: 15 + 5 of L2, then 5 of L3
    scan(picklist=pl_a, barcode="A-01-03-L", actor=actor)
    assert scan(picklist=pl_a, barcode=gs1(MILK_GTIN, "L2"), qty="15", actor=actor).qty == D(15)
    scan(picklist=pl_a, barcode=f"(01)0{MILK_GTIN}(10)L2(37)5", actor=actor)
    scan(picklist=pl_a, barcode="A-02-06-R", actor=actor)
    scan(picklist=pl_a, barcode=gs1(MILK_GTIN, "L3"), qty="5", actor=actor)
    assert PickList.objects.get(pk=pl_a.pk).state == "done"
    assert Wave.objects.get(pk=wave["wave"].pk).state == "picking"
    # and list B: two widgets scanned one by one (GTIN, then SKU)
    scan(picklist=pl_b, barcode="B-04-09-L", actor=actor)
    scan(picklist=pl_b, barcode="6901234567885", actor=actor)
    result = scan(picklist=pl_b, barcode="WID-1", actor=actor)
    # then the shipment is picked, the lists and the wave too
    assert result.finished == [shipment.number]
    assert Shipment.objects.get(pk=shipment.pk).state == "picked"
    assert Wave.objects.get(pk=wave["wave"].pk).state == "picked"
    # 复核: a wrong lot, an over-count and packing before all is checked are refused
    assert refusal(services.check_scan, shipment=shipment, barcode=gs1(MILK_GTIN, "L1"), actor=actor).code == \
        "wrong_lot"
    services.check_scan(shipment=shipment, barcode=gs1(MILK_GTIN, "L2"), qty="20", actor=actor)
    err = refusal(services.check_scan, shipment=shipment, barcode=gs1(MILK_GTIN, "L3"), qty="6", actor=actor)
    assert (err.code, err.extra["checked"], err.extra["picked"]) == ("over_count", "20", "25")
    services.check_scan(shipment=shipment, barcode=gs1(MILK_GTIN, "L3"), qty="5", actor=actor)
    assert refusal(services.pack, shipment=shipment, carrier="SF", actor=actor).code == "not_checked"
    services.check_scan(shipment=shipment, barcode="WID-1", qty="2", actor=actor)
    assert services.check_complete(shipment)
    assert CheckScan.objects.filter(shipment=shipment).count() == 3
    # pack: 25 × 1.05 kg + 2 × 6 kg = 38.25 kg in parcels of ≤ 20 kg → 2 parcels (the minimum)
    parcels = services.pack(shipment=shipment, carrier="SF", tracking_no="SF1234567890", actor=actor)
    assert [(p.sequence, p.tracking_no) for p in parcels] == [(1, "SF1234567890"), (2, "SF1234567890-2")]
    assert sum((p.weight for p in parcels), D(0)) == D("38.250")
    assert all(p.weight <= 20 for p in parcels)
    assert Shipment.objects.get(pk=shipment.pk).state == "packed"
    # ship
    shipped = services.ship(shipment=shipment, actor=actor)
    assert (shipped.state, shipped.carrier, shipped.tracking_no, shipped.cost) == (
        "shipped", "SF", "SF1234567890", D("260.00"))
    # stock left: L2 0 in A-01-03-L (its 5 of L3 untouched), L3 25 in A-02-06-R, widgets 10
    def on_hand(code, product, lot=None):
        return Quant.objects.get(location=loc(wh, code), product=product, lot__number=lot).qty
    assert on_hand("A-01-03-L", milk, "L2") == D(0)
    assert on_hand("A-01-03-L", milk, "L3") == D(5)
    assert on_hand("A-02-06-R", milk, "L3") == D(25)
    assert on_hand("B-04-09-L", widget) == D(10)
    assert StockLevel.objects.get(product=milk, warehouse=wh).reserved == D(0)
    assert not Reservation.objects.filter(reference=shipment.number, state="active").exists()
    # COGS: 25 × 8 + 2 × 30 = 260.00 on 5401 against 1405
    cogs = Voucher.objects.filter(rule="stock.issue")
    debit = sum((ln.debit or D(0) for v in cogs for ln in v.lines.all() if ln.account.code == "5401"), D(0))
    credit = sum((ln.credit or D(0) for v in cogs for ln in v.lines.all() if ln.account.code == "1405"), D(0))
    assert (debit, credit) == (D("260.00"), D("260.00"))
    assert Event.objects.filter(type="wms.shipment.shipped", aggregate_id=shipment.number).count() == 1
    assert Wave.objects.get(pk=wave["wave"].pk).state == "done"
    # shipping twice is refused
    assert isinstance(refusal(services.ship, shipment=shipment, actor=actor), InvalidTransition)


def test_a_short_pick_reports_short_and_the_rest_ships(wave, actor):
    pl_a, shipment = wave["A"], wave["shipment"]
    services.scan_pick(picklist=pl_a, barcode="A-01-03-L", actor=actor)
    services.scan_pick(picklist=pl_a, barcode=gs1(MILK_GTIN, "L2"), qty="20", actor=actor)
    stop = pl_a.tasks.get(location__code="A-02-06-R")
    # when the L3 bin holds only 2 of the 5
    services.scan_pick(picklist=pl_a, barcode="A-02-06-R", actor=actor)
    services.scan_pick(picklist=pl_a, barcode=gs1(MILK_GTIN, "L3"), qty="2", actor=actor)
    task = services.short_pick(picklist=pl_a, task=stop, actor=actor, reason="货位缺货")
    # then the stop is short by 3, the milk line shrinks to 22 and the order side hears of it
    assert (task.state, task.short_qty, task.picked_qty) == ("short", D(3), D(2))
    line = shipment.lines.get(product=wave["milk"])
    assert (line.qty, line.picked_qty) == (D(22), D(22))
    event = Event.objects.get(type="wms.shipment.short", aggregate_id=shipment.number)
    assert (event.payload["sku"], event.payload["short_qty"]) == ("MILK-1L", "3")
    assert PickList.objects.get(pk=pl_a.pk).state == "done"
    # a second short on a closed stop is refused
    assert refusal(services.short_pick, picklist=pl_a, task=stop, actor=actor).code in ("picklist_closed",
                                                                                       "invalid_transition")


def test_an_order_cancelled_after_release_drops_its_stops(stocked, actor):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    keep = ship_order(wh, [(widget, 1)], number="KEEP", actor=actor)
    gone = ship_order(wh, [(milk, 2)], number="GONE", actor=actor, mrsl=30)
    wave = services.create_wave(warehouse=wh, actor=actor, by_zone=False)
    [pl] = wave.picklists.all()
    # when the customer withdraws GONE (拦截) before its stop is picked
    shipping.cancel_shipment(shipment=gone, actor=actor, reason="买家取消")
    # then its bin is no longer a stop, the rest is picked and the list closes
    err = refusal(services.scan_pick, picklist=pl, barcode="A-01-03-L", actor=actor)
    assert err.code == "wrong_bin" and err.extra["expected_location"] == "B-04-09-L"
    services.scan_pick(picklist=pl, barcode="B-04-09-L", actor=actor)
    result = services.scan_pick(picklist=pl, barcode="WID-1", actor=actor)
    assert result.finished == [keep.number]
    assert pl.tasks.get(shipment=gone).state == "cancelled"
    # shipped by the order side directly (not from the bench): the wave settles through the shipping hook
    assert Wave.objects.get(pk=wave.pk).state == "picked"
    shipping.ship(shipment=keep, carrier="EMS", tracking_no="E1", actor=actor)
    assert Wave.objects.get(pk=wave.pk).state == "done"
    assert PickList.objects.get(pk=pl.pk).state == "done"


def test_wave_refusals(stocked, actor):
    wh = stocked["wh"]
    with pytest.raises(ValidationFailed) as info:
        services.create_wave(warehouse=wh, actor=actor)
    assert info.value.code == "nothing_to_pick"
    s = ship_order(wh, [(stocked["widget"], 1)], number="SO-X", actor=actor)
    services.create_wave(warehouse=wh, actor=actor, shipments=[s.number])
    with pytest.raises(Conflict) as info:
        services.create_wave(warehouse=wh, actor=actor, shipments=[s.number])
    assert (info.value.code, info.value.field) == ("not_pending", "shipments[0]")
    with pytest.raises(ValidationFailed) as info:
        services.create_wave(warehouse=wh, actor=actor, shipments=["NOPE"])
    assert (info.value.code, info.value.field) == ("unknown_shipment", "shipments[0]")
    assert Parcel.objects.count() == 0


def test_a_warehouse_with_middle_cross_aisles_plans_over_blocks(db):
    from sihe.catalog.models import Location, Warehouse, Zone
    from sihe.wms.outbound.layout import layout_for

    wh = Warehouse.objects.create(code="MB", name="多区块仓", cross_aisles=[4, "x", 99, 0, 4])
    zone = Zone.objects.create(warehouse=wh, code="A", name="A")
    for aisle in range(3):
        Location.objects.create(warehouse=wh, zone=zone, code=f"A-{aisle}-09", kind="bin", aisle=aisle, position=9)
    layout = layout_for(wh)
    assert (layout.aisles, layout.slots_per_aisle, layout.cross_aisles) == (3, 10, (4,))


def test_11_5_a_pick_list_goes_on_after_one_of_its_orders_shipped_from_the_service_page(stocked, actor):
    """Issue 11.5: the order was shipped outside the WMS while a picker held its stops; every scan then
    answered '已发货: nothing more can be picked' and the wave's other orders were stuck."""
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    early = ship_order(wh, [(milk, 2)], number="EARLY", actor=actor, mrsl=30)
    other = ship_order(wh, [(widget, 1)], number="OTHER", actor=actor)
    wave = services.create_wave(warehouse=wh, actor=actor, by_zone=False)
    [pl] = wave.picklists.all()
    # given the picker has started at the milk bin
    services.scan_pick(picklist=pl, barcode="A-01-03-L", actor=actor)
    # when the service desk ships EARLY itself (the customer collected it)
    shipping.ship(shipment=early, carrier="自提", tracking_no="PICKUP-1", actor=actor)
    # then EARLY's stops are released, and the picker picks the rest and finishes the list
    assert set(pl.tasks.filter(shipment=early).values_list("state", flat=True)) == {"cancelled"}
    services.scan_pick(picklist=pl, barcode="B-04-09-L", actor=actor)
    result = services.scan_pick(picklist=pl, barcode="WID-1", actor=actor)
    assert result.finished == [other.number]
    assert PickList.objects.get(pk=pl.pk).state == "done"
    assert Wave.objects.get(pk=wave.pk).state == "picked"
    assert StockLevel.objects.get(product=milk, warehouse=wh).on_hand == D(63)


def test_11_5_a_picker_can_skip_a_stop_or_report_it_short_until_the_list_is_done(stocked, actor):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    ship_order(wh, [(milk, 2), (widget, 1)], number="TWO", actor=actor, mrsl=30)
    wave = services.create_wave(warehouse=wh, actor=actor, by_zone=False)
    [pl] = wave.picklists.all()
    first, second = list(pl.tasks.order_by("sequence"))
    # when the first bin is blocked, the picker skips it: it becomes the last stop
    skipped = services.skip_task(picklist=pl, task=first, actor=actor)
    assert skipped.sequence == 3 and services.next_task(pl).pk == second.pk
    # a closed stop cannot be skipped, and neither stop dead-ends: short both and the list is done
    services.short_pick(picklist=pl, task=second, actor=actor, reason="货位堵塞")
    assert refusal(services.skip_task, picklist=pl, task=second, actor=actor).code == "invalid_transition"
    services.short_pick(picklist=pl, task=first, actor=actor, reason="货位堵塞")
    assert PickList.objects.get(pk=pl.pk).state == "done"
