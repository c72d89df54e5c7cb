"""Shipping: the acts of a shipment, from reservation to goods out of the door.

    create_shipment → start_picking → record_pick… → mark_picked → mark_packed → ship
                    ↘ cancel_shipment (any state before shipped)     report_short (picking)

A shipment reserves under its own number, so `ship` consumes exactly what was set aside (the picks
recorded by the scanner name the lots and bins; without picks the reserved lots go). Whatever the
shipment still holds after shipping is released. The order side (oms, a higher app) learns of a
shipped or short shipment through hooks it registers here, in the same transaction.
"""

import copy
import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import audit, batch, clock, numbering, outbox, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.errors import InvalidTransition, ValidationFailed
from sihe.core.money import round_money
from sihe.costing import services as costing
from sihe.stock import reservations
from sihe.stock import services as stock
from sihe.stock.models import Lot, Reservation
from sihe.wms.models import Shipment, ShipmentLine, ShipmentPick

S = Shipment.State
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.PICKING, S.SHIPPED, S.CANCELLED},
    S.PICKING: {S.PICKED, S.SHIPPED, S.CANCELLED},  # packing follows the check (复核) of a picked shipment
    S.PICKED: {S.PACKED, S.SHIPPED, S.CANCELLED},
    S.PACKED: {S.SHIPPED, S.CANCELLED},
    S.SHIPPED: set(),
    S.CANCELLED: set(),
}

ShippedHook = Callable[..., None]
_on_shipped: list[ShippedHook] = []
_on_short: list[ShippedHook] = []
_on_cancelled: list[ShippedHook] = []
_on_picking: list[ShippedHook] = []


def register_on_shipped(callback: ShippedHook) -> None:
    """callback(shipment=..., actor=...) runs inside the shipping transaction."""
    if callback not in _on_shipped:
        _on_shipped.append(callback)


def register_on_short(callback: ShippedHook) -> None:
    """callback(shipment=..., line=..., short_qty=..., reason=..., actor=...) after a short pick."""
    if callback not in _on_short:
        _on_short.append(callback)


def register_on_picking(callback: ShippedHook) -> None:
    """callback(shipment=..., actor=...) when the warehouse starts picking a shipment."""
    if callback not in _on_picking:
        _on_picking.append(callback)


def _picking_started(shipment: Shipment, actor: Actor) -> None:
    for hook in list(_on_picking):
        hook(shipment=shipment, actor=actor)


def register_on_cancelled(callback: ShippedHook) -> None:
    if callback not in _on_cancelled:
        _on_cancelled.append(callback)


@dataclass
class ShipLineIn:
    product: Product
    qty: Decimal
    source_line_id: str = ""
    lot: Lot | None = None
    location: Location | None = None


def check_transition(shipment: Shipment, target: str) -> None:
    if target not in TRANSITIONS.get(shipment.state, set()):
        raise InvalidTransition(
            _("shipment %(number)s is %(state)s and cannot become %(target)s")
            % {"number": shipment.number, "state": shipment.get_state_display(), "target": S(target).label},
            field="state",
        )


LOCKED_SHIPMENTS = "wms.shipping.locked"  # batch.memo key: a caller's locked shipment → the verb it calls


@contextmanager
def locked(shipment: Shipment):
    """For the verbs called in this block, `shipment` is locked already, in this act, by the caller's own read
    (`locking`): they take it as it is instead of reading it again."""
    handed = batch.memo(LOCKED_SHIPMENTS, dict)
    handed[shipment.pk] = shipment
    try:
        yield
    finally:
        handed.pop(shipment.pk, None)


def locking(shipments):
    """The read that locks shipments for this module's verbs (SELECT … FOR UPDATE of the shipment rows) with
    their warehouse. Nothing else joined is read here: a joined row is as old as the statement's snapshot, which
    on PostgreSQL predates the lock it waited for (the wave a shipment was put in meanwhile would be missed)."""
    return shipments.select_for_update(of=("self",)).select_related("warehouse")


