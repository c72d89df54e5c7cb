"""The verbs of the stock ledger. Quantities are already in the base unit (see `units.to_base`).

Every act: lock the (product, warehouse) level rows in PK order, write done moves, apply each to
its quants and levels with guarded updates, write one audit row per move and one event — inside
the caller's transaction. Value (cost) is added by `sihe.costing.services`, which wraps these acts.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import audit, batch, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.dates import check_business_date
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.core.money import text
from sihe.stock import events, locks, removal, transitions, units
from sihe.stock.errors import InsufficientStock
from sihe.stock.models import (
    Counterpart,
    Lot,
    Quant,
    Reservation,
    ReservationLine,
    StockLevel,
    StockMove,
    StockRule,
)

Kind = StockMove.Kind
ZERO = Decimal(0)


@dataclass
class InLine:
    """One line entering stock: a receipt, a gain, a production output."""

    product: Product
    qty: Decimal
    unit_cost: Decimal | None = None
    lot: str | None = None
    expiry: datetime.date | None = None
    production_date: datetime.date | None = None
    location: Location | None = None
    field: str = "lines[0]"


@dataclass
class OutLine:
    """One line leaving stock (or moving inside it): an issue, a loss, a scrap, a consumption."""

    product: Product
    qty: Decimal
    lot: Lot | None = None
    location: Location | None = None
    field: str = "lines[0]"
    min_shelf_life_days: int | None = None


def local_date(actor: Actor) -> datetime.date:
    return timezone.localdate(actor.at)


def default_location(warehouse: Warehouse, *, field: str = "location") -> Location:
    """The warehouse's receiving dock, else its first bin."""
    order = Case(When(kind="dock", then=Value(0)), When(kind="bin", then=Value(1)), default=Value(2),
                 output_field=IntegerField())
    location = Location.objects.filter(warehouse=warehouse, active=True).order_by(order, "code").first()
    if location is None:
        raise ValidationFailed(
            _("warehouse %(code)s has no locations; create one first") % {"code": warehouse.code}, field=field
        )
    return location


def check_location(warehouse: Warehouse, location: Location | None, *, field: str) -> Location:
    if location is None:
        return default_location(warehouse, field=field)
    if location.warehouse_id != warehouse.pk:
        raise ValidationFailed(
            _("location %(loc)s is not in warehouse %(wh)s") % {"loc": location.code, "wh": warehouse.code}, field=field
        )
    return location


def known_lot(product: Product, number: str) -> Lot | None:
    """The lot `number` of `product`, read once per collected act (a receiving check and the receipt it
    makes ask for the same lot; `lot_for_receipt` notes the lot it creates)."""
    lots = batch.memo("stock.lots", dict)
    if (product.pk, number) not in lots:
        lots[product.pk, number] = sqlrows.first(
            f'SELECT {sqlrows.columns(Lot, "l")} FROM "{Lot._meta.db_table}" l WHERE l."product_id" = %s AND '
            f'l."number" = %s ORDER BY l."id" LIMIT 1', [product.pk, number], Lot)  # every receipt asks it
    return lots[product.pk, number]


