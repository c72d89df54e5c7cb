"""The stock reads written out as SQL (sihe.core.sqlrows, issue 18) give what the ORM's reads gave: the quants a
shipment plans from, in removal order with lot and bin, and the reference's reservation lines with reservation,
quant, lot and bin attached, on SQLite and PostgreSQL."""

import datetime
from decimal import Decimal as D

import pytest
from django.db.models import F

from sihe.costing import services as costing
from sihe.stock import removal, reservations
from sihe.stock.models import Quant, Reservation, ReservationLine
from sihe.stock.services import _active_lines_of
from tests.conftest import held_open
from tests.stock.conftest import TODAY, inl, loc, make_product


def same_fields(ours, orm) -> None:
    for field in type(orm)._meta.concrete_fields:
        mine, theirs = getattr(ours, field.attname), getattr(orm, field.attname)
        assert (type(mine), mine) == (type(theirs), theirs), field.name


def _stock(wh, actor):
    fefo = make_product("FEFO-1", tracking="lot_expiry")
    fifo = make_product("FIFO-1")
    costing.receive(warehouse=wh, lines=[
        inl(fefo, 10, "5", lot="LATE", expiry=datetime.date(2027, 6, 30)),
        inl(fefo, 10, "5", lot="SOON", expiry=datetime.date(2026, 12, 10)),
        inl(fefo, 10, "5", lot="MID", expiry=datetime.date(2027, 1, 31), location=loc(wh, "A-01-02-01")),
        inl(fifo, 4, "2"), inl(fifo, 6, "2", location=loc(wh, "A-01-01-01")),
    ], actor=actor, date=TODAY)
    return fefo, fifo


def test_plan_many_reads_the_quants_in_removal_order_as_the_orm(wh, actor, django_assert_num_queries):
    fefo, fifo = _stock(wh, actor)
    with django_assert_num_queries(2):  # one statement per removal strategy
        fefo_takes, fifo_takes = removal.plan_many(wh, [(fefo, D(25)), (fifo, D(7))], ship_date=TODAY)
        assert [(t.quant.lot.number, t.quant.location.code, t.qty) for t in fefo_takes] == [
            ("SOON", "DOCK", D(10)), ("MID", "A-01-02-01", D(10)), ("LATE", "DOCK", D(5))]
        assert [(t.quant.lot, t.quant.location.code, t.qty) for t in fifo_takes] == [
            (None, "DOCK", D(4)), (None, "A-01-01-01", D(3))]
    for take in [*fefo_takes, *fifo_takes]:
        same_fields(take.quant, Quant.objects.get(pk=take.quant.pk))
    orm = Quant.objects.filter(product=fefo, qty__gt=F("reserved")).order_by(*removal._removal_order(removal.FEFO))
    assert [t.quant.pk for t in fefo_takes] == [q.pk for q in orm]


def test_the_reservation_lines_of_a_reference_come_with_their_rows_as_the_orm(wh, actor, django_assert_num_queries):
    fefo, fifo = _stock(wh, actor)
    reservations.reserve(product=fefo, warehouse=wh, qty=D(12), reference="SO-1", actor=actor, ship_date=TODAY)
    reservations.reserve(product=fifo, warehouse=wh, qty=D(5), reference="SO-1", actor=actor, ship_date=TODAY)
    reservations.reserve(product=fifo, warehouse=wh, qty=D(1), reference="SO-2", actor=actor, ship_date=TODAY)
    with django_assert_num_queries(1):
        lines = _active_lines_of("SO-1", wh, [fefo.pk, fifo.pk])
        seen = [(ln.reservation.reference, ln.quant.lot.number if ln.quant.lot else None, ln.quant.location.code,
                 ln.open_qty) for ln in lines]
    assert seen == [("SO-1", "SOON", "DOCK", D(10)), ("SO-1", "MID", "A-01-02-01", D(2)), ("SO-1", None, "DOCK", D(4)),
                    ("SO-1", None, "A-01-01-01", D(1))]
    orm = list(ReservationLine.objects.filter(reservation__reference="SO-1", reservation__state=Reservation.State.ACTIVE)
               .select_related("reservation", "quant", "quant__lot", "quant__location").order_by("reservation_id", "pk"))
    assert [ln.pk for ln in lines] == [ln.pk for ln in orm]
    for ours, theirs in zip(lines, orm, strict=True):
        same_fields(ours, theirs)
        same_fields(ours.reservation, theirs.reservation)
        same_fields(ours.quant, theirs.quant)
        same_fields(ours.quant.location, theirs.quant.location)
        if theirs.quant.lot is not None:
            same_fields(ours.quant.lot, theirs.quant.lot)
    assert _active_lines_of("SO-1", wh, [fifo.pk])[0].quant.lot is None


def test_18_goods_coming_in_lock_and_raise_their_level_in_one_statement(wh, actor, django_assert_num_queries):
    from django.db import transaction

    from sihe.stock import locks
    from sihe.stock.models import StockLevel
    from sihe.stock.services import set_rule

    ruled, plain, new = make_product("IN-RULED"), make_product("IN-PLAIN"), make_product("IN-NEW")
    costing.receive(warehouse=wh, lines=[inl(ruled, 4, "2"), inl(plain, 6, "2")], actor=actor, date=TODAY)
    set_rule(product=ruled, warehouse=wh, min_qty=D(10), max_qty=None, actor=actor)
    with transaction.atomic():
        with django_assert_num_queries(1):  # both levels locked and raised by one statement
            levels = locks.lock_levels_adding({(ruled.pk, wh.pk): D("2.5"), (plain.pk, wh.pk): D(1)})
        assert {pair: (level.on_hand, bool(level.has_rule), level.low) for pair, level in levels.items()} == {
            (ruled.pk, wh.pk): (D("6.5"), True, True), (plain.pk, wh.pk): (D(7), False, False)}
        for level in levels.values():  # as the ORM reads the row after the update
            same_fields(level, StockLevel.objects.get(pk=level.pk))
        made = locks.lock_levels_adding({(new.pk, wh.pk): D(3)})  # no row yet: made, locked, raised
        assert made[new.pk, wh.pk].on_hand == D(3)
    assert StockLevel.objects.get(product=new, warehouse=wh).on_hand == D(3)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_18_a_level_raised_by_goods_coming_in_stays_locked_until_the_act_ends():
    from django.db import OperationalError, connection, transaction

    from sihe.core.actor import Actor
    from sihe.stock import locks
    from tests.stock.conftest import make_warehouse

    if connection.vendor != "postgresql":
        pytest.skip("needs two PostgreSQL connections")
    wh, product = make_warehouse(), make_product("IN-LOCK")
    costing.receive(warehouse=wh, lines=[inl(product, 4, "2")], actor=Actor.system("t"), date=TODAY)
    with held_open(lambda: locks.lock_levels_adding({(product.pk, wh.pk): D(1)})):
        with pytest.raises(OperationalError), transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM stock_stocklevel WHERE product_id = %s FOR UPDATE NOWAIT", [product.pk])
    from sihe.stock.models import StockLevel

    assert StockLevel.objects.get(product=product, warehouse=wh).on_hand == D(5)