def locking_where(where: str, params: list) -> list[Shipment]:
    """`locking` written out for the hot path (sihe.core.sqlrows): the shipments matching `where` (SQL on the
    alias s), locked in id order, with their warehouse. Only the shipment rows are locked; the warehouse is
    master data, not a figure that moves."""
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update else ""
    sql = (f'SELECT {sqlrows.columns(Shipment, "s")}, {sqlrows.columns(Warehouse, "w")} FROM "{Shipment._meta.db_table}" s '
           f'JOIN "{Warehouse._meta.db_table}" w ON w."id" = s."warehouse_id" WHERE {where} ORDER BY s."id"{lock}')
    return sqlrows.every(sql, params, Shipment, related={"warehouse": Warehouse})


def _locked(shipment: Shipment) -> Shipment:
    handed = batch.memo(LOCKED_SHIPMENTS, dict).get(shipment.pk)
    if handed is not None:
        return handed
    return locking(Shipment.objects).get(pk=shipment.pk)


def _advance(shipment: Shipment, target: str, actor: Actor) -> Shipment:
    """A step with one way in (pending → picking → picked → packed): one guarded UPDATE both takes the row
    and checks its state; the row is read only when it is not where the step starts, to say why."""
    (source,) = [state for state, targets in TRANSITIONS.items() if target in targets]
    if not Shipment.objects.filter(pk=shipment.pk, state=source).update(state=target):
        return _set_state(_locked(shipment), target, actor)  # refused by the transition table
    shipment = copy.copy(shipment)  # the caller's instance keeps what it read
    shipment.state = target
    audit.record_changes(shipment, actor=actor, before={"state": source}, action=f"wms.shipment.{target}")
    return shipment


def _set_state(shipment: Shipment, target: str, actor: Actor, *, writes: tuple = (), **extra) -> Shipment:
    """`writes`: statements of the act sent with the shipment's UPDATE (`sqlrows.write_together`)."""
    check_transition(shipment, target)
    before = {"state": shipment.state}
    shipment.state = target
    for name, value in extra.items():
        setattr(shipment, name, value)
    if writes:
        sqlrows.write_together([*writes, sqlrows.save_statement(shipment, ["state", *extra])])
    else:
        shipment.save(update_fields=["state", *extra])
    audit.record_changes(shipment, actor=actor, before=before, action=f"wms.shipment.{target}")
    return shipment


def _payload(shipment: Shipment, **extra) -> dict:
    return {"number": shipment.number, "warehouse": shipment.warehouse.code, "state": shipment.state,
            "source_type": shipment.source_type, "source_id": shipment.source_id,
            "source_number": shipment.source_number, **extra}


def next_number(warehouse: Warehouse) -> str:
    """SH<warehouse><day>-0001 …: gapless per warehouse and day (core.numbering; the dash keeps these
    apart from the numbers of the old id-based scheme)."""
    stamp = clock.today().strftime("%Y%m%d")
    return f"SH{warehouse.code}{stamp}-{numbering.next_number(f'wms.shipment.{warehouse.code}', period=stamp):04d}"


def _insert_numbered(shipment: Shipment, source_number: str, warehouse: Warehouse) -> None:
    """Insert the shipment as <warehouse>-<order>, with -2, -3 … for a later shipment of the same order from
    there (补发). The first shipment (nearly every one) is one INSERT that takes the number unless it is taken;
    only a 补发 counts the earlier ones (a prefix scan over that order's few shipments)."""
    if not source_number:
        shipment.number = next_number(warehouse)
        shipment.save(force_insert=True)
        return
    base = f"{warehouse.code}-{source_number}"[:90]
    shipment.number = base
    if sqlrows.insert_unless_taken(shipment, "number"):
        return
    taken = Shipment.objects.filter(number__startswith=base).count()
    shipment.number = f"{base}-{taken + 1}"
    shipment.save(force_insert=True)


