"""The stock ledger: lots and expiry, FEFO/MRSL, GS1 day 00, units, serials, reservations, immutability."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sihe.catalog.models import Uom
from sihe.core import batch
from sihe.core.errors import ValidationFailed
from sihe.core.models import Event
from sihe.costing import services as costing
from sihe.stock import reservations, selectors
from sihe.stock import services as stock
from sihe.stock.errors import ImmutableMove, InsufficientStock, ShortShelfLife
from sihe.stock.models import Lot, Quant, Reservation, StockLevel, StockMove
from sihe.stock.units import gs1_expiry, parse_date, to_base
from tests.stock.conftest import TODAY, inl, loc, make_product, outl

pytestmark = pytest.mark.django_db


def level(product, wh):
    lv = StockLevel.objects.get(product=product, warehouse=wh)
    return (lv.on_hand, lv.reserved, lv.available)


def test_gs1_expiry_day_00_is_the_last_day_of_the_month():
    assert gs1_expiry("260200") == datetime.date(2026, 2, 28)
    assert gs1_expiry("280200") == datetime.date(2028, 2, 29)  # leap year
    assert gs1_expiry("261100") == datetime.date(2026, 11, 30)
    assert gs1_expiry("261215") == datetime.date(2026, 12, 15)
    assert parse_date("271200", field="expiry") == datetime.date(2027, 12, 31)
    with pytest.raises(ValidationFailed) as bad:
        gs1_expiry("261300")
    assert bad.value.field == "expiry"


def test_alternate_unit_is_converted_once_into_the_base_unit(wh, actor):
    # given 1 箱 (BOX) = 12 件 (PCS)
    p = make_product("U-1")
    stock.set_unit(product=p, uom=Uom.objects.get(code="BOX"), factor=D(12), actor=actor)
    # when 3 boxes arrive
    assert to_base(p, "3", "BOX") == D(36)
    costing.receive(warehouse=wh, lines=[inl(p, to_base(p, "3", "BOX"), "2.5")], actor=actor, date=TODAY)
    # then 36 pieces are stored, and a fraction of a piece is refused rather than rounded
    assert level(p, wh) == (36, 0, 36)
    with pytest.raises(ValidationFailed) as bad:
        to_base(p, "0.05", "BOX")  # 0.6 piece
    assert bad.value.field == "qty"
    with pytest.raises(ValidationFailed) as bad:
        to_base(p, "1", "KG")
    assert bad.value.field == "unit"


def test_lot_expiry_products_need_an_expiry_and_nothing_changes_when_missing(wh, actor):
    p = make_product("LE-1", tracking="lot_expiry")
    with pytest.raises(ValidationFailed) as bad:
        costing.receive(warehouse=wh, lines=[inl(p, 5, "1", lot="L1")], actor=actor, date=TODAY)
    assert bad.value.field == "lines[0].expiry"
    with pytest.raises(ValidationFailed) as bad:
        costing.receive(warehouse=wh, lines=[inl(p, 5, "1")], actor=actor, date=TODAY)
    assert bad.value.field == "lines[0].lot"
    assert StockMove.objects.count() == 0 and Lot.objects.count() == 0


def _three_lots(wh, actor):
    p = make_product("FEFO-1", tracking="lot_expiry")
    costing.receive(warehouse=wh, lines=[
        inl(p, 10, "5", lot="LATE", expiry=datetime.date(2027, 6, 30)),
        inl(p, 10, "5", lot="SOON", expiry=datetime.date(2026, 12, 10)),
        inl(p, 10, "5", lot="MID", expiry=datetime.date(2027, 1, 31), location=loc(wh, "A-01-02-01")),
    ], actor=actor, date=TODAY)
    return p


def test_fefo_takes_the_earliest_expiry_first(wh, actor):
    p = _three_lots(wh, actor)
    moves = [m for m, _ in costing.issue(warehouse=wh, lines=[outl(p, 15)], actor=actor, date=TODAY)]
    assert [(m.lot.number, m.qty, m.src_location.code) for m in moves] == [
        ("SOON", D(10), "DOCK"), ("MID", D(5), "A-01-02-01")]


def test_minimum_remaining_shelf_life_never_takes_an_ineligible_lot(wh, actor):
    p = _three_lots(wh, actor)
    # when a customer needs 60 days: SOON (15 days left) is ineligible; MID (67) and LATE are fine
    moves = stock.issue(warehouse=wh, lines=[outl(p, 12, min_shelf_life_days=60)], actor=actor, date=TODAY)
    assert [(m.lot.number, m.qty) for m in moves] == [("MID", D(10)), ("LATE", D(2))]
    # when 25 more are asked with 60 days: only 8 eligible remain → refused with the shortfall
    before = list(Quant.objects.order_by("id").values_list("qty", flat=True))
    with pytest.raises(ShortShelfLife) as short:
        stock.issue(warehouse=wh, lines=[outl(p, 15, min_shelf_life_days=60)], actor=actor, date=TODAY)
    assert short.value.extra["available"] == "8" and short.value.extra["shortfall"] == "7"
    assert short.value.extra["ineligible_lots"] == ["SOON"]
    assert list(Quant.objects.order_by("id").values_list("qty", flat=True)) == before


def test_expired_lot_is_never_issued(wh, actor):
    p = make_product("EXP-1", tracking="lot_expiry")
    costing.receive(warehouse=wh, lines=[inl(p, 4, "1", lot="OLD", expiry=datetime.date(2026, 11, 1))],
                    actor=actor, date=TODAY)
    with pytest.raises(ShortShelfLife):
        stock.issue(warehouse=wh, lines=[outl(p, 1)], actor=actor, date=TODAY)


def test_serial_products_move_one_unit_per_serial(wh, actor):
    p = make_product("SN-1", tracking="serial")
    with pytest.raises(ValidationFailed) as bad:
        costing.receive(warehouse=wh, lines=[inl(p, 2, "100", lot="SN001")], actor=actor, date=TODAY)
    assert bad.value.field == "lines[0].qty"
    costing.receive(warehouse=wh, lines=[inl(p, 1, "100", lot=f"SN00{i}") for i in range(1, 4)], actor=actor,
                    date=TODAY)
    with pytest.raises(Exception) as dup:
        costing.receive(warehouse=wh, lines=[inl(p, 1, "100", lot="SN001")], actor=actor, date=TODAY)
    assert getattr(dup.value, "code", "") == "duplicate_serial"
    moves = stock.issue(warehouse=wh, lines=[outl(p, 2)], actor=actor, date=TODAY)
    assert [(m.lot.number, m.qty) for m in moves] == [("SN001", D(1)), ("SN002", D(1))]


def test_reservation_holds_stock_release_gives_it_back_issue_consumes_it(wh, actor):
    p = _three_lots(wh, actor)
    # when an order reserves 12 (FEFO: SOON 10 + MID 2)
    r = reservations.reserve(product=p, warehouse=wh, qty=D(12), reference="SO-1", actor=actor, ship_date=TODAY)
    assert [(ln.quant.lot.number, ln.qty) for ln in r.lines.order_by("pk")] == [("SOON", D(10)), ("MID", D(2))]
    assert level(p, wh) == (30, 12, 18)
    # then another order cannot take more than the 18 available
    with pytest.raises(InsufficientStock) as short:
        reservations.reserve(product=p, warehouse=wh, qty=D(19), reference="SO-2", actor=actor, ship_date=TODAY)
    assert short.value.extra["available"] == "18"
    # and an issue without the reference does not eat reserved stock: it takes LATE after MID's free 8
    moves = stock.issue(warehouse=wh, lines=[outl(p, 9)], actor=actor, date=TODAY)
    assert [(m.lot.number, m.qty) for m in moves] == [("MID", D(8)), ("LATE", D(1))]
    # when SO-1 ships 5 → consumed from its own lots; the rest is released on cancel
    moves = stock.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, reference="SO-1", date=TODAY)
    assert [(m.lot.number, m.qty) for m in moves] == [("SOON", D(5))]
    assert level(p, wh) == (16, 7, 9)
    reservations.release_reference(reference="SO-1", actor=actor)
    assert level(p, wh) == (16, 0, 16)
    assert Reservation.objects.get(pk=r.pk).state == "released"
    assert Quant.objects.filter(reserved__gt=0).count() == 0
    assert Event.objects.filter(type="stock.released").last().payload["qty"] == "7"


def test_done_move_is_immutable_and_corrected_by_a_reversal(wh, actor):
    p = make_product("IMM-1")
    [(move, _)] = costing.receive(warehouse=wh, lines=[inl(p, 5, "1")], actor=actor, date=TODAY)
    with pytest.raises(ImmutableMove):
        stock.update_move(move=move, actor=actor, qty=D(6))
    with pytest.raises(ImmutableMove):
        stock.cancel_move(move=move, actor=actor)
    with pytest.raises(DatabaseError), transaction.atomic():  # the database refuses too
        StockMove.objects.filter(pk=move.pk).update(qty=D(6))
    reversal, _ = costing.reverse(move=move, actor=actor)
    assert level(p, wh) == (0, 0, 0)
    with pytest.raises(Exception) as twice:
        costing.reverse(move=move, actor=actor)
    assert twice.value.code == "already_reversed"


def test_draft_move_is_confirmed_or_cancelled_by_the_state_table(wh, actor):
    p = make_product("DR-1")
    draft = stock.plan_move(actor=actor, product=p, qty=D(3), kind="receipt", date=TODAY, dst_warehouse=wh,
                            dst_location=loc(wh, "DOCK"), counterpart="supplier", unit_cost=D(2))
    assert not StockLevel.objects.filter(product=p, on_hand__gt=0).exists()
    stock.confirm_move(move=draft, actor=actor)
    assert level(p, wh) == (3, 0, 3)
    with pytest.raises(ImmutableMove):
        stock.confirm_move(move=draft, actor=actor)


def test_low_stock_emits_once_and_lists(wh, actor):
    p = make_product("LOW-1")
    costing.receive(warehouse=wh, lines=[inl(p, 12, "1")], actor=actor, date=TODAY)
    stock.set_rule(product=p, warehouse=wh, min_qty=D(10), max_qty=D(50), actor=actor)
    assert not Event.objects.filter(type="stock.low").exists()
    stock.issue(warehouse=wh, lines=[outl(p, 3)], actor=actor, date=TODAY)
    stock.issue(warehouse=wh, lines=[outl(p, 1)], actor=actor, date=TODAY)
    lows = Event.objects.filter(type="stock.low")
    assert lows.count() == 1
    assert lows.get().payload == {"sku": "LOW-1", "warehouse": "WH1", "available": "9", "min": "10"}
    [row] = selectors.low_levels()
    assert row["level"].product == p and row["suggested"] == D(42)


def test_a_low_flag_ends_when_goods_come_in_and_stays_when_reserved_goods_leave(wh, actor):
    """Issue 18 checks the low flags only where they can change: goods coming in end a flag (and are not
    checked when no level is low); reserved goods leaving change nothing that is available."""
    p = make_product("LOW-2")
    costing.receive(warehouse=wh, lines=[inl(p, 12, "1")], actor=actor, date=TODAY)
    stock.set_rule(product=p, warehouse=wh, min_qty=D(10), max_qty=D(50), actor=actor)
    stock.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, date=TODAY)  # 8 < 10: low
    assert StockLevel.objects.get(product=p).low is True
    costing.receive(warehouse=wh, lines=[inl(p, 1, "1")], actor=actor, date=TODAY)  # 9: still low
    assert StockLevel.objects.get(product=p).low is True
    costing.receive(warehouse=wh, lines=[inl(p, 3, "1")], actor=actor, date=TODAY)  # 12: no longer
    assert StockLevel.objects.get(product=p).low is False
    reservations.reserve(product=p, warehouse=wh, qty=D(5), reference="SO-LOW", actor=actor)  # available 7: low
    assert StockLevel.objects.get(product=p).low is True
    stock.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, date=TODAY, reference="SO-LOW")  # the reserved 5
    assert (level(p, wh), StockLevel.objects.get(product=p).low) == ((7, 0, 7), True)
    assert Event.objects.filter(type="stock.low").count() == 2


def test_one_act_checks_low_stock_only_where_a_rule_or_a_flag_is_and_sees_a_rule_it_set_itself(wh, actor):
    """In a collected act the levels are locked with whether a minimum is set: a level with neither a rule
    nor a low flag is not read again for the low-stock check; a rule set in the same act is seen."""
    p = make_product("LOW-3")
    costing.receive(warehouse=wh, lines=[inl(p, 12, "1")], actor=actor, date=TODAY)

    def low_stock_reads(*acts) -> int:
        with CaptureQueriesContext(connection) as queries, transaction.atomic(), batch.collect():
            for one_act in acts:
                one_act()
        return sum(1 for q in queries.captured_queries if q["sql"].startswith("SELECT") and "min_qty" in q["sql"])

    def reserve(qty, reference):
        return lambda: reservations.reserve(product=p, warehouse=wh, qty=D(qty), reference=reference, actor=actor)

    assert low_stock_reads(reserve(5, "SO-A")) == 0  # available 7, no rule: nothing can change
    assert StockLevel.objects.get(product=p).low is False
    rule = lambda: stock.set_rule(product=p, warehouse=wh, min_qty=D(10), max_qty=None, actor=actor)  # noqa: E731
    assert low_stock_reads(reserve(1, "SO-B"), rule, reserve(1, "SO-C")) == 2  # the rule's own read, then the check
    assert StockLevel.objects.get(product=p).low is True  # 5 < 10
    assert Event.objects.filter(type="stock.low").count() == 1


def test_events_carry_versioned_payloads(wh, actor):
    p = make_product("EV-1", tracking="lot_expiry")
    costing.receive(warehouse=wh, lines=[inl(p, 2, "1", lot="L9", expiry=parse_date("271000", field="e"))],
                    actor=actor, reference="PO-9", date=TODAY)
    event = Event.objects.get(type="stock.received")
    assert event.version == 1
    assert event.payload["reference"] == "PO-9"
    assert event.payload["moves"][0] | {"id": 0} == {
        "id": 0, "kind": "receipt", "sku": "EV-1", "qty": "2", "lot": "L9", "expiry": "2027-10-31",
        "from": "supplier", "to": "WH1:DOCK"}


def test_stock_check_finds_no_difference_and_finds_a_tampered_quant(wh, actor, capsys):
    p = make_product("CHK-1")
    costing.receive(warehouse=wh, lines=[inl(p, 7, "1")], actor=actor, date=TODAY)
    stock.transfer(warehouse=wh, lines=[outl(p, 2)], to_warehouse=wh, to_location=loc(wh, "A-01-01-01"), actor=actor)
    call_command("stock", "check")
    assert "0 differences" in capsys.readouterr().out
    Quant.objects.filter(location__code="DOCK").update(qty=D(99))
    with pytest.raises(Exception, match="difference"):
        call_command("stock", "check")
