"""The verbs of counting: create a count task, record a count, close it, cancel it, schedule
cycle counts by ABC class.

Rules (docs: the module docstrings of `models.py` and `conf.py`):
- **Blind**: the counter enters what is there; the quantity on record is read at the moment of the
  count (so moves between task creation and the count do not show as differences) and is never
  shown while a blind task is open.
- **Recount**: a first count that differs from the record by more than the task's `recount_qty`
  units, or by more than `recount_pct` % of the record (for a bin on record as empty: the quantity
  threshold only), puts the line in `recount`. The recount must come from another person unless the
  task allows the same one (`allow_same_recounter`, for one-person warehouses); the recount is final.
- **Reservations are never broken**: a count does not touch reservations. At closing, a loss is
  posted only down to what is reserved in that bin; the rest of the loss is *held* (`held_qty`), the
  line is flagged `below_reserved`, and the reservation stays. The order side finds out when it
  picks (short pick → re-allocate or backorder); a later count of the bin posts what is still missing.
- **Posting**: differences are inventory adjustments through `sihe.costing.services.adjust`
  (gain: Dr 1405 / Cr 1901 at the current moving-average or FIFO cost; loss: Dr 1901 / Cr 1405),
  with the task number as the stock moves' reference.
- **Accuracy** (inventory record accuracy, IRA): counted lines whose final count is within
  `tolerance_pct` % of the record (0 = exactly) ÷ counted lines × 100, to 2 places.
"""

import datetime
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse, Zone
from sihe.core import audit, clock
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, InvalidTransition, ValidationFailed
from sihe.core.money import round_money, text
from sihe.core.outbox import emit
from sihe.costing import services as costing
from sihe.costing.models import ValuationLayer
from sihe.stock import services as stock
from sihe.stock.models import Lot, Quant, StockMove
from sihe.wms.counting import conf
from sihe.wms.counting.models import CountLine, CountTask
from sihe.wms.counting.transitions import COUNT

ZERO = Decimal(0)
HUNDRED = Decimal(100)


# -- creating a task ------------------------------------------------------------------------------


def _threshold(value, default: Decimal, field: str) -> Decimal:
    if value is None:
        return default
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise ValidationFailed(_("%(field)s must be 0 or more") % {"field": field}, field=field)
    return value


def _lock_task(task: CountTask) -> CountTask:
    qs = CountTask.objects.filter(pk=task.pk)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return qs.get()


def create_task(*, warehouse: Warehouse, actor: Actor, zone: Zone | None = None, bins: list[Location] | None = None,
                products: list[Product] | None = None, blind: bool = True, recount_qty: Decimal | None = None,
                recount_pct: Decimal | None = None, tolerance_pct: Decimal | None = None,
                allow_same_recounter: bool = False, abc_class: str = "", note: str = "") -> CountTask:
    """A count of one zone, some bins or some products of a warehouse; its lines are what the quants
    say is there now (the counter may also find what is not on record)."""
    with transaction.atomic():
        given = [name for name, value in (("zone", zone), ("bins", bins), ("products", products)) if value]
        if len(given) != 1:
            raise ValidationFailed(_("give exactly one of zone, bins or products"), field="zone")
        if zone is not None and zone.warehouse_id != warehouse.pk:
            raise ValidationFailed(_("zone %(zone)s is not in warehouse %(wh)s") % {"zone": zone.code, "wh": warehouse.code},
                                   field="zone")
        for i, location in enumerate(bins or []):
            if location.warehouse_id != warehouse.pk:
                raise ValidationFailed(_("location %(loc)s is not in warehouse %(wh)s")
                                       % {"loc": location.code, "wh": warehouse.code}, field=f"bins[{i}]")
        scope = CountTask.Scope.CYCLE if abc_class else CountTask.Scope(given[0])
        task = CountTask.objects.create(
            number=f"tmp-{uuid.uuid4().hex}", warehouse=warehouse, scope=scope,
            zone=zone, blind=blind, abc_class=abc_class, note=note, created_by=actor.username,
            recount_qty=_threshold(recount_qty, conf.recount_qty(), "recount_qty"),
            recount_pct=_threshold(recount_pct, conf.recount_pct(), "recount_pct"),
            tolerance_pct=_threshold(tolerance_pct, conf.tolerance_pct(), "tolerance_pct"),
            allow_same_recounter=allow_same_recounter)
        task.number = f"PD{timezone.localdate(actor.at):%Y%m%d}-{task.pk:05d}"
        CountTask.objects.filter(pk=task.pk).update(number=task.number)
        quants = Quant.objects.filter(warehouse=warehouse).filter(~Q(qty=0) | ~Q(reserved=0))
        if zone is not None:
            quants = quants.filter(location__zone=zone)
        if bins:
            task.bins.set(bins)
            quants = quants.filter(location__in=bins)
        if products:
            task.products.set(products)
            quants = quants.filter(product__in=products)
        CountLine.objects.bulk_create([
            CountLine(task=task, location_id=q.location_id, product_id=q.product_id, lot_id=q.lot_id)
            for q in quants.order_by("location__code", "product__sku", "lot__number", "id")])
        audit.record_created(task, actor=actor, fields=["number", "warehouse", "scope", "zone", "blind", "abc_class",
                                                        "recount_qty", "recount_pct", "tolerance_pct"])
        emit("wms.count.created", aggregate_type="wms.count", aggregate_id=task.number, actor=actor,
             payload={"number": task.number, "warehouse": warehouse.code, "scope": task.scope,
                      "abc_class": abc_class, "blind": blind, "lines": task.lines.count()})
        return task