def lot_for_receipt(line: InLine, *, date: datetime.date) -> Lot | None:
    """Find or create the lot (or serial) of an incoming line, enforcing the product's tracking."""
    product, prefix = line.product, line.field
    if product.tracking == Product.Tracking.NONE:
        if line.lot:
            raise ValidationFailed(_("%(sku)s is not tracked by lot") % {"sku": product.sku}, field=f"{prefix}.lot")
        return None
    if not line.lot:
        raise ValidationFailed(
            _("%(sku)s is tracked by %(tracking)s: a lot/serial number is required")
            % {"sku": product.sku, "tracking": product.tracking}, field=f"{prefix}.lot",
        )
    if product.tracking == Product.Tracking.SERIAL and line.qty != 1:
        raise ValidationFailed(
            _("%(sku)s is serial-tracked: one unit per serial number") % {"sku": product.sku}, field=f"{prefix}.qty"
        )
    expiry = line.expiry
    if expiry is None and line.production_date and product.shelf_life_days:
        expiry = line.production_date + datetime.timedelta(days=product.shelf_life_days)
    if line.production_date and expiry and line.production_date > expiry:
        raise ValidationFailed(_("production date is after the expiry date"), field=f"{prefix}.production_date")
    lot = known_lot(product, line.lot)
    if lot is None:
        if product.is_expiry_tracked and expiry is None:
            raise ValidationFailed(
                _("%(sku)s is tracked by lot and expiry: the expiry date is required") % {"sku": product.sku},
                field=f"{prefix}.expiry",
            )
        lot = Lot.objects.create(product=product, number=line.lot, production_date=line.production_date,
                                 expiry_date=expiry if product.is_expiry_tracked else expiry, receipt_date=date)
        batch.memo("stock.lots", dict)[product.pk, line.lot] = lot
        return lot
    if line.expiry and lot.expiry_date and line.expiry != lot.expiry_date:
        raise ValidationFailed(
            _("lot %(lot)s already has expiry %(expiry)s") % {"lot": lot.number, "expiry": lot.expiry_date.isoformat()},
            field=f"{prefix}.expiry",
        )
    if product.tracking == Product.Tracking.SERIAL and Quant.objects.filter(lot=lot, qty__gt=0).exists():
        raise Conflict(_("serial %(sn)s of %(sku)s is already in stock") % {"sn": lot.number, "sku": product.sku},
                       field=f"{prefix}.lot", code="duplicate_serial")
    return lot


# -- applying moves -------------------------------------------------------------------------------


def _short(move: StockMove, field: str) -> InsufficientStock:
    level = StockLevel.objects.filter(product=move.product, warehouse=move.src_warehouse).first()
    quant = Quant.objects.filter(product=move.product, location=move.src_location, lot=move.lot).first()
    available = min(level.available if level else Decimal(0), quant.available if quant else Decimal(0))
    return InsufficientStock(
        _("%(sku)s in %(wh)s: %(qty)s requested, %(available)s available")
        % {"sku": move.product.sku, "wh": move.src_warehouse.code, "qty": text(move.qty), "available": text(available)},
        field=field, available=text(available), sku=move.product.sku, warehouse=move.src_warehouse.code,
    )


def apply_move(move: StockMove, *, field: str = "qty", level_raised: bool = False) -> None:
    """Project one done move onto quants and levels (guarded unless the warehouse allows negative stock);
    `level_raised`: the destination's level already holds it (`locks.lock_levels_adding`)."""
    if move.src_location_id:
        guard = not locks.warehouse_allows_negative(move.src_warehouse)
        if not locks.add_quant_at(move.product, move.src_location, move.lot, -move.qty, guard=guard,
                                  in_date=move.date):
            raise _short(move, field)
        if not locks.add_level(move.product_id, move.src_warehouse_id, -move.qty, guard=guard):
            raise _short(move, field)
    if move.dst_location_id:
        locks.add_quant_at(move.product, move.dst_location, move.lot, move.qty, guard=False, in_date=move.date)
        if not level_raised:
            locks.add_level(move.product_id, move.dst_warehouse_id, move.qty, guard=False)


def _write(actor: Actor, *, state: str = StockMove.State.DONE, field: str = "qty", level_raised: bool = False,
           **values) -> StockMove:
    check_business_date(values["date"])
    move = StockMove.objects.create(state=state, created_by=actor.username, **values)
    if state == StockMove.State.DONE:
        apply_move(move, field=field, level_raised=level_raised)
    audit.record_act(move, actor=actor, action=f"stock.{move.kind}",
                     detail=f"{move.product.sku} {text(move.qty)} {move.get_state_display()} {move.reference}".strip())
    return move


def _finish(event_type: str, moves: list[StockMove], *, reference: str, warehouse: Warehouse, actor: Actor,
            low_stock: bool = True) -> None:
    events.moves_done(event_type, moves=moves, reference=reference, warehouse=warehouse.code, actor=actor)
    if low_stock:
        check_low_stock({(m.product_id, w) for m in moves for w in (m.src_warehouse_id, m.dst_warehouse_id) if w},
                        actor=actor)


