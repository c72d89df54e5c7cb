"""Reservations: stock held for a document (order, wave, work order), allocated to lots and bins.

available = on hand − reserved, per quant and per warehouse. `reserve` locks the level row (one
helper, PK order), plans the quants by the removal strategy (FEFO/MRSL included) and then raises
`reserved` with guarded updates (`... WHERE qty − reserved ≥ x`), so two buyers of the last unit
cannot both win: the loser gets `InsufficientStock` (HTTP 409) with what is available.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import audit, tx
from sihe.core.actor import Actor
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import text
from sihe.stock import events, locks, removal
from sihe.stock.errors import InsufficientStock
from sihe.stock.models import Lot, Reservation, ReservationLine
from sihe.stock.services import check_location, check_low_stock, local_date


def _line_payload(line: ReservationLine, qty: Decimal) -> dict:
    quant = line.quant
    return {"lot": quant.lot.number if quant.lot_id else None,
            "expiry": quant.lot.expiry_date.isoformat() if quant.lot_id and quant.lot.expiry_date else None,
            "location": quant.location.code, "qty": text(qty)}


def reserve(*, product: Product, warehouse: Warehouse, qty: Decimal, reference: str, actor: Actor,
            lot: Lot | None = None, location: Location | None = None, min_shelf_life_days: int | None = None,
            ship_date: datetime.date | None = None) -> Reservation:
    with tx.act():
        if not reference:
            raise ValidationFailed(_("a reservation needs the document reference"), field="reference")
        if location is not None:
            check_location(warehouse, location, field="location")
        ship_date = ship_date or local_date(actor)
        locks.lock_levels([(product.pk, warehouse.pk)])
        takes = removal.plan(product, warehouse, qty, location=location, lot=lot,
                             min_shelf_life_days=min_shelf_life_days, ship_date=ship_date)
        if not locks.reserve_level(product.pk, warehouse.pk, qty):
            from sihe.stock.models import StockLevel

            level = StockLevel.objects.get(product=product, warehouse=warehouse)
            raise InsufficientStock(
                _("%(sku)s in %(wh)s: %(qty)s requested, %(available)s available")
                % {"sku": product.sku, "wh": warehouse.code, "qty": text(qty), "available": text(level.available)},
                field="qty", available=text(level.available), sku=product.sku, warehouse=warehouse.code,
            )
        reservation = Reservation.objects.create(reference=reference, product=product, warehouse=warehouse, qty=qty,
                                                 min_shelf_life_days=min_shelf_life_days, ship_date=ship_date)
        lines = []
        for take in takes:
            if not locks.reserve_quant(take.quant.pk, take.qty):
                raise InsufficientStock(_("stock changed while reserving; try again"), field="qty",
                                        available=text(take.quant.available), sku=product.sku, warehouse=warehouse.code)
            lines.append(ReservationLine(reservation=reservation, quant=take.quant, qty=take.qty, open_qty=take.qty))
        ReservationLine.objects.bulk_create(lines)
        audit.record_act(reservation, actor=actor, action="stock.reserve",
                         detail=f"{product.sku} {text(qty)} @ {warehouse.code} for {reference}")
        events.reservation_event("stock.reserved", reservation=reservation,
                                 lines=[_line_payload(line, line.qty) for line in lines], qty=qty, actor=actor)
        check_low_stock({(product.pk, warehouse.pk)}, actor=actor)
        return reservation


def reserve_many(*, warehouse: Warehouse, lines: list[tuple[Product, Decimal]], reference: str, actor: Actor,
                 min_shelf_life_days: int | None = None, ship_date: datetime.date | None = None,
                 plans: list[list[removal.Take]] | None = None) -> list[Reservation]:
    """`reserve` for the lines of one document at once (product, qty; no lot or bin asked for): one guarded
    UPDATE for the level rows, one for the quants, the reservations and their lines inserted together.
    Products on two lines are reserved one by one (each planned against what the other took). `plans`: the
    lines' takes, planned already by `removal.plan_many` under this act's lock of their levels."""
    if len({product.pk for product, _qty in lines}) < len(lines):
        assert plans is None, "plans are made for lines of distinct products"
        return [reserve(product=product, warehouse=warehouse, qty=qty, reference=reference, actor=actor,
                        min_shelf_life_days=min_shelf_life_days, ship_date=ship_date) for product, qty in lines]
    with tx.act():
        if not reference:
            raise ValidationFailed(_("a reservation needs the document reference"), field="reference")
        ship_date = ship_date or local_date(actor)
        locks.lock_levels([(product.pk, warehouse.pk) for product, _qty in lines])
        if plans is None:
            plans = removal.plan_many(warehouse, lines, min_shelf_life_days=min_shelf_life_days, ship_date=ship_date)
        if not locks.reserve_levels(warehouse.pk, {product.pk: qty for product, qty in lines}):
            from sihe.stock.models import StockLevel

            levels = {lv.product_id: lv for lv in StockLevel.objects.filter(
                warehouse=warehouse, product_id__in=[p.pk for p, _q in lines])}
            for product, qty in lines:
                level = levels.get(product.pk)
                available = level.available if level else Decimal(0)
                if available < qty:
                    raise InsufficientStock(
                        _("%(sku)s in %(wh)s: %(qty)s requested, %(available)s available")
                        % {"sku": product.sku, "wh": warehouse.code, "qty": text(qty), "available": text(available)},
                        field="qty", available=text(available), sku=product.sku, warehouse=warehouse.code)
            raise InsufficientStock(_("stock changed while reserving; try again"), field="qty")
        reservations = Reservation.objects.bulk_create([
            Reservation(reference=reference, product=product, warehouse=warehouse, qty=qty,
                        min_shelf_life_days=min_shelf_life_days, ship_date=ship_date) for product, qty in lines])
        taken: dict[int, Decimal] = {}
        rows = []
        for reservation, takes in zip(reservations, plans, strict=True):
            for take in takes:
                taken[take.quant.pk] = taken.get(take.quant.pk, Decimal(0)) + take.qty
                rows.append(ReservationLine(reservation=reservation, quant=take.quant, qty=take.qty, open_qty=take.qty))
        if not locks.reserve_quants(taken):
            raise InsufficientStock(_("stock changed while reserving; try again"), field="qty")
        ReservationLine.objects.bulk_create(rows)
        for reservation in reservations:
            mine = [row for row in rows if row.reservation is reservation]
            audit.record_act(reservation, actor=actor, action="stock.reserve",
                             detail=f"{reservation.product.sku} {text(reservation.qty)} @ {warehouse.code} for {reference}")
            events.reservation_event("stock.reserved", reservation=reservation,
                                     lines=[_line_payload(line, line.qty) for line in mine], qty=reservation.qty,
                                     actor=actor)
        check_low_stock({(product.pk, warehouse.pk) for product, _qty in lines}, actor=actor)
        return reservations


def release(*, reservation: Reservation, actor: Actor) -> Reservation:
    """Give back what is still held (on cancel of the document). Consumed parts stay consumed."""
    with tx.act():
        locks.lock_levels([(reservation.product_id, reservation.warehouse_id)])
        reservation = Reservation.objects.select_related("product", "warehouse").get(pk=reservation.pk)
        if reservation.state != Reservation.State.ACTIVE:
            raise ValidationFailed(_("reservation %(id)s is %(state)s, not active")
                                   % {"id": reservation.pk, "state": reservation.state}, field="reservation")
        released = []
        total = Decimal(0)
        for line in reservation.lines.select_related("quant", "quant__lot", "quant__location").filter(open_qty__gt=0):
            locks.unreserve(line.quant_id, reservation.product_id, reservation.warehouse_id, line.open_qty)
            released.append(_line_payload(line, line.open_qty))
            total += line.open_qty
        reservation.lines.update(open_qty=0)
        Reservation.objects.filter(pk=reservation.pk).update(state=Reservation.State.RELEASED)
        reservation.state = Reservation.State.RELEASED
        audit.record_act(reservation, actor=actor, action="stock.release", detail=f"{text(total)}")
        events.reservation_event("stock.released", reservation=reservation, lines=released, qty=total, actor=actor)
        check_low_stock({(reservation.product_id, reservation.warehouse_id)}, actor=actor)
        return reservation


def release_reference(*, reference: str, actor: Actor) -> list[Reservation]:
    with tx.act():
        active = list(Reservation.objects.filter(reference=reference, state=Reservation.State.ACTIVE).order_by("pk"))
        if not active:
            raise NotFound(_("no active reservation for %(ref)s") % {"ref": reference}, field="reference")
        return [release(reservation=r, actor=actor) for r in active]
