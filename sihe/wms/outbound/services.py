"""The verbs of outbound work: release a wave, scan to pick, report a short pick, check, pack, ship.

Each act runs in one transaction and leaves the shipment's own acts to `sihe.wms.shipping`
(`start_picking`, `record_pick`, `report_short`, `mark_picked`, `mark_packed`, `ship`), which
hold the reservation, the stock issue at cost and the COGS voucher. This module decides *which*
bin, lot and quantity a scan may take, and refuses the rest with a reason a picker can act on.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import audit, outbox
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from sihe.core.money import to_decimal
from sihe.stock.models import Lot, Quant
from sihe.wms import parcels as packing
from sihe.wms import shipping
from sihe.wms.models import Shipment, ShipmentLine, ShipmentPick
from sihe.wms.outbound.layout import best_route, layout_dict, layout_for, pick_for
from sihe.wms.outbound.models import CheckScan, Parcel, PickList, PickTask, Wave, WaveShipment
from sihe.wms.outbound.scanning import ItemScan, parse_item
from sihe.wms.outbound.transitions import PICKLIST, WAVE, WAVE_ACT
from sihe.wms.routing import in_order_length

S = Shipment.State
DEFAULT_MAX_WEIGHT = Decimal("20")  # kg per parcel: what Chinese express carriers take at the base rate


def q(value: Decimal) -> str:
    return format(value.normalize() + 0, "f")


def _today(actor: Actor) -> datetime.date:
    return timezone.localdate(actor.at)


# -- waves ----------------------------------------------------------------------------------------


@dataclass
class _Task:
    shipment: Shipment
    line: ShipmentLine
    location: Location
    lot: Lot | None
    qty: Decimal
    tote: int

    @property
    def volume(self) -> Decimal:
        return self.qty * (self.line.product.volume or Decimal(0))


def _candidates(warehouse: Warehouse, carrier: str, numbers: list[str] | None, limit: int) -> list[Shipment]:
    qs = Shipment.objects.select_for_update().filter(warehouse=warehouse)
    if numbers is not None:
        found = {s.number: s for s in qs.filter(number__in=numbers).order_by("pk")}
        chosen = []
        for i, number in enumerate(numbers):
            shipment = found.get(number)
            if shipment is None:
                raise ValidationFailed(_("no shipment %(number)s in warehouse %(wh)s")
                                       % {"number": number, "wh": warehouse.code}, field=f"shipments[{i}]",
                                       code="unknown_shipment")
            if shipment.state != S.PENDING:
                raise Conflict(_("shipment %(number)s is %(state)s, not waiting to pick")
                               % {"number": number, "state": shipment.get_state_display()},
                               field=f"shipments[{i}]", code="not_pending")
            if WaveShipment.objects.filter(shipment=shipment).exists():
                raise Conflict(_("shipment %(number)s is already in a wave") % {"number": number},
                               field=f"shipments[{i}]", code="already_waved")
            if shipment not in chosen:
                chosen.append(shipment)
        return chosen
    qs = qs.filter(state=S.PENDING).exclude(pk__in=WaveShipment.objects.values("shipment_id"))
    if carrier:
        qs = qs.filter(Q(carrier=carrier) | Q(carrier=""))
    pending = list(qs.order_by("pk")[:5000])
    if not pending:
        return []
    # one carrier cut-off per wave: the earliest one still waiting (no cut-off: after all the others)
    cutoffs = [s.cutoff_at for s in pending if s.cutoff_at is not None]
    first = min(cutoffs) if cutoffs else None
    group = [s for s in pending if s.cutoff_at == first]
    group.sort(key=lambda s: (s.created_at, s.pk))
    return group[:limit]


def _tasks_of(shipments: list[Shipment]) -> list[_Task]:
    """The open reservation lines of every shipment line: bin, lot, quantity (three queries in all)."""
    from sihe.stock.models import ReservationLine

    lines = list(ShipmentLine.objects.filter(shipment__in=shipments).select_related("product").order_by("pk"))
    open_lines: dict[int, list] = {}
    for res_line in (ReservationLine.objects.filter(reservation_id__in=[ln.reservation_id for ln in lines
                                                                         if ln.reservation_id], open_qty__gt=0)
                     .select_related("quant__location", "quant__lot").order_by("pk")):
        open_lines.setdefault(res_line.reservation_id, []).append(res_line)
    by_pk = {s.pk: (tote, s) for tote, s in enumerate(shipments, start=1)}
    tasks = []
    for line in lines:
        tote, shipment = by_pk[line.shipment_id]
        held = open_lines.get(line.reservation_id, []) if line.reservation_id else []
        reserved = sum((r.open_qty for r in held), Decimal(0))
        if reserved < line.qty - line.picked_qty:
            raise Conflict(_("shipment %(number)s: %(sku)s has %(reserved)s of %(qty)s reserved; re-allocate it first")
                           % {"number": shipment.number, "sku": line.product.sku, "reserved": q(reserved),
                              "qty": q(line.qty)}, field="shipments", code="not_reserved")
        tasks += [_Task(shipment, line, r.quant.location, r.quant.lot, r.open_qty, tote) for r in held]
    tasks.sort(key=lambda t: (t.tote, t.line.pk))
    return tasks


def _batches(tasks: list[_Task], *, max_lines: int, max_volume: Decimal | None, by_zone: bool):
    """Carts per zone, filled in shipment order; a shipment stays on one cart unless it alone overflows."""
    zones: dict = {}
    for task in tasks:
        zones.setdefault(task.location.zone_id if by_zone else None, []).append(task)
    carts: list[tuple[int | None, list[_Task]]] = []
    for zone_id, zone_tasks in zones.items():
        by_shipment: dict[int, list[_Task]] = {}
        for task in zone_tasks:
            by_shipment.setdefault(task.shipment.pk, []).append(task)
        cart: list[_Task] = []
        for group in by_shipment.values():
            volume = sum((t.volume for t in group), Decimal(0))
            cart_volume = sum((t.volume for t in cart), Decimal(0))
            fits = len(cart) + len(group) <= max_lines and (max_volume is None or cart_volume + volume <= max_volume)
            if cart and not fits:
                carts.append((zone_id, cart))
                cart = []
            for task in group:
                if cart and (len(cart) + 1 > max_lines or (
                        max_volume is not None and sum((t.volume for t in cart), Decimal(0)) + task.volume > max_volume)):
                    carts.append((zone_id, cart))
                    cart = []
                cart.append(task)
        if cart:
            carts.append((zone_id, cart))
    return carts


def create_wave(*, warehouse: Warehouse, actor: Actor, shipments: list[str] | None = None, max_lines: int = 20,
                max_volume: Decimal | None = None, carrier: str = "", by_zone: bool = True,
                max_shipments: int = 200, pickers: list[str] | None = None) -> Wave:
    """Release pending shipments of one warehouse as a wave: totes, carts (pick lists) per zone and
    cart capacity, each with its stops in the order of the shortest route."""
    if max_lines < 1:
        raise ValidationFailed(_("cart capacity must be at least 1 line"), field="max_lines")
    if max_volume is not None and max_volume <= 0:
        raise ValidationFailed(_("cart volume must be more than 0"), field="max_volume")
    carrier = (carrier or "").strip()
    pickers = [p.strip()[:150] for p in (pickers or []) if p and p.strip()]
    with transaction.atomic():
        chosen = _candidates(warehouse, carrier, shipments, max_shipments)
        if not chosen:
            raise ValidationFailed(_("no shipments waiting to pick in warehouse %(wh)s") % {"wh": warehouse.code},
                                   field="shipments" if shipments is not None else "warehouse", code="nothing_to_pick")
        tasks = _tasks_of(chosen)
        cutoffs = [s.cutoff_at for s in chosen if s.cutoff_at]
        wave = Wave.objects.create(number=f"tmp-{uuid.uuid4().hex}", warehouse=warehouse, carrier=carrier,
                                   cutoff_at=min(cutoffs) if cutoffs else None, max_lines=max_lines,
                                   max_volume=max_volume, by_zone=by_zone, created_by=actor.username)
        wave.number = f"WV{timezone.localdate(actor.at):%Y%m%d}-{wave.pk:05d}"
        wave.save(update_fields=["number"])
        WaveShipment.objects.bulk_create([WaveShipment(wave=wave, shipment=s, tote=t)
                                          for t, s in enumerate(chosen, start=1)])
        layout = layout_for(warehouse)
        summary = []
        for k, (zone_id, cart) in enumerate(_batches(tasks, max_lines=max_lines, max_volume=max_volume,
                                                     by_zone=by_zone), start=1):
            route = best_route(layout, [t.location for t in cart])
            naive = in_order_length(layout, list({t.location.code: pick_for(t.location) for t in cart}.values()))
            order = {pick.ref: i for i, pick in enumerate(route.stops)}
            cart.sort(key=lambda t: (order[t.location.code], t.tote, t.line.product.sku, t.lot.number if t.lot else ""))
            picklist = PickList.objects.create(
                wave=wave, number=f"{wave.number}-{k:02d}", zone_id=zone_id, method=route.method, length=route.length,
                naive_length=naive,
                picker=pickers[(k - 1) % len(pickers)] if pickers else "",
                layout=layout_dict(layout), path=[[str(x), str(y)] for x, y in route.path])
            PickTask.objects.bulk_create([
                PickTask(picklist=picklist, sequence=i, shipment=t.shipment, line=t.line, product=t.line.product,
                         location=t.location, lot=t.lot, qty=t.qty, tote=t.tote) for i, t in enumerate(cart, start=1)])
            summary.append({"number": picklist.number, "stops": len(cart), "length": str(route.length),
                            "picker": picklist.picker})
        for shipment in chosen:
            shipping.start_picking(shipment=shipment, actor=actor)
        audit.record_act(wave, actor=actor, action="wms.wave.release",
                         detail=_("%(shipments)s shipments, %(lists)s pick lists in %(warehouse)s")
                         % {"shipments": len(chosen), "lists": len(summary), "warehouse": warehouse.code})
        outbox.emit("wms.wave.released", aggregate_type="wave", aggregate_id=wave.number, actor=actor,
                    payload={"number": wave.number, "warehouse": warehouse.code, "carrier": carrier,
                             "shipments": [s.number for s in chosen], "picklists": summary})
        return wave


def assign_picker(*, picklist: PickList, picker: str, actor: Actor) -> PickList:
    with transaction.atomic():
        picklist = PickList.objects.select_for_update().get(pk=picklist.pk)
        picker = (picker or "").strip()[:150]
        if picker and not get_user_model().objects.filter(username=picker, is_active=True).exists():
            raise ValidationFailed(_("no active login %(name)s to assign the list to") % {"name": picker},
                                   field="picker", code="unknown_picker")
        before = {"picker": picklist.picker}
        picklist.picker = picker
        picklist.save(update_fields=["picker"])
        audit.record_changes(picklist, actor=actor, before=before, action="wms.picklist.assign")
        return picklist


# -- scan to pick ---------------------------------------------------------------------------------


@dataclass
class ScanResult:
    kind: str  # "bin" | "pick"
    message: str
    picklist: PickList
    task: PickTask | None = None
    qty: Decimal | None = None
    finished: list[str] = field(default_factory=list)  # shipments that became fully picked


def _describe(task: PickTask) -> str:
    lot = f" {_('lot')} {task.lot.number}" if task.lot_id else ""
    return f"{task.product.sku}{lot} × {q(task.open_qty)} → {_('tote')} {task.tote}"


def _open_tasks(picklist: PickList):
    return (PickTask.objects.filter(picklist=picklist, state=PickTask.State.OPEN).exclude(shipment__state=S.CANCELLED)
            .select_related("product", "location", "lot", "shipment", "line").order_by("sequence", "pk"))


def next_task(picklist: PickList) -> PickTask | None:
    return _open_tasks(picklist).first()


def _older(a: Lot, b: Lot) -> bool:
    """Is lot `a` to go before lot `b` (FEFO: earlier expiry; FIFO: earlier receipt)?"""
    if a.expiry_date and b.expiry_date and a.expiry_date != b.expiry_date:
        return a.expiry_date < b.expiry_date
    return (a.receipt_date, a.number) < (b.receipt_date, b.number)


def _refuse_lot(scanned: Lot, expected: PickTask, shipment: Shipment, *, today: datetime.date) -> None:
    right = {"lot": expected.lot.number if expected.lot_id else expected.product.sku, "bin": expected.location.code,
             "got": scanned.number}
    if expected.lot_id is not None and _older(expected.lot, scanned):
        raise ValidationFailed(
            _("lot %(got)s is younger than lot %(lot)s, which must go first: pick %(lot)s (%(bin)s)") % right,
            field="barcode", code="younger_lot", expected_lot=right["lot"], expected_location=right["bin"])
    raise ValidationFailed(
        _("lot %(got)s is not the lot reserved for this order: pick %(lot)s (%(bin)s)") % right,
        field="barcode", code="wrong_lot", expected_lot=right["lot"], expected_location=right["bin"])


def _check_shelf_life(lot: Lot, shipment: Shipment, expected: PickTask | None, *, today: datetime.date) -> None:
    if lot.expiry_date is None:
        return
    days = shipment.min_shelf_life_days or 0
    left = (lot.expiry_date - today).days
    if left < 0 or left < days:
        right = ""
        if expected is not None and expected.lot_id and expected.lot_id != lot.pk:
            right = _("; pick %(lot)s (%(bin)s)") % {"lot": expected.lot.number, "bin": expected.location.code}
        raise ValidationFailed(
            _("lot %(lot)s expires %(expiry)s: %(left)s days left, the customer needs at least %(days)s%(right)s")
            % {"lot": lot.number, "expiry": lot.expiry_date.isoformat(), "left": left, "days": days, "right": right},
            field="barcode", code="short_shelf_life", expected_lot=expected.lot.number if expected and expected.lot_id
            else None, expected_location=expected.location.code if expected else None)


def _scan_qty(qty, item: ItemScan, task: PickTask) -> Decimal:
    value = to_decimal(qty, field="qty") if qty not in (None, "") else (item.qty or Decimal(1))
    if value <= 0:
        raise ValidationFailed(_("quantity must be more than 0"), field="qty")
    if abs(value) >= Decimal("1e12"):
        raise ValidationFailed(_("quantity is too large"), field="qty")
    if value > task.open_qty:
        raise ValidationFailed(
            _("over-pick: %(qty)s scanned, only %(open)s of %(sku)s still to pick at %(bin)s")
            % {"qty": q(value), "open": q(task.open_qty), "sku": task.product.sku, "bin": task.location.code},
            field="qty", code="over_pick", open=q(task.open_qty))
    return value


def _lot_of(item: ItemScan, tasks: list[PickTask], location: Location | None) -> Lot | None:
    product = item.product
    if product.tracking == Product.Tracking.NONE:
        return None
    if item.lot:
        lot = Lot.objects.filter(product=product, number=item.lot).first()
        if lot is None:
            raise ValidationFailed(_("%(sku)s has no lot %(lot)s in stock") % {"sku": product.sku, "lot": item.lot},
                                   field="barcode", code="unknown_lot")
        return lot
    # a bare GTIN identifies the lot only if the bin holds a single lot of the product
    if location is not None:
        held = list(Quant.objects.filter(product=product, location=location, qty__gt=0)
                    .values_list("lot_id", flat=True).distinct())
        if len(held) == 1 and held[0] is not None and all(t.lot_id == held[0] for t in tasks):
            return Lot.objects.get(pk=held[0])
    raise ValidationFailed(_("%(sku)s is tracked by lot: scan the lot barcode (GS1 with AI 10)")
                           % {"sku": product.sku}, field="barcode", code="lot_required")


def _settle(picklist: PickList, shipment_ids: set[int], actor: Actor) -> list[str]:
    """Shipments whose every line is picked become picked; a list with no open stop is done."""
    finished = []
    for shipment in Shipment.objects.filter(pk__in=shipment_ids, state=S.PICKING).order_by("pk"):
        if PickTask.objects.filter(shipment=shipment, state=PickTask.State.OPEN).exists():
            continue
        lines = list(shipment.lines.all())
        if lines and all(line.picked_qty >= line.qty for line in lines):
            shipping.mark_picked(shipment=shipment, actor=actor)
            finished.append(shipment.number)
    if not _open_tasks(picklist).exists():
        picklist.state = PICKLIST.check(picklist.state, "finish")
        picklist.finished_at = actor.at
        picklist.save(update_fields=["state", "finished_at"])
    settle_wave(picklist.wave, actor)
    return finished


def settle_wave(wave: Wave, actor: Actor) -> None:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    states = set(wave.picklists.order_by().values_list("state", flat=True).distinct())
    shipment_states = set(Shipment.objects.filter(wave_entry__wave=wave).order_by().values_list("state", flat=True)
                          .distinct())
    target = wave.state
    if shipment_states and shipment_states <= {S.SHIPPED, S.CANCELLED}:
        target = Wave.State.DONE
    elif states and states <= {PickList.State.DONE, PickList.State.CANCELLED}:
        target = Wave.State.PICKED
    elif states & {PickList.State.PICKING, PickList.State.DONE}:
        target = Wave.State.PICKING
    if target != wave.state:
        before = {"state": wave.state}
        wave.state = WAVE.check(wave.state, WAVE_ACT[target])
        wave.save(update_fields=["state"])
        audit.record_changes(wave, actor=actor, before=before, action=f"wms.wave.{target}")


def _lock_picklist(picklist: PickList) -> PickList:
    picklist = PickList.objects.select_for_update().select_related("wave__warehouse").get(pk=picklist.pk)
    if not PICKLIST.allowed_actions(picklist.state):  # done or cancelled: nothing more happens to it
        raise InvalidTransition(_("pick list %(number)s is %(state)s") % {"number": picklist.number,
                                                                        "state": picklist.get_state_display()},
                                field="picklist", code="picklist_closed")
    return picklist


def _drop_cancelled(picklist: PickList, actor: Actor) -> int:
    """Stops of shipments closed since the wave was released (an order withdrawn, or shipped from the
    service page) are closed, so the picker goes on with the rest of the list."""
    dropped = PickTask.objects.filter(picklist=picklist, state=PickTask.State.OPEN,
                                      shipment__state__in=(S.CANCELLED, S.SHIPPED)).update(state=PickTask.State.CANCELLED)
    if dropped:
        audit.record_act(picklist, actor=actor, action="wms.picklist.drop_cancelled", detail=_("%(n)s stops") % {"n": dropped})
    return dropped


def scan_pick(*, picklist: PickList, barcode: str, actor: Actor, qty=None) -> ScanResult:
    """One scan on the handheld: a bin (go there), then the item or lot taken from it."""
    code = (barcode or "").strip()
    if not code:
        raise ValidationFailed(_("scan a barcode"), field="barcode", code="empty_scan")
    with transaction.atomic():
        picklist = _lock_picklist(picklist)
        if _drop_cancelled(picklist, actor):
            _settle(picklist, set(), actor)
            if picklist.state == PickList.State.DONE:
                raise InvalidTransition(_("pick list %(number)s is done: its other orders were cancelled")
                                        % {"number": picklist.number}, field="picklist", code="picklist_closed")
        warehouse = picklist.wave.warehouse
        open_tasks = list(_open_tasks(picklist))
        location = Location.objects.filter(warehouse=warehouse, code=code).first() if len(code) <= 40 else None
        if location is not None:
            here = [t for t in open_tasks if t.location_id == location.pk]
            if not here:
                nxt = open_tasks[0] if open_tasks else None
                raise ValidationFailed(
                    _("wrong bin: nothing to pick from %(bin)s on this list; go to %(next)s")
                    % {"bin": location.code, "next": nxt.location.code if nxt else "—"},
                    field="barcode", code="wrong_bin", expected_location=nxt.location.code if nxt else None)
            picklist.current_location = location
            fields = ["current_location"]
            if "start" in PICKLIST.allowed_actions(picklist.state):
                picklist.state, picklist.started_at = PICKLIST.check(picklist.state, "start"), actor.at
                fields += ["state", "started_at"]
                if not picklist.picker:
                    picklist.picker = actor.username
                    fields.append("picker")
            picklist.save(update_fields=fields)
            settle_wave(picklist.wave, actor)
            return ScanResult("bin", _("bin %(bin)s: %(what)s") % {"bin": location.code, "what": _describe(here[0])},
                              picklist, task=here[0])
        item = parse_item(code)
        if picklist.current_location_id is None:
            raise ValidationFailed(_("scan the bin first"), field="barcode", code="scan_bin_first")
        current = picklist.current_location
        here = [t for t in open_tasks if t.location_id == current.pk and t.product_id == item.product.pk]
        elsewhere = [t for t in open_tasks if t.product_id == item.product.pk and t.location_id != current.pk]
        if not here and not elsewhere:
            raise ValidationFailed(
                _("wrong item: %(sku)s is not on this pick list") % {"sku": item.product.sku},
                field="barcode", code="wrong_item")
        candidates = here or elsewhere
        lot = _lot_of(item, candidates, current)
        today = _today(actor)
        if lot is not None:
            expected = next((t for t in candidates if t.lot_id == lot.pk), None) or candidates[0]
            _check_shelf_life(lot, expected.shipment, expected, today=today)
        task = next((t for t in here if lot is None or t.lot_id == lot.pk), None)
        if task is None:
            expected = candidates[0]
            if lot is not None and expected.lot_id and expected.lot_id != lot.pk:
                _refuse_lot(lot, expected, expected.shipment, today=today)
            raise ValidationFailed(
                _("wrong bin: %(sku)s is picked from %(bin)s, not %(here)s")
                % {"sku": item.product.sku, "bin": expected.location.code, "here": current.code},
                field="barcode", code="wrong_bin", expected_location=expected.location.code)
        amount = _scan_qty(qty, item, task)
        if task.line_id is None:
            raise Conflict(_("the order line of this stop was withdrawn"), field="barcode", code="line_withdrawn")
        shipping.record_pick(line=task.line, location=task.location, lot=task.lot, qty=amount, actor=actor)
        task.picked_qty += amount
        if task.open_qty <= 0:
            task.state = PickTask.State.DONE
        task.save(update_fields=["picked_qty", "state"])
        finished = _settle(picklist, {task.shipment_id}, actor)
        message = _("picked %(qty)s × %(sku)s%(lot)s → tote %(tote)s") % {
            "qty": q(amount), "sku": task.product.sku, "lot": f" ({lot.number})" if lot else "", "tote": task.tote}
        return ScanResult("pick", message, picklist, task=task, qty=amount, finished=finished)


def short_pick(*, picklist: PickList, task: PickTask, actor: Actor, qty=None, reason: str = "") -> PickTask:
    """The bin holds less than the stop asks: report the rest short (the order side re-allocates or
    back-orders it) and close the stop."""
    with transaction.atomic():
        picklist = _lock_picklist(picklist)
        task = PickTask.objects.select_related("line", "product", "location").get(pk=task.pk)
        if task.picklist_id != picklist.pk:
            raise NotFound(_("stop %(id)s is not on pick list %(number)s") % {"id": task.pk, "number": picklist.number},
                           field="stop")
        if task.state != PickTask.State.OPEN:
            raise InvalidTransition(_("stop %(seq)s is %(state)s") % {"seq": task.sequence,
                                                                     "state": task.get_state_display()}, field="stop")
        amount = to_decimal(qty, field="qty") if qty not in (None, "") else task.open_qty
        if amount <= 0 or amount > task.open_qty:
            raise ValidationFailed(_("short quantity must be more than 0 and at most %(open)s")
                                   % {"open": q(task.open_qty)}, field="qty")
        if task.line_id is not None:
            shipping.report_short(line=task.line, short_qty=amount, actor=actor,
                                  reason=(reason or "")[:200] or f"{task.location.code}")
        task.short_qty += amount
        if task.open_qty <= 0:
            task.state = PickTask.State.SHORT
        task.save(update_fields=["short_qty", "state"])
        _settle(picklist, {task.shipment_id}, actor)
        return task


# -- check and pack -------------------------------------------------------------------------------


@dataclass
class CheckLine:
    product: Product
    picked: Decimal
    checked: Decimal

    @property
    def done(self) -> bool:
        return self.checked >= self.picked


def check_progress(shipment: Shipment) -> list[CheckLine]:
    picked: dict[int, Decimal] = {}
    products: dict[int, Product] = {}
    for line in shipment.lines.select_related("product").order_by("pk"):
        picked[line.product_id] = picked.get(line.product_id, Decimal(0)) + line.picked_qty
        products[line.product_id] = line.product
    checked = dict(CheckScan.objects.filter(shipment=shipment).values("product_id").annotate(n=Sum("qty"))
                   .values_list("product_id", "n"))
    return [CheckLine(products[pid], picked[pid], checked.get(pid) or Decimal(0)) for pid in products]


def check_complete(shipment: Shipment) -> bool:
    progress = check_progress(shipment)
    return bool(progress) and all(line.done for line in progress)


def _lock_shipment(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_for_update().select_related("warehouse").get(pk=shipment.pk)


def check_scan(*, shipment: Shipment, barcode: str, actor: Actor, qty=None) -> CheckLine:
    """复核: verify one scanned item against what was picked for the shipment."""
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        if shipment.state != S.PICKED:
            raise InvalidTransition(_("shipment %(number)s is %(state)s: only a picked shipment is checked")
                                    % {"number": shipment.number, "state": shipment.get_state_display()},
                                    field="shipment", code="not_picked")
        item = parse_item(barcode)
        line = next((c for c in check_progress(shipment) if c.product.pk == item.product.pk), None)
        if line is None:
            raise ValidationFailed(_("wrong item: %(sku)s is not in shipment %(number)s")
                                   % {"sku": item.product.sku, "number": shipment.number},
                                   field="barcode", code="wrong_item")
        lot = None
        if item.lot and item.product.tracking != Product.Tracking.NONE:
            lot = Lot.objects.filter(product=item.product, number=item.lot).first()
            picked_lots = set(ShipmentPick.objects.filter(line__shipment=shipment, line__product=item.product)
                              .values_list("lot_id", flat=True))
            if lot is None or lot.pk not in picked_lots:
                raise ValidationFailed(_("wrong lot: %(lot)s of %(sku)s was not picked for %(number)s")
                                       % {"lot": item.lot, "sku": item.product.sku, "number": shipment.number},
                                       field="barcode", code="wrong_lot")
        amount = to_decimal(qty, field="qty") if qty not in (None, "") else (item.qty or Decimal(1))
        if amount <= 0 or abs(amount) >= Decimal("1e12"):
            raise ValidationFailed(_("quantity must be more than 0"), field="qty")
        if line.checked + amount > line.picked:
            raise ValidationFailed(
                _("over-count: %(sku)s %(checked)s of %(picked)s already checked, %(qty)s more is too many")
                % {"sku": item.product.sku, "checked": q(line.checked), "picked": q(line.picked), "qty": q(amount)},
                field="qty", code="over_count", checked=q(line.checked), picked=q(line.picked))
        CheckScan.objects.create(shipment=shipment, product=item.product, lot=lot, qty=amount,
                                 checked_by=actor.username)
        audit.record_act(shipment, actor=actor, action="wms.shipment.check",
                         detail=f"{item.product.sku} {q(amount)}" + (" " + _("lot %(lot)s") % {"lot": lot.number} if lot else ""))
        line.checked += amount
        return line


def _items(shipment: Shipment) -> list[packing.Item]:
    items = []
    for line in shipment.lines.select_related("product").order_by("pk"):
        product, qty = line.product, line.qty
        weight, volume = product.weight or Decimal(0), product.volume or Decimal(0)
        if qty == qty.to_integral_value() and qty <= 500:
            items += [packing.Item(product.sku, weight, volume) for _ in range(int(qty))]
        else:  # a weighed or huge quantity travels as one item
            items.append(packing.Item(product.sku, weight * qty, volume * qty))
    return items


def pack(*, shipment: Shipment, actor: Actor, carrier: str = "", tracking_no: str = "",
         max_weight: Decimal | None = None, max_volume: Decimal | None = None,
         max_items: int | None = None) -> list[Parcel]:
    """The checked shipment into the fewest parcels (by weight, volume, count), each with its tracking
    number (the carrier's master number, `-2`, `-3` … for the others), then packed."""
    carrier = (carrier or "").strip()
    tracking_no = (tracking_no or "").strip()
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        if shipment.state != S.PICKED:
            raise InvalidTransition(_("shipment %(number)s is %(state)s: only a picked, checked shipment is packed")
                                    % {"number": shipment.number, "state": shipment.get_state_display()},
                                    field="shipment", code="not_picked")
        missing = [c for c in check_progress(shipment) if not c.done]
        if missing:
            first = missing[0]
            raise Conflict(_("check first: %(sku)s %(checked)s of %(picked)s checked")
                           % {"sku": first.product.sku, "checked": q(first.checked), "picked": q(first.picked)},
                           field="shipment", code="not_checked")
        entry = WaveShipment.objects.filter(shipment=shipment).select_related("wave").first()
        carrier = carrier or (entry.wave.carrier if entry else "") or shipment.carrier
        if not carrier:
            raise ValidationFailed(_("the carrier is required"), field="carrier")
        if len(carrier) > 40:
            raise ValidationFailed(_("carrier: at most 40 characters"), field="carrier")
        if len(tracking_no) > 56:
            raise ValidationFailed(_("tracking number: at most 56 characters"), field="tracking_no")
        limits = packing.ParcelLimits(max_weight=max_weight or DEFAULT_MAX_WEIGHT, max_volume=max_volume,
                                      max_items=max_items)
        try:
            result = packing.pack(_items(shipment), limits)
        except packing.ParcelError as exc:
            raise ValidationFailed(str(exc), field=exc.field.replace("limits.", ""), code="cannot_pack") from exc
        master = tracking_no or f"{''.join(ch for ch in carrier.upper() if ch.isalnum())[:4] or 'SH'}{shipment.pk:010d}"
        Parcel.objects.filter(shipment=shipment).delete()
        rows = []
        for i, box in enumerate(result.parcels, start=1):
            counts: dict[str, Decimal] = {}
            for item in box.items:
                counts[item.ref] = counts.get(item.ref, Decimal(0)) + 1
            rows.append(Parcel(shipment=shipment, sequence=i, weight=box.weight.quantize(Decimal("0.001")),
                               volume=box.volume.quantize(Decimal("0.000001")), carrier=carrier,
                               items=[{"sku": sku, "qty": q(n)} for sku, n in counts.items()],
                               tracking_no=master if i == 1 else f"{master}-{i}"))
        Parcel.objects.bulk_create(rows)
        shipping.mark_packed(shipment=shipment, actor=actor)
        audit.record_act(shipment, actor=actor, action="wms.shipment.parcels",
                         detail=_("%(n)s parcels, %(carrier)s %(master)s") % {"n": len(rows), "carrier": carrier, "master": master}
                                + ("" if result.proven_optimal else " " + _("(fewest not proven)")))
        return rows


def ship(*, shipment: Shipment, actor: Actor, date: datetime.date | None = None) -> Shipment:
    """Goods out for a packed shipment: stock issued at cost, the COGS voucher, the order told."""
    with transaction.atomic():
        shipment = _lock_shipment(shipment)
        if shipment.state != S.PACKED:
            raise InvalidTransition(_("shipment %(number)s is %(state)s: pack it first")
                                    % {"number": shipment.number, "state": shipment.get_state_display()},
                                    field="shipment", code="not_packed")
        first = Parcel.objects.filter(shipment=shipment).order_by("sequence").first()
        # the wave is settled by the on_shipped hook (`on_shipment_closed`)
        return shipping.ship(shipment=shipment, carrier=first.carrier, tracking_no=first.tracking_no,
                             actor=actor, date=date)


def on_shipment_closed(*, shipment: Shipment, actor: Actor, **_kw) -> None:
    """Hook of `sihe.wms.shipping` (shipped / cancelled), inside its transaction: the shipment's open
    stops are released (it may have shipped from the service page while a picker held them), pick lists
    with nothing left are done, and the wave is settled."""
    entry = WaveShipment.objects.filter(shipment=shipment).select_related("wave").first()
    if entry is None:
        return
    # locked by id (PostgreSQL refuses FOR UPDATE with DISTINCT, which the join to the stops needs)
    ids = set(PickTask.objects.filter(shipment=shipment, state=PickTask.State.OPEN).values_list("picklist_id", flat=True))
    lists = list(PickList.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    released = PickTask.objects.filter(shipment=shipment, state=PickTask.State.OPEN).update(
        state=PickTask.State.CANCELLED)
    if released:
        audit.record_act(shipment, actor=actor, action="wms.picklist.release_stops",
                         detail=_("%(n)s stops of %(shipment)s (%(state)s)") % {
                             "n": released, "shipment": shipment.number, "state": shipment.get_state_display()})
    for picklist in lists:
        if not _open_tasks(picklist).exists():
            picklist.state, picklist.finished_at = PICKLIST.check(picklist.state, "finish"), actor.at
            picklist.save(update_fields=["state", "finished_at"])
    settle_wave(entry.wave, actor)


def skip_task(*, picklist: PickList, task: PickTask, actor: Actor) -> PickTask:
    """Pick this stop later: it moves behind the list's last stop (the bin is blocked, a pallet in the
    way); the route of the others is unchanged."""
    with transaction.atomic():
        picklist = _lock_picklist(picklist)
        task = PickTask.objects.get(pk=task.pk)
        if task.picklist_id != picklist.pk:
            raise NotFound(_("stop %(id)s is not on pick list %(number)s") % {"id": task.pk, "number": picklist.number},
                           field="stop")
        if task.state != PickTask.State.OPEN:
            raise InvalidTransition(_("stop %(seq)s is %(state)s") % {"seq": task.sequence,
                                                                     "state": task.get_state_display()}, field="stop")
        last = PickTask.objects.filter(picklist=picklist).aggregate(last=Max("sequence"))["last"] or 0
        before = {"sequence": task.sequence}
        task.sequence = last + 1
        task.save(update_fields=["sequence"])
        audit.record_changes(task, actor=actor, before=before, action="wms.picklist.skip")
        return task