# -- counting -------------------------------------------------------------------------------------


def needs_recount(task: CountTask, *, counted: Decimal, expected: Decimal) -> bool:
    difference = abs(counted - expected)
    if difference > task.recount_qty:
        return True
    return expected > 0 and difference * HUNDRED > task.recount_pct * expected


def _in_scope(task: CountTask, location: Location, product: Product) -> bool:
    if task.scope == CountTask.Scope.ZONE:
        return location.zone_id == task.zone_id
    if task.scope == CountTask.Scope.BINS:
        return task.bins.filter(pk=location.pk).exists()
    return task.products.filter(pk=product.pk).exists()


def _check_qty(product: Product, qty: Decimal) -> Decimal:
    if not qty.is_finite() or qty < 0:
        raise ValidationFailed(_("quantity must be 0 or more"), field="qty")
    if qty >= Decimal("1e13"):
        raise ValidationFailed(_("quantity is too large"), field="qty")
    precision = product.uom.precision
    if qty != qty.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP):
        raise ValidationFailed(_("%(sku)s is counted in %(uom)s with %(n)s decimals")
                               % {"sku": product.sku, "uom": product.uom.code, "n": precision}, field="qty")
    return qty


def record_count(*, task: CountTask, location: Location, product: Product, qty: Decimal, actor: Actor,
                 lot: Lot | None = None) -> CountLine:
    """The counter's entry for one (bin, product, lot): the first count, or the recount of a line
    whose first count differed too much."""
    with transaction.atomic():
        task = _lock_task(task)
        if "count" not in COUNT.allowed_actions(task.state):
            raise InvalidTransition(_("count %(number)s is %(state)s: nothing more can be counted")
                                    % {"number": task.number, "state": task.get_state_display()}, field="task")
        qty = _check_qty(product, Decimal(qty))
        if location.warehouse_id != task.warehouse_id:
            raise ValidationFailed(_("location %(loc)s is not in warehouse %(wh)s")
                                   % {"loc": location.code, "wh": task.warehouse.code}, field="location")
        if not _in_scope(task, location, product):
            field = "sku" if task.scope in (CountTask.Scope.PRODUCTS, CountTask.Scope.CYCLE) else "location"
            raise ValidationFailed(_("%(loc)s / %(sku)s is not part of count %(number)s")
                                   % {"loc": location.code, "sku": product.sku, "number": task.number}, field=field)
        if product.tracking != Product.Tracking.NONE and lot is None:
            raise ValidationFailed(_("%(sku)s is tracked by lot: scan or enter the lot") % {"sku": product.sku},
                                   field="lot")
        if product.tracking == Product.Tracking.NONE and lot is not None:
            raise ValidationFailed(_("%(sku)s is not tracked by lot") % {"sku": product.sku}, field="lot")
        if lot is not None and lot.product_id != product.pk:
            raise ValidationFailed(_("lot %(lot)s is not a lot of %(sku)s") % {"lot": lot.number, "sku": product.sku},
                                   field="lot")
        line = CountLine.objects.filter(task=task, location=location, product=product, lot=lot).first()
        if line is None:
            line = CountLine.objects.create(task=task, location=location, product=product, lot=lot, unexpected=True)
        now = clock.now()
        if line.state == CountLine.State.PENDING:
            quant = Quant.objects.filter(product=product, location=location, lot=lot).first()
            expected = quant.qty if quant else ZERO
            recount = needs_recount(task, counted=qty, expected=expected)
            values = {"expected_qty": expected, "reserved_qty": quant.reserved if quant else ZERO, "first_qty": qty,
                      "first_by": actor.username, "first_at": now,
                      "state": CountLine.State.RECOUNT if recount else CountLine.State.COUNTED,
                      "final_qty": None if recount else qty, "difference": None if recount else qty - expected}
        elif line.state == CountLine.State.RECOUNT:
            if line.first_by == actor.username and not task.allow_same_recounter:
                raise Conflict(_("the recount of %(loc)s / %(sku)s must be done by someone other than %(user)s")
                               % {"loc": location.code, "sku": product.sku, "user": actor.username},
                               field="qty", code="recount_by_another_person")
            values = {"recount_qty": qty, "recount_by": actor.username, "recount_at": now,
                      "state": CountLine.State.COUNTED, "final_qty": qty, "difference": qty - line.expected_qty}
        else:
            raise Conflict(_("%(loc)s / %(sku)s is already counted in %(number)s")
                           % {"loc": location.code, "sku": product.sku, "number": task.number},
                           field="location", code="already_counted")
        before = audit.snapshot(line, values)
        if CountLine.objects.filter(pk=line.pk, state=line.state).update(**values) != 1:
            raise Conflict(_("this line was counted meanwhile; scan it again"), field="location", code="counted_meanwhile")
        for name, value in values.items():
            setattr(line, name, value)
        audit.record_changes(line, actor=actor, before=before, action="count")
        return line