def check_low_stock(pairs, *, actor: Actor) -> None:
    """Flag levels that fell below their minimum (emitting `stock.low` once) or recovered. In an act that
    collects (sihe.core.batch) once at its end for every pair the act touched."""
    pairs = set(pairs)
    if not pairs:
        return
    if batch.later("stock.low_stock", lambda items: _check_low_stock(set().union(*items), actor=actor), pairs):
        return
    _check_low_stock(pairs, actor=actor)


def _check_low_stock(pairs: set, *, actor: Actor) -> None:
    # A level this act locked (stock.locked_levels) with no rule and no low flag can neither fall low
    # nor recover: not read again. set_rule and remove_rule lock their level afresh after the change.
    held = batch.memo("stock.locked_levels", dict)
    pairs = {pair for pair in pairs if pair not in held or held[pair].low or getattr(held[pair], "has_rule", True)}
    if not pairs:
        return
    products, warehouses = {p for p, _w in pairs}, {w for _p, w in pairs}
    minimum = StockRule.objects.filter(product_id=OuterRef("product_id"), warehouse_id=OuterRef("warehouse_id"))
    # one query; only levels with a rule or flagged low can change
    levels = (StockLevel.objects.select_related("product", "warehouse")
              .filter(product_id__in=products, warehouse_id__in=warehouses)
              .annotate(min_qty=Subquery(minimum.values("min_qty")[:1]))
              .filter(Q(low=True) | Q(min_qty__isnull=False)).order_by("product_id", "warehouse_id"))
    for level in levels:
        if (level.product_id, level.warehouse_id) not in pairs:
            continue
        is_low = level.min_qty is not None and level.available < level.min_qty
        if is_low and not level.low:
            StockLevel.objects.filter(pk=level.pk).update(low=True)
            events.low_stock(product=level.product, warehouse=level.warehouse, available=level.available,
                             minimum=level.min_qty, actor=actor)
        elif level.low and not is_low:
            StockLevel.objects.filter(pk=level.pk).update(low=False)


# -- acts -----------------------------------------------------------------------------------------


def bring_in(*, warehouse: Warehouse, lines: list[InLine], actor: Actor, kind: str = Kind.RECEIPT,
             counterpart: str = Counterpart.SUPPLIER, reference: str = "", date: datetime.date | None = None,
             location: Location | None = None) -> list[StockMove]:
    """Goods enter a warehouse from outside (supplier, inventory gain, production)."""
    with tx.act():
        date = date or local_date(actor)
        incoming: dict[tuple[int, int], Decimal] = {}
        for line in lines:
            incoming[line.product.pk, warehouse.pk] = incoming.get((line.product.pk, warehouse.pk), ZERO) + line.qty
        levels = locks.lock_levels_adding(incoming)  # locked and raised at once: the moves below add to quants
        moves = []
        for line in lines:
            loc = check_location(warehouse, line.location or location, field=f"{line.field}.location")
            lot = lot_for_receipt(line, date=date)
            moves.append(_write(actor, product=line.product, qty=line.qty, kind=kind, date=date, reference=reference,
                                dst_warehouse=warehouse, dst_location=loc, counterpart=counterpart, lot=lot,
                                unit_cost=line.unit_cost, field=f"{line.field}.qty", level_raised=True))
        # more stock only ends a low flag: nothing to check when none of the levels is flagged low
        _finish(events.ACT_EVENTS[kind], moves, reference=reference, warehouse=warehouse, actor=actor,
                low_stock=any(level.low for level in levels.values()))
        return moves


def receive(*, warehouse: Warehouse, lines: list[InLine], actor: Actor, reference: str = "",
            date: datetime.date | None = None, location: Location | None = None) -> list[StockMove]:
    for line in lines:
        if line.unit_cost is None or line.unit_cost < 0:
            raise ValidationFailed(_("unit cost must be 0 or more"), field=f"{line.field}.unit_cost")
    return bring_in(warehouse=warehouse, lines=lines, actor=actor, reference=reference, date=date, location=location)