def create_shipment(*, warehouse: Warehouse, lines: list[ShipLineIn], source_type: str, source_id: str,
                    source_number: str, actor: Actor, customer: str = "", receiver: dict | None = None,
                    min_shelf_life_days: int | None = None, cutoff_at: datetime.datetime | None = None,
                    number: str | None = None, ship_date: datetime.date | None = None,
                    plans: list | None = None) -> Shipment:
    """A shipment for one warehouse, its stock reserved (FEFO/FIFO) under its number; InsufficientStock if short.
    `plans`: the lines' takes, planned already (`reservations.reserve_many`; lines of distinct products, no lot
    or bin asked for)."""
    if not lines:
        raise ValidationFailed(_("a shipment needs at least one line"), field="lines")
    for i, line in enumerate(lines):
        if line.qty is None or line.qty <= 0:
            raise ValidationFailed(_("quantity must be more than 0"), field=f"lines[{i}].qty")
    receiver = receiver or {}
    with tx.act():
        shipment = Shipment(
            number=number or "",
            warehouse=warehouse, source_type=source_type, source_id=str(source_id), source_number=source_number,
            customer=customer, receiver_name=receiver.get("name", ""), receiver_phone=receiver.get("phone", ""),
            province=receiver.get("province", ""), city=receiver.get("city", ""),
            district=receiver.get("district", ""), address=receiver.get("address", ""),
            min_shelf_life_days=min_shelf_life_days, cutoff_at=cutoff_at,
        )
        if number:
            shipment.save(force_insert=True)
        else:
            _insert_numbered(shipment, source_number, warehouse)
        rows = []
        if all(line.lot is None and line.location is None for line in lines):  # every line's reservation at once
            made = reservations.reserve_many(warehouse=warehouse, lines=[(line.product, line.qty) for line in lines],
                                             reference=shipment.number, actor=actor,
                                             min_shelf_life_days=min_shelf_life_days, ship_date=ship_date,
                                             plans=plans)
        else:
            assert plans is None, "plans are made for lines with no lot or bin asked for"
            made = [reservations.reserve(
                product=line.product, warehouse=warehouse, qty=line.qty, reference=shipment.number, actor=actor,
                lot=line.lot, location=line.location, min_shelf_life_days=min_shelf_life_days, ship_date=ship_date,
            ) for line in lines]
        for line, reservation in zip(lines, made, strict=True):
            rows.append(ShipmentLine(shipment=shipment, product=line.product, qty=line.qty, reservation=reservation,
                                     source_line_id=line.source_line_id))
        ShipmentLine.objects.bulk_create(rows)
        audit.record_act(shipment, actor=actor, action="wms.shipment.create",
                         detail=f"{source_number} @ {warehouse.code}, {len(rows)} lines")
        outbox.emit("wms.shipment.created", aggregate_type="shipment", aggregate_id=shipment.number, actor=actor,
                    payload=_payload(shipment, lines=[{"sku": r.product.sku, "qty": f"{r.qty.normalize():f}"}
                                                      for r in rows]))
        return shipment


def start_picking(*, shipment: Shipment, actor: Actor) -> Shipment:
    with tx.act(), batch.collect():
        shipment = _advance(shipment, S.PICKING, actor)
        _picking_started(shipment, actor)
        outbox.emit("wms.shipment.picking", aggregate_type="shipment", aggregate_id=shipment.number, actor=actor,
                    payload=_payload(shipment))
        return shipment


def record_pick(*, line: ShipmentLine, location: Location, lot: Lot | None, qty: Decimal, actor: Actor) -> ShipmentPick:
    """What the picker took for a line (no stock moves yet: the goods leave at `ship`)."""
    with tx.act():
        shipment = _locked(line.shipment)
        if shipment.state not in (S.PENDING, S.PICKING):
            raise InvalidTransition(_("shipment %(number)s is %(state)s: nothing more can be picked")
                                    % {"number": shipment.number, "state": shipment.get_state_display()}, field="state")
        if shipment.state == S.PENDING:
            _set_state(shipment, S.PICKING, actor)
            _picking_started(shipment, actor)
        line = ShipmentLine.objects.select_related("product").get(pk=line.pk)
        if qty is None or qty <= 0:
            raise ValidationFailed(_("quantity must be more than 0"), field="qty")
        if location.warehouse_id != shipment.warehouse_id:
            raise ValidationFailed(_("bin %(bin)s is not in warehouse %(wh)s")
                                   % {"bin": location.code, "wh": shipment.warehouse.code}, field="location")
        if lot is not None and lot.product_id != line.product_id:
            raise ValidationFailed(_("lot %(lot)s is not a lot of %(sku)s")
                                   % {"lot": lot.number, "sku": line.product.sku}, field="lot")
        open_qty = line.qty - line.picked_qty
        if qty > open_qty:
            raise ValidationFailed(_("%(qty)s is more than the %(open)s still to pick for %(sku)s")
                                   % {"qty": f"{qty.normalize():f}", "open": f"{open_qty.normalize():f}",
                                      "sku": line.product.sku}, field="qty", code="over_pick")
        ShipmentLine.objects.filter(pk=line.pk).update(picked_qty=F("picked_qty") + qty)
        pick = ShipmentPick.objects.create(line=line, location=location, lot=lot, qty=qty, picked_by=actor.username)
        audit.record_act(shipment, actor=actor, action="wms.shipment.pick",
                         detail=f"{line.product.sku} {qty.normalize():f} from {location.code}"
                                + (f" lot {lot.number}" if lot else ""))
        return pick