# -- closing --------------------------------------------------------------------------------------


def _matches(task: CountTask, line: CountLine) -> bool:
    difference = abs(line.final_qty - line.expected_qty)
    return difference * HUNDRED <= task.tolerance_pct * line.expected_qty if line.expected_qty > 0 else difference == 0


def close_task(*, task: CountTask, actor: Actor, skip_uncounted: bool = False,
               date: datetime.date | None = None) -> CountTask:
    """Post the differences as inventory adjustments with their vouchers, hold what is reserved, and
    compute the inventory record accuracy."""
    with transaction.atomic():
        task = _lock_task(task)
        if "close" not in COUNT.allowed_actions(task.state):
            raise InvalidTransition(_("count %(number)s is %(state)s") % {"number": task.number,
                                                                           "state": task.get_state_display()},
                                    field="task")
        lines = list(task.lines.select_related("product", "product__uom", "location", "lot").order_by("id"))
        recount = [ln for ln in lines if ln.state == CountLine.State.RECOUNT]
        if recount:
            raise Conflict(_("%(n)s line(s) wait for a recount, first %(loc)s / %(sku)s")
                           % {"n": len(recount), "loc": recount[0].location.code, "sku": recount[0].product.sku},
                           field="lines", code="recount_pending", lines=len(recount))
        pending = [ln for ln in lines if ln.state == CountLine.State.PENDING]
        if pending and not skip_uncounted:
            raise Conflict(_("%(n)s line(s) are not counted yet, first %(loc)s / %(sku)s")
                           % {"n": len(pending), "loc": pending[0].location.code, "sku": pending[0].product.sku},
                           field="lines", code="uncounted_lines", lines=len(pending))
        counted = [ln for ln in lines if ln.state == CountLine.State.COUNTED]
        gains, losses, planned = [], [], {}
        for i, line in enumerate(counted):
            line.matched = _matches(task, line)
            line.posted_qty, line.held_qty, line.below_reserved = ZERO, ZERO, False
            if line.difference > 0:
                gains.append(stock.InLine(product=line.product, qty=line.difference, unit_cost=None,
                                          lot=line.lot.number if line.lot_id else None,
                                          expiry=line.lot.expiry_date if line.lot_id else None,
                                          location=line.location, field=f"lines[{i}]"))
                planned[("in", line.product_id, line.location_id, line.lot_id)] = line
                line.posted_qty = line.difference
            elif line.difference < 0:
                loss = -line.difference
                quant = Quant.objects.filter(product=line.product, location=line.location, lot=line.lot).first()
                free = max(ZERO, quant.qty - quant.reserved) if quant else ZERO
                postable = min(loss, free)
                if postable < loss:
                    line.held_qty, line.below_reserved = loss - postable, True
                if postable > 0:
                    losses.append(stock.OutLine(product=line.product, qty=postable, lot=line.lot,
                                                location=line.location, field=f"lines[{i}]"))
                    planned[("out", line.product_id, line.location_id, line.lot_id)] = line
                    line.posted_qty = -postable
        results = costing.adjust(warehouse=task.warehouse, gains=gains, losses=losses, actor=actor,
                                 reference=task.number, date=date) if (gains or losses) else []
        values: dict[int, Decimal] = defaultdict(Decimal)
        for move, layer in results:
            direction = "in" if move.dst_location_id else "out"
            line = planned[(direction, move.product_id, move.dst_location_id or move.src_location_id, move.lot_id)]
            values[line.pk] += layer.base_value if direction == "in" else layer.value
        gain_value = loss_value = ZERO
        for line in counted:
            line.value = round_money(values.get(line.pk, ZERO))
            gain_value += max(line.value, ZERO)
            loss_value += max(-line.value, ZERO)
            line.state = CountLine.State.DONE
        CountLine.objects.bulk_update(counted, ["matched", "posted_qty", "held_qty", "below_reserved", "value", "state"])
        matched = sum(1 for ln in counted if ln.matched)
        before = audit.snapshot(task, ["state", "accuracy", "lines_counted", "lines_matched", "gain_value", "loss_value"])
        task.state, task.closed_at, task.closed_by = COUNT.target("close"), clock.now(), actor.username
        task.lines_counted, task.lines_matched = len(counted), matched
        task.accuracy = accuracy(matched, len(counted))
        gain_value, loss_value = round_money(gain_value), round_money(loss_value)
        task.gain_value, task.loss_value = gain_value, loss_value
        task.save(update_fields=["state", "closed_at", "closed_by", "lines_counted", "lines_matched", "accuracy",
                                 "gain_value", "loss_value"])
        audit.record_changes(task, actor=actor, before=before, action="close")
        emit("wms.count.closed", aggregate_type="wms.count", aggregate_id=task.number, actor=actor, payload={
            "number": task.number, "warehouse": task.warehouse.code,
            "accuracy": None if task.accuracy is None else format(task.accuracy, "f"),
            "lines_counted": task.lines_counted, "lines_matched": matched,
            "gain_value": format(gain_value, "f"), "loss_value": format(loss_value, "f"),
            "moves": [m.pk for m, _layer in results],
            "below_reserved": [{"location": ln.location.code, "sku": ln.product.sku,
                                "lot": ln.lot.number if ln.lot_id else None, "held": text(ln.held_qty)}
                               for ln in counted if ln.below_reserved]})
        return task