def _consume_reservations(line: OutLine, warehouse: Warehouse, reference: str) -> list[removal.Take]:
    """Takes from the reference's own reservations first (consumed on issue)."""
    takes: list[removal.Take] = []
    if not reference:
        return takes
    need = line.qty
    # one read of every open line of the reference's active reservations of this product here
    res_lines = list(ReservationLine.objects.filter(
        reservation__reference=reference, reservation__product=line.product, reservation__warehouse=warehouse,
        reservation__state=Reservation.State.ACTIVE).select_related("quant", "quant__lot", "quant__location")
        .order_by("reservation_id", "pk"))
    touched: set[int] = set()
    for res_line in res_lines:
        quant = res_line.quant
        if need <= 0 or res_line.open_qty <= 0:
            continue
        if (line.lot and quant.lot_id != line.lot.pk) or (line.location and quant.location_id != line.location.pk):
            continue
        take = min(need, res_line.open_qty)
        locks.unreserve(quant.pk, line.product.pk, warehouse.pk, take)
        ReservationLine.objects.filter(pk=res_line.pk).update(open_qty=res_line.open_qty - take)
        res_line.open_qty -= take
        touched.add(res_line.reservation_id)
        takes.append(removal.Take(quant, take))
        need -= take
    spent = [rid for rid in sorted(touched) if all(rl.open_qty <= 0 for rl in res_lines if rl.reservation_id == rid)]
    if spent:
        Reservation.objects.filter(pk__in=spent).update(state=Reservation.State.CONSUMED)
    return takes


def _active_lines_of(reference: str, warehouse: Warehouse, product_ids: list[int]) -> list[ReservationLine]:
    """The lines of the reference's active reservations of these products here, with reservation, quant, lot and
    bin: the read every shipment's issue runs, written out once (sihe.core.sqlrows)."""
    sql = (f'SELECT {sqlrows.columns(ReservationLine, "rl")}, {sqlrows.columns(Reservation, "r")}, '
           f'{sqlrows.columns(Quant, "q")}, {sqlrows.columns(Lot, "l")}, {sqlrows.columns(Location, "b")} '
           f'FROM "{ReservationLine._meta.db_table}" rl JOIN "{Reservation._meta.db_table}" r ON r."id" = rl."reservation_id" '
           f'JOIN "{Quant._meta.db_table}" q ON q."id" = rl."quant_id" LEFT JOIN "{Lot._meta.db_table}" l ON l."id" = q."lot_id" '
           f'JOIN "{Location._meta.db_table}" b ON b."id" = q."location_id" '
           f'WHERE r."reference" = %s AND r."warehouse_id" = %s AND r."state" = %s '
           f'AND r."product_id" IN ({", ".join(["%s"] * len(product_ids))}) ORDER BY rl."reservation_id", rl."id"')
    return sqlrows.every(sql, [reference, warehouse.pk, Reservation.State.ACTIVE, *product_ids], ReservationLine,
                         related={"reservation": Reservation, "quant": Quant, "quant__lot": Lot,
                                  "quant__location": Location})


