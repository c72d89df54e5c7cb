"""Allocation with a customer's minimum remaining shelf life (MRSL): a warehouse whose lots are too
short-dated for the customer does not count, so the order goes to one that can ship it, or is held as
out of stock — the order is never refused at intake."""

import datetime
from decimal import Decimal

from sihe.catalog.models import Product
from sihe.costing import services as costing
from sihe.oms import services
from sihe.oms.models import Order
from sihe.stock.services import InLine
from sihe.wms.models import Shipment
from tests.oms.world import build, dealer_order


def _dated(world, code: str, lot: str, expiry: datetime.date, qty: int) -> None:
    costing.receive(warehouse=world["wh"][code], lines=[InLine(product=world["tee"], qty=Decimal(qty),
                    unit_cost=Decimal("20.00"), lot=lot, expiry=expiry)], actor=world["actor"], reference=f"R-{lot}",
                    date=datetime.date(2026, 11, 2))


def _world(clock, *, gz_expiry: datetime.date):
    clock.at(2026, 11, 26)
    world = build(stock={"SH": 0, "GZ": 0})
    Product.objects.filter(pk=world["tee"].pk).update(tracking=Product.Tracking.LOT_EXPIRY)
    world["tee"].refresh_from_db()
    world["dealer"].min_shelf_life_days = 60
    world["dealer"].save(update_fields=["min_shelf_life_days"])
    _dated(world, "SH", "L-SHORT", datetime.date(2026, 12, 20), 10)  # 24 days left: too short for the dealer
    _dated(world, "GZ", "L-LONG", gz_expiry, 10)
    return world


def test_a_warehouse_whose_lots_are_too_short_dated_is_passed_over(db, clock):
    world = _world(clock, gz_expiry=datetime.date(2027, 6, 30))
    order = services.receive_order(channel_code="dealer", body=dealer_order("MRSL-1", 3),  # Hangzhou: SH is nearer
                                   actor=world["actor"]).order
    order.refresh_from_db()
    assert order.status == Order.Status.ALLOCATED
    (shipment,) = Shipment.objects.filter(source_id=str(order.pk))
    assert shipment.warehouse.code == "GZ"
    assert [line.reservation.lines.get().quant.lot.number for line in shipment.lines.all()] == ["L-LONG"]


def test_no_warehouse_with_lots_long_enough_holds_the_order_out_of_stock(db, clock):
    world = _world(clock, gz_expiry=datetime.date(2027, 1, 10))  # 45 days left: too short as well
    order = services.receive_order(channel_code="dealer", body=dealer_order("MRSL-2", 3), actor=world["actor"]).order
    order.refresh_from_db()
    assert order.status == Order.Status.HELD and order.hold_reason == Order.Hold.OUT_OF_STOCK
    assert not Shipment.objects.filter(source_id=str(order.pk)).exists()


def test_18_one_product_on_two_lines_is_tried_line_by_line_and_a_refusal_leaves_nothing(db, clock):
    """Two lines of one product cannot be planned at once (each is planned against what the other took): they are
    reserved inside a savepoint, and the nearer warehouse's refusal undoes its shipment and reservations."""
    from sihe.stock.models import Reservation, StockLevel

    world = _world(clock, gz_expiry=datetime.date(2027, 6, 30))
    body = dealer_order("MRSL-3", 2)
    body["lines"].append({"sku": "TEE-BLK-M", "qty": "3", "price": "50.00"})
    order = services.receive_order(channel_code="dealer", body=body, actor=world["actor"]).order
    order.refresh_from_db()
    assert order.status == Order.Status.ALLOCATED
    (shipment,) = Shipment.objects.filter(source_id=str(order.pk))
    assert shipment.warehouse.code == "GZ" and sorted(line.qty for line in shipment.lines.all()) == [2, 3]
    assert sorted(Reservation.objects.values_list("reference", "qty")) == [(shipment.number, 2), (shipment.number, 3)]
    reserved = dict(StockLevel.objects.values_list("warehouse__code", "reserved"))
    assert reserved == {"SH": 0, "GZ": 5}