def mark_picked(*, shipment: Shipment, actor: Actor) -> Shipment:
    with tx.act(), batch.collect():
        return _advance(shipment, S.PICKED, actor)


def mark_packed(*, shipment: Shipment, actor: Actor) -> Shipment:
    with tx.act(), batch.collect():
        shipment = _advance(shipment, S.PACKED, actor)
        outbox.emit("wms.shipment.packed", aggregate_type="shipment", aggregate_id=shipment.number, actor=actor,
                    payload=_payload(shipment))
        return shipment


def _out_lines(lines: list[ShipmentLine]) -> list[tuple[ShipmentLine, stock.OutLine]]:
    """Picks first (their lot and bin), then the rest of each line by its reservation."""
    picks: dict[int, list[ShipmentPick]] = {}
    picked = [line for line in lines if line.picked_qty > 0]  # record_pick is the one writer of both
    for pick in (ShipmentPick.objects.filter(line__in=picked).select_related("lot", "location").order_by("pk")
                 if picked else ()):
        picks.setdefault(pick.line_id, []).append(pick)
    out = []
    for i, line in enumerate(lines):
        rest = line.qty
        for pick in picks.get(line.pk, []):
            take = min(pick.qty, rest)
            if take > 0:
                out.append((line, stock.OutLine(product=line.product, qty=take, lot=pick.lot, location=pick.location,
                                                field=f"lines[{i}]")))
                rest -= take
        if rest > 0:
            out.append((line, stock.OutLine(product=line.product, qty=rest, field=f"lines[{i}]")))
    return out


def ship(*, shipment: Shipment, carrier: str, tracking_no: str, actor: Actor,
         date: datetime.date | None = None) -> Shipment:
    """Goods out: stock issued at cost (COGS voucher), reservation consumed, hooks and event."""
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    if not carrier:
        raise ValidationFailed(_("the carrier is required"), field="carrier")
    if not tracking_no:
        raise ValidationFailed(_("the tracking number is required"), field="tracking_no")
    if len(carrier) > 40 or len(tracking_no) > 60:
        raise ValidationFailed(_("carrier (40) or tracking number (60 characters) too long"),
                               field="carrier" if len(carrier) > 40 else "tracking_no")
    with tx.act(), batch.collect():
        shipment = _locked(shipment)
        check_transition(shipment, S.SHIPPED)
        # Held as prefetched, so the hooks below read `shipment.lines.all()` from memory, not again.
        lines = sqlrows.every(
            f'SELECT {sqlrows.columns(ShipmentLine, "l")}, {sqlrows.columns(Product, "p")} FROM "{ShipmentLine._meta.db_table}" l '
            f'JOIN "{Product._meta.db_table}" p ON p."id" = l."product_id" WHERE l."shipment_id" = %s ORDER BY l."id"',
            [shipment.pk], ShipmentLine, related={"product": Product})
        sqlrows.prefetched(shipment, "lines", lines)
        pairs = _out_lines(lines)
        results = costing.issue(warehouse=shipment.warehouse, lines=[p[1] for p in pairs], actor=actor,
                                reference=shipment.number, date=date)
        # moves come back in line order; each OutLine's moves add up to its qty
        costs: dict[int, Decimal] = {}
        queue = list(results)
        for line, out in pairs:
            need = out.qty
            while need > 0 and queue:
                move, layer = queue.pop(0)
                need -= move.qty
                costs[line.pk] = costs.get(line.pk, Decimal(0)) + (abs(layer.value) if layer is not None else 0)
        leftover = Reservation.objects.filter(reference=shipment.number, state=Reservation.State.ACTIVE).exists()
        if leftover:
            reservations.release_reference(reference=shipment.number, actor=actor)
        writes = []
        if lines:  # every line in one UPDATE, sent with the shipment's, and the prefetched lines kept true to it
            for line in lines:
                line.shipped_qty, line.cost = line.qty, round_money(costs.get(line.pk, Decimal(0)))
            writes.append(sqlrows.update_each_statement(ShipmentLine, "cost", {line.pk: line.cost for line in lines},
                                                        copy={"shipped_qty": "qty"}))
        _set_state(shipment, S.SHIPPED, actor, writes=tuple(writes), carrier=carrier, tracking_no=tracking_no,
                   shipped_at=actor.at, cost=round_money(sum(costs.values(), Decimal(0))))
        lots = [{"sku": m.product.sku, "lot": m.lot.number if m.lot_id else None, "location": m.src_location.code,
                 "qty": f"{m.qty.normalize():f}"} for m, _layer in results]
        outbox.emit("wms.shipment.shipped", aggregate_type="shipment", aggregate_id=shipment.number, actor=actor,
                    payload=_payload(shipment, carrier=carrier, tracking_no=tracking_no, cost=str(shipment.cost),
                                     moves=lots))
        for hook in list(_on_shipped):
            hook(shipment=shipment, actor=actor)
        return shipment