def _take_out_together(warehouse: Warehouse, lines: list[OutLine], actor: Actor, *, kind: str, counterpart: str,
                       reference: str, date: datetime.date, ship_date) -> tuple[list[StockMove], bool] | None:
    """Goods leaving the warehouse, every line in one go: the reference's reservations read once and
    consumed, the moves inserted together, and each quant and level changed by one guarded UPDATE for
    all lines (on hand and reserved together) — a handful of statements whatever the line count. Returns the
    moves and whether only reserved goods left (what is available, and so a low-stock flag, is unchanged)."""
    for line in lines:
        if line.location is not None:
            check_location(warehouse, line.location, field=f"{line.field}.location")
        if line.lot is not None and line.lot.product_id != line.product.pk:
            raise ValidationFailed(_("lot %(lot)s is not a lot of %(sku)s")
                                   % {"lot": line.lot.number, "sku": line.product.sku}, field=f"{line.field}.lot")
    if len({line.product.pk for line in lines}) < len(lines):
        return None  # a product on two lines: planned one by one, each seeing what the other took
    check_business_date(date)
    res_lines = []
    if reference:
        res_lines = _active_lines_of(reference, warehouse, sorted({line.product.pk for line in lines}))
    quant_delta: dict[int, list[Decimal]] = {}  # quant id → [taken, unreserved]
    level_delta: dict[int, list[Decimal]] = {}  # product id → [taken, unreserved]
    planned: list[tuple[OutLine, removal.Take]] = []
    opened: dict[int, Decimal] = {}
    for line in lines:
        need = line.qty
        for res_line in res_lines:
            quant = res_line.quant
            if need <= 0 or res_line.open_qty <= 0 or res_line.reservation.product_id != line.product.pk:
                continue
            if (line.lot and quant.lot_id != line.lot.pk) or (line.location and quant.location_id != line.location.pk):
                continue
            take = min(need, res_line.open_qty)
            res_line.open_qty -= take
            opened[res_line.pk] = res_line.open_qty
            quant_delta.setdefault(quant.pk, [ZERO, ZERO])[1] += take
            level_delta.setdefault(line.product.pk, [ZERO, ZERO])[1] += take
            planned.append((line, removal.Take(quant, take)))
            need -= take
        if need > 0:
            # unreserved stock: planned against the quants as they are now, less what this act already took
            for take in _plan_or_negative(line, warehouse, need, ship_date=ship_date or date):
                planned.append((line, take))
    for line, take in planned:
        quant_delta.setdefault(take.quant.pk, [ZERO, ZERO])[0] += take.qty
        level_delta.setdefault(line.product.pk, [ZERO, ZERO])[0] += take.qty
    moves = [StockMove(state=StockMove.State.DONE, created_by=actor.username, product=line.product, qty=take.qty,
                       kind=kind, date=date, reference=reference, src_warehouse=warehouse,
                       src_location=take.quant.location, lot=take.quant.lot, counterpart=counterpart)
             for line, take in planned]
    if not moves:
        return [], True
    sqlrows.insert_rows(moves)
    if opened:
        writes = [sqlrows.update_each_statement(ReservationLine, "open_qty", opened)]
        spent = sorted({rl.reservation_id for rl in res_lines if rl.pk in opened}
                       - {rl.reservation_id for rl in res_lines if rl.open_qty > 0})
        if spent:
            writes.append((f'UPDATE "{Reservation._meta.db_table}" SET "state" = %s WHERE "id" IN '
                           f'({", ".join(["%s"] * len(spent))})', [Reservation.State.CONSUMED, *spent]))
        sqlrows.write_together(writes)  # the lines' open quantities and the spent reservations: one statement on PG
    guard = not locks.warehouse_allows_negative(warehouse)
    if not locks.take_quants(quant_delta, guard=guard) or not locks.take_levels(warehouse.pk, level_delta, guard=guard):
        short = next((m for m in moves if not _enough(m, quant_delta, level_delta)), moves[0])
        line = next(line for line, take in planned if line.product.pk == short.product_id)
        raise _short(short, f"{line.field}.qty")
    for move, (line, _take) in zip(moves, planned, strict=True):
        audit.record_act(move, actor=actor, action=f"stock.{move.kind}",
                         detail=f"{line.product.sku} {text(move.qty)} {move.get_state_display()} {move.reference}".strip())
    # goods that were reserved leave on hand and reserved alike: what is available stays, and so does a low flag
    return moves, all(taken == freed for taken, freed in level_delta.values())


