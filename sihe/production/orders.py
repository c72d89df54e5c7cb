"""The acts of a production order: create, release (reserve the components), issue (领料) and return
(退料) materials, report output (报工: good, scrap, minutes), receive the finished goods (完工入库),
finish, close, cancel. Each is one transaction; the edge opens it durable.

Books (rules are data: production migration 0001 seeds them; /ledger/rules/ edits them), every line
on 生产成本 4001 carrying the order number as its project:
- components issued at their stock cost: Dr 4001 / Cr 1405 (`production.consume`), returns the other way
  (`production.return`) at the order's average issue cost of that component;
- labour, minutes × the work centre's labour rate per hour: Dr 4001 / Cr 2211 应付职工薪酬
  (`production.labour`); overhead, minutes × its overhead rate: Dr 4001 / Cr 4101 制造费用
  (`production.overhead`) — 4101 collects the actual overhead and is absorbed here;
- by-products received at their current stock cost, the finished goods at the order's cost ÷ good
  units (so scrap raises the good units' cost): Dr 1405 / Cr 4001 (`production.output`);
- closing clears what is left on the order (rounding, costs after the last receipt) to 5401 主营业务成本
  as a variance (`production.variance`, or `.reverse` when 4001 is in credit).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import audit, clock, numbering, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, DomainError, ValidationFailed
from sihe.core.money import round_money, round_qty, round_unit_cost, text, to_decimal
from sihe.costing import services as costing
from sihe.ledger.services import book
from sihe.production import boms, events
from sihe.production.models import Bom, OutputReport, ProductionOrder, ProductionOrderLine, WorkCentre
from sihe.production.transitions import LIFE, WORKING
from sihe.stock import reservations
from sihe.stock import services as stock
from sihe.stock.models import Counterpart, Lot, Reservation, StockMove

S = ProductionOrder.Status
SOURCE_TYPE = "production.order"
ZERO = Decimal(0)
MINUTES_PER_HOUR = Decimal(60)
DONE = {"release": "released", "start": "started", "finish": "finished", "close": "closed", "cancel": "cancelled"}


@dataclass
class MaterialLine:
    product: Product
    qty: Decimal
    lot: Lot | None = None
    location: Location | None = None
    field: str = "lines[0]"


def _locked(order: ProductionOrder) -> ProductionOrder:
    return (ProductionOrder.objects.select_for_update(of=("self",))
            .select_related("product__uom", "warehouse", "bom").get(pk=order.pk))


def _move(order: ProductionOrder, action: str, actor: Actor, **stamps) -> ProductionOrder:
    target = LIFE.check(order.status, action)
    before = {"status": order.status}
    order.status = target
    for name, value in stamps.items():
        setattr(order, name, value)
    order.save(update_fields=["status", *stamps])
    audit.record_changes(order, actor=actor, before=before, action=f"production.order.{action}")
    events.order_event(f"production.order.{DONE[action]}", order, actor=actor)
    return order


def _working(order: ProductionOrder) -> None:
    """Material, reports and receipts need a released order; the first of them starts it."""
    if order.status not in WORKING:
        raise Conflict(_("production order %(n)s is %(s)s: release it first, or it is already finished")
                       % {"n": order.number, "s": order.get_status_display()}, field="status", code="not_released",
                       allowed=LIFE.allowed_actions(order.status))


def _started(order: ProductionOrder, actor: Actor) -> None:
    if order.status == S.RELEASED:
        _move(order, "start", actor)


def _qty(value, field: str, product: Product, *, allow_zero: bool = False) -> Decimal:
    number = to_decimal(value, field=field)
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationFailed(_("%(field)s must be greater than 0") % {"field": field}, field=field)
    if round_qty(number, product.uom.precision) != number:
        raise ValidationFailed(_("%(field)s has more than %(n)s decimal places for unit %(unit)s")
                               % {"field": field, "n": product.uom.precision, "unit": product.uom.code}, field=field)
    return number


# -- create, release, cancel ------------------------------------------------------------------------


def create_order(*, product: Product, qty, warehouse: Warehouse, due_date: datetime.date, actor: Actor,
                 bom: Bom | None = None, source: str = "") -> ProductionOrder:
    """A draft order to make `qty` of `product` by its BOM (the given version, else the one valid on the
    due date, else the earliest), its component lines exploded (phantoms through) with scrap."""
    qty = _qty(qty, "qty", product)
    if product.tracking == Product.Tracking.SERIAL:
        raise ValidationFailed(_("%(sku)s is serial-tracked: make it with one order per serial")
                               % {"sku": product.sku}, field="sku")
    with tx.act():
        chosen = boms.bom_for(product, on=due_date, bom=bom)
        needs = boms.explode(chosen, on=due_date)
        period = clock.today().strftime("%Y%m")
        number = f"MO{period}-{numbering.next_number('production.order', period=period):04d}"
        order = ProductionOrder.objects.create(number=number, product=product, bom=chosen, warehouse=warehouse,
                                               qty=qty, due_date=due_date, source=source[:60], created_by=actor.username)
        ProductionOrderLine.objects.bulk_create([
            ProductionOrderLine(order=order, seq=i + 1, component=need.component, qty_per_unit=need.per_unit,
                                required_qty=boms.required(need, qty)) for i, need in enumerate(needs)])
        audit.record_created(order, actor=actor, fields=["number", "product", "qty", "warehouse", "due_date", "bom"])
        events.order_event("production.order.created", order, actor=actor)
        return order


def release(*, order: ProductionOrder, actor: Actor) -> ProductionOrder:
    """下达: the components are reserved under the order's number (lots first-expiring first), so they
    cannot be sold or used elsewhere; a component short in the warehouse refuses the release, naming it."""
    with tx.act():
        order = _locked(order)
        LIFE.check(order.status, "release")
        for i, line in enumerate(order.lines.select_related("component__uom").order_by("seq")):
            try:
                reservations.reserve(product=line.component, warehouse=order.warehouse, qty=line.required_qty,
                                     reference=order.number, actor=actor)
            except DomainError as error:  # not enough of it: the line is named
                error.field = f"lines[{i}].qty"
                raise
            ProductionOrderLine.objects.filter(pk=line.pk).update(reserved_qty=line.required_qty)
        return _move(order, "release", actor, released_at=actor.at)


def cancel(*, order: ProductionOrder, actor: Actor) -> ProductionOrder:
    with tx.act():
        order = _locked(order)
        LIFE.check(order.status, "cancel")
        if order.lines.filter(issued_qty__gt=0).exists() or order.reports.exists():
            raise Conflict(_("material was issued or output reported: close the order instead"), field="status",
                           code="order_in_use")
        reservations.release_reference(reference=order.number, actor=actor)
        order.lines.update(reserved_qty=ZERO)
        return _move(order, "cancel", actor)


# -- material -------------------------------------------------------------------------------------


def _issue(order: ProductionOrder, lines: list[MaterialLine], actor: Actor, date) -> list[dict]:
    taken = costing.take_out(kind=StockMove.Kind.CONSUME, counterpart=Counterpart.PRODUCTION,
                             warehouse=order.warehouse, actor=actor, reference=order.number, date=date,
                             lines=[stock.OutLine(product=ln.product, qty=ln.qty, lot=ln.lot, location=ln.location,
                                                  field=ln.field) for ln in lines])
    by_component: dict[int, tuple[Decimal, Decimal]] = {}
    out = []
    for move, layer in taken:
        value = -layer.value if layer is not None else ZERO
        qty, total = by_component.get(move.product_id, (ZERO, ZERO))
        by_component[move.product_id] = (qty + move.qty, total + value)
        out.append({"sku": move.product.sku, "qty": text(move.qty), "lot": move.lot.number if move.lot_id else None,
                    "value": text(value, places=2)})
    cost = ZERO
    for product_id, (qty, value) in by_component.items():
        value = round_money(value)
        cost += value
        updated = ProductionOrderLine.objects.filter(order=order, component_id=product_id).update(
            issued_qty=F("issued_qty") + qty, issued_value=F("issued_value") + value)
        if not updated:  # a component not on the BOM (a substitute): it joins the order's lines
            ProductionOrderLine.objects.create(
                order=order, seq=order.lines.count() + 1, component_id=product_id, qty_per_unit=ZERO,
                required_qty=ZERO, issued_qty=qty, issued_value=value)
    ProductionOrder.objects.filter(pk=order.pk).update(materials_cost=F("materials_cost") + cost)
    order.materials_cost += cost
    return out


def issue(*, order: ProductionOrder, actor: Actor, lines: list[MaterialLine] | None = None,
          date: datetime.date | None = None) -> list[dict]:
    """领料: the given components (by scan: lot and bin as scanned), or without lines what the order
    still needs of every component. Reserved stock is taken first; more than reserved is taken from the
    free stock when there is some (超领), else refused as insufficient stock naming the line."""
    with tx.act():
        order = _locked(order)
        _working(order)
        if lines is None:
            lines = [MaterialLine(product=ln.component, qty=ln.required_qty - ln.net_issued, field=f"lines[{i}]")
                     for i, ln in enumerate(order.lines.select_related("component__uom").order_by("seq"))
                     if ln.required_qty > ln.net_issued]
            if not lines:
                raise ValidationFailed(_("every component of %(n)s is issued already") % {"n": order.number},
                                       field="lines", code="nothing_to_issue")
        for line in lines:
            _qty(line.qty, f"{line.field}.qty", line.product)
        out = _issue(order, lines, actor, date)
        _started(order, actor)
        events.order_event("production.material.issued", order, actor=actor, lines=out)
        return out


def return_materials(*, order: ProductionOrder, actor: Actor, lines: list[MaterialLine],
                     date: datetime.date | None = None) -> list[dict]:
    """退料: unused components back into stock at the order's average issue cost of each (what went in
    comes out, so 4001 keeps only what was used)."""
    with tx.act():
        order = _locked(order)
        _working(order)
        current = {ln.component_id: ln for ln in order.lines.select_for_update()}
        ins, out = [], []
        for line in lines:
            _qty(line.qty, f"{line.field}.qty", line.product)
            held = current.get(line.product.pk)
            if held is None or line.qty > held.net_issued:
                raise ValidationFailed(_("%(sku)s: at most %(n)s can come back to stock")
                                       % {"sku": line.product.sku, "n": text(held.net_issued if held else ZERO)},
                                       field=f"{line.field}.qty", code="over_return")
            unit = round_unit_cost(held.issued_value / held.net_issued)
            ins.append(stock.InLine(product=line.product, qty=line.qty, unit_cost=unit,
                                    lot=line.lot.number if line.lot else None, location=line.location, field=line.field))
        received = costing.bring_in(kind=StockMove.Kind.CONSUME, counterpart=Counterpart.PRODUCTION,
                                    warehouse=order.warehouse, lines=ins, actor=actor, reference=order.number,
                                    date=date)
        back = ZERO
        for move, layer in received:
            value = round_money(layer.base_value) if layer is not None else ZERO
            back += value
            ProductionOrderLine.objects.filter(order=order, component=move.product).update(
                returned_qty=F("returned_qty") + move.qty, issued_value=F("issued_value") - value)
            out.append({"sku": move.product.sku, "qty": text(move.qty), "lot": move.lot.number if move.lot_id else None,
                        "value": text(value, places=2)})
        ProductionOrder.objects.filter(pk=order.pk).update(materials_cost=F("materials_cost") - back)
        events.order_event("production.material.returned", order, actor=actor, lines=out)
        return out


# -- output ---------------------------------------------------------------------------------------


def _post(order: ProductionOrder, rule: str, value: Decimal, actor: Actor, *, goods: str, department: str = "",
          date: datetime.date | None = None) -> None:
    if value == 0:
        return
    if value < 0:
        rule, value = f"{rule}.reverse", -value
    book(rule=rule, date=date or clock.day_of(actor.at), amounts={"value": value}, source_type=SOURCE_TYPE,
         source_id=str(order.pk), memo=f"{order.number} {goods}"[:200], actor=actor, document=order.number,
         goods=goods, dimensions={"project": order.number, "department": department})


COSTS = {"both": (True, True), "labour": (True, False), "machine": (False, True)}


def report(*, order: ProductionOrder, actor: Actor, good, scrap=0, minutes=0, work_centre: WorkCentre,
           operator: str = "", external_id: str = "", backflush: bool = True,
           date: datetime.date | None = None, costs: str = "both") -> OutputReport:
    """报工: good and scrap units and the minutes at a work centre. Minutes cost labour and overhead at the
    centre's rates (`costs="labour"`: a person's clocked minutes, labour only; `"machine"`: a machine's run
    minutes, overhead only); components not yet issued for the reported units are backflushed (issued now).
    A report with an external id (an MES's report id) is taken once."""
    with tx.act():
        if external_id:
            done = OutputReport.objects.filter(external_id=external_id[:100]).first()
            if done is not None:
                return done
        order = _locked(order)
        _working(order)
        good = _qty(good, "good", order.product, allow_zero=True)
        scrap = _qty(scrap, "scrap", order.product, allow_zero=True)
        minutes = to_decimal(minutes or 0, field="minutes")
        if minutes < 0 or minutes >= 10**8:
            raise ValidationFailed(_("minutes must be 0 or more"), field="minutes")
        if good == 0 and scrap == 0 and minutes == 0:
            raise ValidationFailed(_("report good units, scrap or minutes"), field="good", code="empty_report")
        with_labour, with_overhead = COSTS[costs]
        labour = round_money(minutes / MINUTES_PER_HOUR * work_centre.labour_rate_per_hour) if with_labour else ZERO
        overhead = (round_money(minutes / MINUTES_PER_HOUR * work_centre.overhead_rate_per_hour) if with_overhead
                    else ZERO)
        entry = OutputReport.objects.create(
            order=order, work_centre=work_centre, good=good, scrap=scrap, minutes=round_money(minutes),
            operator=(operator or actor.username)[:150], external_id=external_id[:100], labour_cost=labour,
            overhead_cost=overhead, reported_at=actor.at, reported_by=actor.username)
        ProductionOrder.objects.filter(pk=order.pk).update(
            good_qty=F("good_qty") + good, scrap_qty=F("scrap_qty") + scrap, minutes=F("minutes") + entry.minutes,
            labour_cost=F("labour_cost") + labour, overhead_cost=F("overhead_cost") + overhead)
        what = f"{work_centre.name} {text(entry.minutes)}分钟"
        _post(order, "production.labour", labour, actor, goods=f"人工 {what}", department=work_centre.code, date=date)
        _post(order, "production.overhead", overhead, actor, goods=f"制造费用 {what}", department=work_centre.code,
              date=date)
        order.refresh_from_db()
        if backflush and (good or scrap):
            _backflush(order, actor, date)
        _started(order, actor)
        events.order_event("production.output.reported", order, actor=actor, work_centre=work_centre.code,
                           good=text(good), scrap=text(scrap), minutes=text(entry.minutes), operator=entry.operator,
                           labour=text(labour, places=2), overhead=text(overhead, places=2))
        return entry


def _backflush(order: ProductionOrder, actor: Actor, date) -> None:
    """Issue what the units made so far used by the BOM and was not issued yet (倒冲)."""
    made = order.good_qty + order.scrap_qty
    lines = []
    for i, line in enumerate(order.lines.select_related("component__uom").order_by("seq")):
        used = round_qty(line.qty_per_unit * made, line.component.uom.precision)
        if used > line.net_issued:
            lines.append(MaterialLine(product=line.component, qty=used - line.net_issued, field=f"lines[{i}]"))
    if lines:
        _issue(order, lines, actor, date)


def receive(*, order: ProductionOrder, actor: Actor, qty, lot: str = "", location: Location | None = None,
            date: datetime.date | None = None) -> dict:
    """完工入库: good units into stock at the order's cost ÷ its good units (by-products first, at their
    current stock cost), with a new lot whose expiry follows the product's shelf life."""
    with tx.act():
        order = _locked(order)
        _working(order)
        qty = _qty(qty, "qty", order.product)
        open_good = order.good_qty - order.received_qty
        if qty > open_good:
            raise ValidationFailed(_("only %(n)s good units are reported and not yet received") % {"n": text(open_good)},
                                   field="qty", code="over_receipt", receivable=text(open_good))
        day = date or clock.day_of(actor.at)
        _receive_by_products(order, qty, actor, day)
        unit = round_unit_cost(order.total_cost / order.good_qty)
        product = order.product
        number = lot or (f"{order.number}" if product.tracking != Product.Tracking.NONE else "")
        line = stock.InLine(product=product, qty=qty, unit_cost=unit, lot=number or None,
                            production_date=day if product.tracking != Product.Tracking.NONE else None,
                            location=location, field="qty")
        [(move, layer)] = costing.bring_in(kind=StockMove.Kind.PRODUCE, counterpart=Counterpart.PRODUCTION,
                                           warehouse=order.warehouse, lines=[line], actor=actor,
                                           reference=order.number, date=day)
        value = round_money(layer.base_value)
        ProductionOrder.objects.filter(pk=order.pk).update(received_qty=F("received_qty") + qty,
                                                           received_cost=F("received_cost") + value)
        payload = {"sku": product.sku, "qty": text(qty), "lot": move.lot.number if move.lot_id else None,
                   "expiry": move.lot.expiry_date.isoformat() if move.lot_id and move.lot.expiry_date else None,
                   "unit_cost": text(unit), "value": text(value, places=2)}
        events.order_event("production.output.received", order, actor=actor, **payload)
        return payload


def _receive_by_products(order: ProductionOrder, qty: Decimal, actor: Actor, day) -> None:
    lines = []
    for i, by in enumerate(order.bom.by_products.select_related("product__uom")):
        amount = round_qty(by.qty * qty / order.bom.quantity, by.product.uom.precision)
        if amount > 0:
            unit = costing.valuation(product=by.product, warehouse=order.warehouse)["unit_cost"]
            lines.append(stock.InLine(product=by.product, qty=amount, unit_cost=unit,
                                      lot=order.number if by.product.tracking != Product.Tracking.NONE else None,
                                      production_date=day if by.product.tracking != Product.Tracking.NONE else None,
                                      field=f"by_products[{i}]"))
    if not lines:
        return
    done = costing.bring_in(kind=StockMove.Kind.PRODUCE, counterpart=Counterpart.PRODUCTION, warehouse=order.warehouse,
                            lines=lines, actor=actor, reference=order.number, date=day)
    value = round_money(sum((layer.base_value for _m, layer in done if layer is not None), ZERO))
    ProductionOrder.objects.filter(pk=order.pk).update(by_product_cost=F("by_product_cost") + value)
    order.by_product_cost += value


# -- finish and close -----------------------------------------------------------------------------


def finish(*, order: ProductionOrder, actor: Actor) -> ProductionOrder:
    with tx.act():
        order = _locked(order)
        return _move(order, "finish", actor, finished_at=actor.at)


def close(*, order: ProductionOrder, actor: Actor, date: datetime.date | None = None) -> ProductionOrder:
    """关闭: what the order still reserves is freed, and what is left on its 4001 balance (rounding of
    the unit cost, costs booked after the last receipt) goes to 5401 as a variance."""
    with tx.act():
        order = _locked(order)
        if order.status == S.IN_PROGRESS and order.received_qty < order.good_qty:
            raise Conflict(_("%(n)s good units are not received yet") % {"n": text(order.good_qty - order.received_qty)},
                           field="status", code="not_received")
        if Reservation.objects.filter(reference=order.number, state=Reservation.State.ACTIVE).exists():
            reservations.release_reference(reference=order.number, actor=actor)
        order.lines.update(reserved_qty=ZERO)
        residue = order.wip
        _post(order, "production.variance", residue, actor, goods="关闭生产订单差异", date=date)
        ProductionOrder.objects.filter(pk=order.pk).update(variance=F("variance") + residue)
        order.variance += residue
        if order.status == S.IN_PROGRESS:
            _move(order, "finish", actor, finished_at=actor.at)
        return _move(order, "close", actor, closed_at=actor.at)