def accuracy(matched: int, counted: int) -> Decimal | None:
    if counted == 0:
        return None
    return (Decimal(matched) * HUNDRED / Decimal(counted)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cancel_task(*, task: CountTask, actor: Actor) -> CountTask:
    with transaction.atomic():
        task = _lock_task(task)
        if "cancel" not in COUNT.allowed_actions(task.state):
            raise InvalidTransition(_("count %(number)s is %(state)s") % {"number": task.number,
                                                                           "state": task.get_state_display()},
                                    field="task")
        before = audit.snapshot(task, ["state"])
        task.state, task.closed_at, task.closed_by = COUNT.target("cancel"), clock.now(), actor.username
        task.save(update_fields=["state", "closed_at", "closed_by"])
        audit.record_changes(task, actor=actor, before=before, action="cancel")
        return task


# -- ABC cycle counts -----------------------------------------------------------------------------


def abc_classes(*, warehouse: Warehouse, today: datetime.date) -> dict[int, str]:
    """ABC class per product with stock or consumption in the warehouse, by consumption value (cost of
    issues and production consumption) over the 365 days up to `today`: ranked by value, the products
    making the first 80 % of the total are A, the next 15 % B, the rest (and products not consumed) C."""
    start = today - datetime.timedelta(days=365)
    consumed = dict(
        ValuationLayer.objects.filter(warehouse=warehouse, kind=ValuationLayer.Kind.OUT, date__gt=start,
                                      date__lte=today, move__kind__in=[StockMove.Kind.ISSUE, StockMove.Kind.CONSUME])
        .values("product_id").annotate(v=Sum("value")).values_list("product_id", "v"))
    consumed = {pk: -round_money(Decimal(v or 0)) for pk, v in consumed.items()}
    stocked = set(Quant.objects.filter(warehouse=warehouse, qty__gt=0).values_list("product_id", flat=True))
    total = sum((v for v in consumed.values() if v > 0), ZERO)
    classes: dict[int, str] = {pk: "C" for pk in stocked | set(consumed)}
    running = ZERO
    for pk, value in sorted(consumed.items(), key=lambda kv: (-kv[1], kv[0])):
        if value <= 0 or total == 0:
            continue
        share_before = running / total
        classes[pk] = "A" if share_before < conf.ABC_SHARES["A"] else ("B" if share_before < conf.ABC_SHARES["B"] else "C")
        running += value
    return classes


def last_counted(*, warehouse: Warehouse) -> dict[int, datetime.date]:
    """The local date of each product's last closed count in the warehouse."""
    rows = (CountLine.objects.filter(task__warehouse=warehouse, task__state=CountTask.State.CLOSED,
                                     state=CountLine.State.DONE)
            .values("product_id").annotate(last=Max("task__closed_at")).values_list("product_id", "last"))
    return {pk: timezone.localdate(last) for pk, last in rows}


def due_for_cycle_count(*, warehouse: Warehouse, today: datetime.date) -> dict[str, list[int]]:
    """Products with stock whose class interval (A 30, B 91, C 365 days) has passed since their last
    closed count (or never counted), and not already in an open task — per class."""
    classes = abc_classes(warehouse=warehouse, today=today)
    stocked = set(Quant.objects.filter(warehouse=warehouse, qty__gt=0).values_list("product_id", flat=True))
    last = last_counted(warehouse=warehouse)
    busy = set(CountTask.products.through.objects.filter(
        counttask__warehouse=warehouse, counttask__state=CountTask.State.OPEN).values_list("product_id", flat=True))
    due: dict[str, list[int]] = {"A": [], "B": [], "C": []}
    for pk in sorted(stocked - busy):
        cls = classes.get(pk, "C")
        seen = last.get(pk)
        if seen is None or (today - seen).days >= conf.ABC_INTERVAL_DAYS[cls]:
            due[cls].append(pk)
    return due


def schedule_cycle_counts(*, warehouse: Warehouse, actor: Actor, today: datetime.date | None = None,
                          blind: bool = True) -> list[CountTask]:
    """One cycle-count task per ABC class with products due (A monthly, B quarterly, C yearly)."""
    with transaction.atomic():
        today = today or timezone.localdate(actor.at)
        tasks = []
        for cls, product_ids in due_for_cycle_count(warehouse=warehouse, today=today).items():
            if product_ids:
                products = list(Product.objects.filter(pk__in=product_ids).order_by("sku"))
                tasks.append(create_task(warehouse=warehouse, products=products, abc_class=cls, blind=blind,
                                         actor=actor, note=_("cycle count, class %(cls)s") % {"cls": cls}))
        return tasks