def _enough(move: StockMove, quant_delta: dict, level_delta: dict) -> bool:
    """After a refused guarded update (the act is rolled back): is this move's quant and level still covered?"""
    quant = Quant.objects.filter(product=move.product, location=move.src_location, lot=move.lot).first()
    level = StockLevel.objects.filter(product=move.product, warehouse=move.src_warehouse).first()
    taken, freed = quant_delta.get(quant.pk, [ZERO, ZERO]) if quant else (ZERO, ZERO)
    level_taken, level_freed = level_delta.get(move.product_id, [ZERO, ZERO])
    return bool(quant and level and quant.qty - taken >= quant.reserved - freed
                and level.on_hand - level_taken >= level.reserved - level_freed)


def take_out(*, warehouse: Warehouse, lines: list[OutLine], actor: Actor, kind: str = Kind.ISSUE,
             counterpart: str = Counterpart.CUSTOMER, reference: str = "", date: datetime.date | None = None,
             ship_date: datetime.date | None = None, dst_warehouse: Warehouse | None = None,
             dst_location: Location | None = None, emit_event: bool = True) -> list[StockMove]:
    """Goods leave a warehouse (or move to another bin), taken by the product's removal strategy."""
    with tx.act():
        date = date or local_date(actor)
        pairs = [(line.product.pk, warehouse.pk) for line in lines]
        if dst_warehouse is not None:
            pairs += [(line.product.pk, dst_warehouse.pk) for line in lines]
        locks.lock_levels(pairs)
        moves, available_kept = [], False
        if dst_location is None and dst_warehouse is None:  # goods leave: every line at once
            together = _take_out_together(warehouse, lines, actor, kind=kind, counterpart=counterpart,
                                          reference=reference, date=date, ship_date=ship_date)
            if together is not None:
                (moves, available_kept), lines = together, []
        for line in lines:
            if line.location is not None:
                check_location(warehouse, line.location, field=f"{line.field}.location")
            if line.lot is not None and line.lot.product_id != line.product.pk:
                raise ValidationFailed(_("lot %(lot)s is not a lot of %(sku)s")
                                       % {"lot": line.lot.number, "sku": line.product.sku}, field=f"{line.field}.lot")
            takes = _consume_reservations(line, warehouse, reference)
            need = line.qty - sum((t.qty for t in takes), Decimal(0))
            if need > 0:
                takes += _plan_or_negative(line, warehouse, need, ship_date=ship_date or date)
            for take in takes:
                moves.append(_write(
                    actor, product=line.product, qty=take.qty, kind=kind, date=date, reference=reference,
                    src_warehouse=warehouse, src_location=take.quant.location, lot=take.quant.lot,
                    dst_warehouse=dst_warehouse, dst_location=dst_location,
                    counterpart="" if dst_location is not None else counterpart, field=f"{line.field}.qty",
                ))
        if emit_event:
            _finish(events.ACT_EVENTS[kind], moves, reference=reference, warehouse=warehouse, actor=actor,
                    low_stock=not available_kept)
        return moves


def _plan_or_negative(line: OutLine, warehouse: Warehouse, need: Decimal, *, ship_date) -> list[removal.Take]:
    try:
        return removal.plan(line.product, warehouse, need, location=line.location, lot=line.lot,
                            min_shelf_life_days=line.min_shelf_life_days, ship_date=ship_date,
                            field=f"{line.field}.qty")
    except InsufficientStock as short:
        if not warehouse.allow_negative_stock or (line.product.tracking != Product.Tracking.NONE and line.lot is None):
            raise
        available = Decimal(short.extra["available"])
        takes = removal.plan(line.product, warehouse, available, location=line.location, lot=line.lot,
                             ship_date=ship_date) if available > 0 else []
        if takes:  # the last quant taken goes below zero
            takes[-1].qty += need - available
            return takes
        location = line.location or default_location(warehouse)
        quant = locks.quant_for(line.product, location, line.lot, ship_date)
        return [removal.Take(quant, need - available)]


def issue(*, warehouse: Warehouse, lines: list[OutLine], actor: Actor, reference: str = "",
          date: datetime.date | None = None, ship_date: datetime.date | None = None) -> list[StockMove]:
    return take_out(warehouse=warehouse, lines=lines, actor=actor, reference=reference, date=date, ship_date=ship_date)