def cancel_shipment(*, shipment: Shipment, actor: Actor, reason: str = "") -> Shipment:
    with tx.act():
        shipment = _locked(shipment)
        check_transition(shipment, S.CANCELLED)
        if Reservation.objects.filter(reference=shipment.number, state=Reservation.State.ACTIVE).exists():
            reservations.release_reference(reference=shipment.number, actor=actor)
        shipment = _set_state(shipment, S.CANCELLED, actor)
        outbox.emit("wms.shipment.cancelled", aggregate_type="shipment", aggregate_id=shipment.number, actor=actor,
                    payload=_payload(shipment, reason=reason))
        for hook in list(_on_cancelled):
            hook(shipment=shipment, actor=actor, reason=reason)
        return shipment


def report_short(*, line: ShipmentLine, short_qty: Decimal, actor: Actor, reason: str = "") -> ShipmentLine:
    """The bin held less than reserved: the line shrinks by `short_qty`, that much of its reservation is
    released, and the order side decides (re-allocate elsewhere or backorder)."""
    with tx.act():
        shipment = _locked(line.shipment)
        if shipment.state in (S.SHIPPED, S.CANCELLED):
            raise InvalidTransition(_("shipment %(number)s is %(state)s")
                                    % {"number": shipment.number, "state": shipment.get_state_display()}, field="state")
        line = ShipmentLine.objects.select_related("product", "reservation").get(pk=line.pk)
        open_qty = line.qty - line.picked_qty
        if short_qty is None or short_qty <= 0 or short_qty > open_qty:
            raise ValidationFailed(_("short quantity must be more than 0 and at most %(open)s")
                                   % {"open": f"{open_qty.normalize():f}"}, field="short_qty")
        keep = line.qty - short_qty
        if line.reservation_id and line.reservation.state == Reservation.State.ACTIVE:
            reservations.release(reservation=line.reservation, actor=actor)
            if keep > 0:
                line.reservation = reservations.reserve(
                    product=line.product, warehouse=shipment.warehouse, qty=keep, reference=shipment.number,
                    actor=actor, min_shelf_life_days=shipment.min_shelf_life_days)
        line.qty = keep
        if keep > 0:
            line.save(update_fields=["qty", "reservation"])
        else:
            line.delete()
        audit.record_act(shipment, actor=actor, action="wms.shipment.short",
                         detail=f"{line.product.sku} short {short_qty.normalize():f} {reason}".strip())
        outbox.emit("wms.shipment.short", aggregate_type="shipment", aggregate_id=shipment.number, actor=actor,
                    payload=_payload(shipment, sku=line.product.sku, short_qty=f"{short_qty.normalize():f}",
                                     reason=reason))
        for hook in list(_on_short):
            hook(shipment=shipment, line=line, short_qty=short_qty, reason=reason, actor=actor)
        if not shipment.lines.exists():
            _set_state(shipment, S.CANCELLED, actor)
        return line