def transfer(*, warehouse: Warehouse, lines: list[OutLine], to_warehouse: Warehouse, to_location: Location | None,
             actor: Actor, reference: str = "", date: datetime.date | None = None) -> list[StockMove]:
    """Bin → bin inside a warehouse (one move each), or warehouse → warehouse through in-transit
    (two moves each, the second leaving transit; both legs in this one act)."""
    with tx.act():
        to_location = check_location(to_warehouse, to_location, field="to_location")
        locks.lock_levels([(line.product.pk, w.pk) for line in lines for w in (warehouse, to_warehouse)])
        if to_warehouse.pk == warehouse.pk:
            moves = take_out(warehouse=warehouse, lines=lines, actor=actor, kind=Kind.TRANSFER, reference=reference,
                             date=date, dst_warehouse=to_warehouse, dst_location=to_location, emit_event=False)
            for move in moves:
                if move.src_location_id == to_location.pk:
                    raise ValidationFailed(_("source and destination are the same location"), field="to_location")
        else:
            legs = take_out(warehouse=warehouse, lines=lines, actor=actor, kind=Kind.TRANSFER, reference=reference,
                            date=date, counterpart=Counterpart.TRANSIT, emit_event=False)
            moves = list(legs)
            for leg in legs:
                moves.append(_write(actor, product=leg.product, qty=leg.qty, kind=Kind.TRANSFER, date=leg.date,
                                    reference=reference, dst_warehouse=to_warehouse, dst_location=to_location,
                                    lot=leg.lot, counterpart=Counterpart.TRANSIT))
        _finish("stock.transferred", moves, reference=reference, warehouse=warehouse, actor=actor)
        return moves


def reverse(*, move: StockMove, actor: Actor, date: datetime.date | None = None) -> StockMove:
    """红字冲销: a done move is corrected by a move in the opposite direction that points to it."""
    with tx.act():
        # The original row is locked first, so parallel reversals of one move queue here and the second
        # finds the first one's reversal (the unique index on reversal_of makes it true in the database).
        move = locks.lock_move(move.pk)
        if move.state != StockMove.State.DONE:
            raise ValidationFailed(_("only a done move can be reversed"), field="move")
        if move.reversal_of_id or StockMove.objects.filter(reversal_of=move).exists():
            raise Conflict(_("move %(id)s is already reversed or is itself a reversal") % {"id": move.pk},
                           field="move", code="already_reversed")
        pairs = [(move.product_id, w) for w in (move.src_warehouse_id, move.dst_warehouse_id) if w]
        locks.lock_levels(pairs)
        if date is not None and date < move.date:
            raise ValidationFailed(_("a reversal cannot be dated before the move it reverses (%(date)s)")
                                   % {"date": move.date.isoformat()}, field="date")
        date = date or max(local_date(actor), move.date)  # a move dated ahead is reversed on its own day
        reversal = _write(actor, product=move.product, qty=move.qty, kind=move.kind, date=date,
                          reference=move.reference, src_warehouse=move.dst_warehouse, src_location=move.dst_location,
                          dst_warehouse=move.src_warehouse, dst_location=move.src_location, lot=move.lot,
                          counterpart=move.counterpart, unit_cost=move.unit_cost, reversal_of=move)
        _finish("stock.reversed", [reversal], reference=move.reference,
                warehouse=move.src_warehouse or move.dst_warehouse, actor=actor)
        return reversal


# -- draft moves (planned by WMS/MES, done later) -------------------------------------------------


def plan_move(*, actor: Actor, **values) -> StockMove:
    with tx.act():
        return _write(actor, state=StockMove.State.DRAFT, **values)


def confirm_move(*, move: StockMove, actor: Actor) -> StockMove:
    with tx.act():
        transitions.check(move.state, StockMove.State.DONE)
        locks.lock_levels([(move.product_id, w) for w in (move.src_warehouse_id, move.dst_warehouse_id) if w])
        if StockMove.objects.filter(pk=move.pk, state=StockMove.State.DRAFT).update(state=StockMove.State.DONE) != 1:
            transitions.check(StockMove.objects.get(pk=move.pk).state, StockMove.State.DONE)
        move.state = StockMove.State.DONE
        apply_move(move)
        audit.record_act(move, actor=actor, action="stock.confirm")
        _finish(events.ACT_EVENTS[move.kind], [move], reference=move.reference,
                warehouse=move.src_warehouse or move.dst_warehouse, actor=actor)
        return move


def cancel_move(*, move: StockMove, actor: Actor) -> StockMove:
    with tx.act():
        transitions.check(move.state, StockMove.State.CANCELLED)
        StockMove.objects.filter(pk=move.pk, state=StockMove.State.DRAFT).update(state=StockMove.State.CANCELLED)
        move.state = StockMove.State.CANCELLED
        audit.record_act(move, actor=actor, action="stock.cancel")
        return move


def update_move(*, move: StockMove, actor: Actor, **values) -> StockMove:
    """Change a draft move; a done or cancelled move is refused (done moves are immutable)."""
    with tx.act():
        if move.state != StockMove.State.DRAFT:
            transitions.check(move.state, StockMove.State.DRAFT)
        before = audit.snapshot(move, values)
        for name, value in values.items():
            setattr(move, name, value)
        StockMove.objects.filter(pk=move.pk, state=StockMove.State.DRAFT).update(**values)
        audit.record_changes(move, actor=actor, before=before)
        return move


# -- master data of the stock app -----------------------------------------------------------------


def set_rule(*, product: Product, warehouse: Warehouse, min_qty: Decimal, max_qty: Decimal | None,
             actor: Actor) -> StockRule:
    with tx.act():
        if min_qty < 0 or (max_qty is not None and max_qty < min_qty):
            raise ValidationFailed(_("need 0 ≤ min ≤ max"), field="min_qty")
        rule, _created = StockRule.objects.update_or_create(product=product, warehouse=warehouse,
                                                           defaults={"min_qty": min_qty, "max_qty": max_qty})
        audit.record_act(rule, actor=actor, action="stock.rule", detail=_("minimum %(min)s, maximum %(max)s") % {"min": text(min_qty), "max": text(max_qty)})
        locks.lock_levels_afresh([(product.pk, warehouse.pk)])
        check_low_stock({(product.pk, warehouse.pk)}, actor=actor)
        return rule


def remove_rule(*, product: Product, warehouse: Warehouse, actor: Actor) -> None:
    """No more low-stock warning for the product in that warehouse."""
    with tx.act():
        rule = StockRule.objects.filter(product=product, warehouse=warehouse).first()
        if rule is None:
            raise NotFound(_("%(sku)s has no stock rule in %(wh)s") % {"sku": product.sku, "wh": warehouse.code},
                           field="sku")
        audit.record_act(rule, actor=actor, action="stock.rule.remove", detail=_("minimum %(min)s, maximum %(max)s") % {"min": text(rule.min_qty), "max": text(rule.max_qty)})
        rule.delete()
        locks.lock_levels_afresh([(product.pk, warehouse.pk)])
        check_low_stock({(product.pk, warehouse.pk)}, actor=actor)


def set_unit(*, product: Product, uom, factor: Decimal, actor: Actor):
    """An alternate unit (1 BOX = 12 PCS). Quantities are converted to the base unit at the edge and
    stored so, which is why a factor may be corrected later without touching any past move."""
    from sihe.stock.models import ProductUnit

    with tx.act():
        if factor <= 0:
            raise ValidationFailed(_("factor must be greater than 0"), field="factor")
        if uom.pk == product.uom_id:
            raise ValidationFailed(_("%(unit)s is already the base unit of %(sku)s") % {"unit": uom.code, "sku": product.sku},
                                   field="unit")
        if factor >= units.QTY_LIMIT:
            raise ValidationFailed(_("factor is too large"), field="factor")
        unit, _created = ProductUnit.objects.update_or_create(product=product, uom=uom, defaults={"factor": factor})
        audit.record_act(unit, actor=actor, action="stock.unit", detail=str(unit))
        return unit
