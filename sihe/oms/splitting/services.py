"""拆单: one of an order's shipments split into two that leave apart, and joined again before picking.

An e-commerce operator splits a shipment that waits to be picked (指定商品拆单: one item waits for stock
while the rest ships; 超重拆单: the carrier's weight limit). The source shipment is cancelled (its
reservation released, the order's allocation given back by the order's own hook) and two child shipments
reserve the goods again in the same warehouse, part 1 the lines and quantities chosen, part 2 the rest.
The children are the order's own shipments (source `oms.order`, each line naming its order line), so the
warehouse's hooks ship, short-pick and cancel them as any other: the books and the invoice stay per order.
The split batch (`Split`) keeps the platform order id, the source shipment and the children
(china-formats.md §7.3: per line the children add up to the source, two non-empty children, integer
quantities). Undo (re-join) cancels both children and reserves one shipment again, while neither is picked.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from sihe.core import audit, numbering, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, InvalidTransition, NotFound, Problems, ValidationFailed
from sihe.oms import fulfilment, timeline
from sihe.oms.merging.models import MergeOrder
from sihe.oms.models import Order, OrderLine
from sihe.oms.splitting.models import Split, SplitLine, SplitPart
from sihe.wms import shipping
from sihe.wms.models import Shipment

ZERO = Decimal(0)
S = Order.Status
St = Split.Status
# the split's own state table; the order and its shipment must be in these states for the acts
TRANSITIONS: dict[str, set[str]] = {St.ACTIVE: {St.UNDONE}, St.UNDONE: set()}
ORDER_MAY_SPLIT = {S.ALLOCATED}
MAX_LINES = 200


def check_transition(split: Split, target: str) -> None:
    if target not in TRANSITIONS.get(split.status, set()):
        raise InvalidTransition(_("split %(n)s is %(s)s and cannot become %(t)s")
                                % {"n": split.number, "s": split.get_status_display(), "t": St(target).label},
                                field="split_id", code="not_active")


def _order_refusal(order: Order) -> Conflict | None:
    n, status = order.number, order.status
    if status in ORDER_MAY_SPLIT:
        if MergeOrder.objects.filter(order=order, active=True).exists():
            return Conflict(_("order %(n)s ships in a merged shipment (合单): undo the merge first") % {"n": n},
                            field="order_id", code="merged")
        return None
    code = {S.PICKING: "picking_started", S.SHIPPED: "already_shipped", S.COMPLETED: "already_shipped",
            S.CANCELLED: "cancelled", S.HELD: "held"}.get(status, "not_allocated")
    if code == "picking_started":
        return Conflict(_("order %(n)s is being picked: its shipment can no longer be split") % {"n": n},
                        field="order_id", code=code)
    return Conflict(_("order %(n)s is %(s)s: only a reviewed order whose stock is allocated and not yet picked "
                      "can be split") % {"n": n, "s": order.get_status_display()}, field="order_id", code=code)


def refusal(order: Order) -> Conflict | None:
    """Why the order's shipments may not be split now (None: they may), for pages and the API."""
    return _order_refusal(order)


def _integer(value) -> Decimal | None:
    try:
        qty = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    if not qty.is_finite() or qty != qty.to_integral_value() or qty <= 0 or qty > 10**9:
        return None
    return qty


def _wanted(order: Order, lines: list[dict]) -> tuple[list[tuple[int, OrderLine, Decimal]], Problems]:
    """(index, order line, qty) for each entry `{"line": line_no, "qty": n}`; problems named per entry."""
    box = Problems()
    if not lines:
        raise ValidationFailed(_("choose at least one line and quantity to ship separately"), field="lines",
                               code="empty_split")
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("at most %(n)s lines") % {"n": MAX_LINES}, field="lines")
    by_no = {ln.line_no: ln for ln in order.lines.select_related("product")}
    out, seen = [], set()
    for i, entry in enumerate(lines):
        raw = str(entry.get("line", "")).strip()
        line = by_no.get(int(raw)) if raw.isdigit() and len(raw) < 6 else None
        if line is None:
            box.add(NotFound(_("order %(n)s has no line %(line)s") % {"n": order.number, "line": raw[:20]},
                             field=f"lines[{i}].line", code="unknown_line"))
            continue
        if line.pk in seen:
            box.add(ValidationFailed(_("line %(line)s is listed twice") % {"line": line.line_no},
                                     field=f"lines[{i}].line", code="duplicate_line"))
            continue
        seen.add(line.pk)
        qty = _integer(entry.get("qty"))
        if qty is None:
            box.add(ValidationFailed(_("the quantity of line %(line)s must be a whole number above 0")
                                     % {"line": line.line_no}, field=f"lines[{i}].qty", code="invalid_qty"))
            continue
        out.append((i, line, qty))
    box.raise_if_any()
    if not out:
        raise ValidationFailed(_("choose at least one line and quantity to ship separately"), field="lines",
                               code="empty_split")
    return out, box


def _source(order: Order, wanted, shipment: str | None) -> Shipment:
    """The shipment the chosen lines come from: the one named, else the only open one that carries them."""
    own = [s for s in fulfilment.shipments_of(order).filter(source_type=fulfilment.SOURCE_TYPE).order_by("pk")
           if s.state != Shipment.State.CANCELLED]
    if shipment:
        key = str(shipment).strip()
        found = next((s for s in own if s.number == key or str(s.pk) == key), None)
        if found is None:
            gone = fulfilment.shipments_of(order).filter(number=key).exists()
            raise Conflict(_("shipment %(s)s of order %(n)s is no longer open (already split, joined or cancelled)")
                           % {"s": key[:100], "n": order.number}, field="shipment",
                           code="shipment_gone") if gone else NotFound(
                _("order %(n)s has no shipment %(s)s") % {"n": order.number, "s": key[:100]}, field="shipment",
                code="unknown_shipment")
        return found
    carrying = [s for s in own if s.state != Shipment.State.SHIPPED
                and all(any(sl.source_line_id == str(line.pk) for sl in s.lines.all()) for _i, line, _q in wanted)]
    if len(carrying) == 1:
        return carrying[0]
    if not carrying:
        raise Conflict(_("no open shipment of order %(n)s carries every line chosen") % {"n": order.number},
                       field="lines", code="not_in_one_shipment")
    raise ValidationFailed(_("order %(n)s has %(k)s open shipments with these lines (%(list)s): name one")
                           % {"n": order.number, "k": len(carrying), "list": ", ".join(s.number for s in carrying)},
                           field="shipment", code="choose_shipment")


def _receiver(order: Order) -> dict:
    return {"name": order.receiver_name, "phone": order.receiver_phone, "province": order.province,
            "city": order.city, "district": order.district, "address": f"{order.street}{order.address}"}


def _customer(order: Order) -> str:
    return order.partner.name if order.partner_id else (order.buyer_nick or order.receiver_name)


def _new_shipment(order: Order, warehouse, parts: list[tuple[OrderLine, Decimal]], actor: Actor) -> Shipment:
    made = shipping.create_shipment(
        warehouse=warehouse, source_type=fulfilment.SOURCE_TYPE, source_id=str(order.pk), source_number=order.number,
        actor=actor, customer=_customer(order), receiver=_receiver(order), min_shelf_life_days=order.min_shelf_life_days,
        lines=[shipping.ShipLineIn(product=line.product, qty=q, source_line_id=str(line.pk)) for line, q in parts])
    for line, q in parts:
        OrderLine.objects.filter(pk=line.pk).update(allocated_qty=F("allocated_qty") + q)
    return made


def _lock_order(order_id) -> Order:
    key = str(order_id).strip()
    qs = Order.objects.select_for_update(of=("self",)).select_related("channel", "partner")
    found = qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or qs.filter(number=key).first()
    if found is None:
        raise NotFound(_("no order %(id)s") % {"id": key[:40]}, field="order_id", code="unknown_order")
    return found


def split_shipment(*, order, lines: list[dict], actor: Actor, shipment: str | None = None, note: str = "",
                   reason: str = Split.Reason.MANUAL) -> Split:
    """Split one shipment of `order` (an Order, its id or number): `lines` [{"line": line_no, "qty": n}]
    leave in part 1, the rest of that shipment in part 2. Refused naming the field and a code."""
    with tx.act():
        order = _lock_order(order.pk if isinstance(order, Order) else order)
        refusal = _order_refusal(order)
        if refusal is not None:
            raise refusal
        wanted, _box = _wanted(order, list(lines))
        source = _source(order, wanted, shipment)
        if source.state != Shipment.State.PENDING:
            raise Conflict(_("shipment %(s)s is %(state)s: picking has started, it can no longer be split")
                           % {"s": source.number, "state": source.get_state_display()}, field="shipment",
                           code="picking_started")
        source_lines = list(source.lines.select_related("product").order_by("pk"))
        in_source: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for sl in source_lines:
            in_source[sl.source_line_id] += sl.qty
        box = Problems()
        for i, line, qty in wanted:
            there = in_source.get(str(line.pk), ZERO)
            if there <= 0:
                box.add(Conflict(_("line %(line)s (%(sku)s) is not in shipment %(s)s")
                                 % {"line": line.line_no, "sku": line.product.sku, "s": source.number},
                                 field=f"lines[{i}].line", code="not_in_shipment"))
            elif qty > there:
                box.add(ValidationFailed(
                    _("line %(line)s (%(sku)s): %(q)s is more than the %(there)s in shipment %(s)s")
                    % {"line": line.line_no, "sku": line.product.sku, "q": f"{qty.normalize():f}",
                       "there": f"{there.normalize():f}", "s": source.number},
                    field=f"lines[{i}].qty", code="qty_over_line"))
        box.raise_if_any()
        chosen = {str(line.pk): qty for _i, line, qty in wanted}
        lines_by_id = {str(line.pk): line for _i, line, _q in wanted}
        first, rest = [], []
        for sl in source_lines:
            line = lines_by_id.get(sl.source_line_id) or OrderLine.objects.select_related("product").get(
                pk=int(sl.source_line_id))
            take = min(chosen.get(sl.source_line_id, ZERO), sl.qty)
            chosen[sl.source_line_id] = chosen.get(sl.source_line_id, ZERO) - take
            if take > 0:
                first.append((line, take))
            if sl.qty - take > 0:
                rest.append((line, sl.qty - take))
        if not rest:
            raise ValidationFailed(_("that is the whole shipment %(s)s: leave something for the other part")
                                   % {"s": source.number}, field="lines", code="whole_shipment")
        return _build(order, source, first, rest, actor, note=note, reason=reason)


def _build(order: Order, source: Shipment, first, rest, actor: Actor, *, note: str, reason: str) -> Split:
    period = f"{actor.at:%Y%m}"
    record = Split.objects.create(
        number=f"SP{period}-{numbering.next_number('oms.split', period=period):05d}", order=order,
        platform_order_id=order.external_id, source_shipment=source.number, warehouse=source.warehouse,
        reason=reason, created_at=actor.at, created_by=actor.username, note=str(note or "")[:300])
    # the source goes (its hook gives the order's allocation back), the children reserve again
    shipping.cancel_shipment(shipment=source, actor=actor, reason=_("split (%(n)s)") % {"n": record.number})
    children = []
    for no, parts in ((1, first), (2, rest)):
        child = _new_shipment(order, source.warehouse, parts, actor)
        part = SplitPart.objects.create(split=record, part=no, shipment_number=child.number)
        SplitLine.objects.bulk_create([SplitLine(part=part, order_line=line, qty=q) for line, q in parts])
        children.append(child)
    text = "、".join(f"{line.product.sku}×{q.normalize():f}" for line, q in first)
    timeline.add(order, "split", f"拆单 {record.number}：发货单 {source.number} 拆为 {children[0].number}（{text}）"
                 f"和 {children[1].number}", actor,
                 message_en=f"Split {record.number}: shipment {source.number} into {children[0].number} ({text}) "
                            f"and {children[1].number}",
                 data={"split": record.number, "source": source.number, "shipments": [c.number for c in children]})
    audit.record_created(record, actor=actor, fields=["number", "order", "source_shipment", "reason"])
    audit.record_act(order, actor=actor, action="oms.order.split", detail=record.number)
    outbox.emit("oms.shipment.split", aggregate_type="order", aggregate_id=order.number, actor=actor,
                payload={"split": record.number, "order": order.number, "channel": order.channel.code,
                         "external_id": order.external_id, "source_shipment": source.number,
                         "shipments": [{"number": c.number, "part": i + 1,
                                        "lines": [{"sku": ln.product.sku, "qty": f"{q.normalize():f}"}
                                                  for ln, q in parts]}
                                       for i, (c, parts) in enumerate(zip(children, (first, rest), strict=True))]})
    return record


def _locked_split(split_id) -> Split:
    key = str(split_id).strip()
    qs = Split.objects.select_related("warehouse")
    found = qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or qs.filter(number=key).first()
    if found is None:
        raise NotFound(_("no split %(id)s") % {"id": key[:40]}, field="split_id", code="unknown_split")
    _lock_order(found.order_id)  # the order first, as the split act does, then the split
    return Split.objects.select_for_update(of=("self",)).select_related("warehouse", "order").get(pk=found.pk)


def undo(*, split_id, actor: Actor, note: str = "") -> Split:
    """Join the two parts again while neither is being picked: both cancelled, one shipment reserves
    the goods of the source again (same warehouse, one line per order line)."""
    with tx.act():
        record = _locked_split(split_id)
        check_transition(record, St.UNDONE)
        children = []
        for part in record.parts.order_by("part"):
            child = Shipment.objects.filter(number=part.shipment_number).first()
            if child is None or child.state == Shipment.State.CANCELLED:
                raise Conflict(_("shipment %(s)s of split %(n)s was cancelled or split again: it can no longer be "
                                 "joined") % {"s": part.shipment_number, "n": record.number},
                               field="split_id", code="shipment_gone")
            if child.state != Shipment.State.PENDING:
                raise Conflict(_("shipment %(s)s of split %(n)s is %(state)s: picking has started, it can no longer "
                                 "be joined") % {"s": child.number, "n": record.number,
                                                 "state": child.get_state_display()},
                               field="split_id", code="picking_started")
            children.append(child)
        order = record.order
        summed: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for child in children:
            for sl in child.lines.all():
                summed[int(sl.source_line_id)] += sl.qty
            shipping.cancel_shipment(shipment=child, actor=actor, reason=_("joined again (%(n)s)") % {"n": record.number})
        lines = {ln.pk: ln for ln in OrderLine.objects.select_related("product").filter(pk__in=list(summed))}
        joined = _new_shipment(order, record.warehouse, [(lines[i], q) for i, q in sorted(summed.items())], actor)
        before = {"status": record.status}
        record.status, record.closed_at, record.joined_shipment = St.UNDONE, actor.at, joined.number
        if note:
            record.note = str(note)[:300]
        record.save(update_fields=["status", "closed_at", "joined_shipment", "note"])
        audit.record_changes(record, actor=actor, before=before, action="oms.split.undo")
        timeline.add(order, "unsplit", f"拆单 {record.number} 已撤销：合回发货单 {joined.number}", actor,
                     message_en=f"Split {record.number} undone: joined again in shipment {joined.number}",
                     data={"split": record.number, "shipment": joined.number})
        outbox.emit("oms.shipment.split_undone", aggregate_type="order", aggregate_id=order.number, actor=actor,
                    payload={"split": record.number, "order": order.number, "external_id": order.external_id,
                             "shipment": joined.number, "note": str(note or "")[:200]})
        return record


# -- 超重拆单 ---------------------------------------------------------------------------------------

def save_weight_limit(*, carrier: str, max_kg: Decimal, actor: Actor):
    """Set the heaviest parcel a carrier takes (the per-carrier setting of 超重拆单)."""
    from sihe.oms.splitting.models import CarrierWeightLimit

    carrier = str(carrier or "").strip()[:40]
    if not carrier:
        raise ValidationFailed(_("name the carrier"), field="carrier")
    if max_kg is None or not Decimal(0) < Decimal(max_kg) < Decimal(100000):
        raise ValidationFailed(_("the weight limit is above 0 kg"), field="max_kg")
    with tx.act():
        row, created = CarrierWeightLimit.objects.select_for_update().get_or_create(
            carrier=carrier, defaults={"max_kg": max_kg, "updated_at": actor.at, "updated_by": actor.username})
        before = {"max_kg": str(row.max_kg)}
        row.max_kg, row.updated_at, row.updated_by = Decimal(max_kg), actor.at, actor.username
        row.save()
        if created:
            audit.record_created(row, actor=actor, fields=["carrier", "max_kg"])
        else:
            audit.record_changes(row, actor=actor, before=before, action="oms.carrier_weight_limit.update")
        return row


def split_overweight(*, order, carrier: str, actor: Actor, shipment: str | None = None) -> list[Split]:
    """Split a shipment over the carrier's weight limit into parcels (first-fit decreasing by the products'
    weights): one split per parcel beyond the first, each taking one parcel off the rest."""
    from sihe.oms.splitting import packing
    from sihe.oms.splitting.models import CarrierWeightLimit

    with tx.act():
        order = _lock_order(order.pk if isinstance(order, Order) else order)
        refusal = _order_refusal(order)
        if refusal is not None:
            raise refusal
        limit = CarrierWeightLimit.objects.filter(carrier=str(carrier or "").strip()).first()
        if limit is None:
            raise ValidationFailed(_("no weight limit is set for carrier %(c)s") % {"c": str(carrier)[:40]},
                                   field="carrier", code="no_weight_limit")
        lines = {str(ln.pk): ln for ln in order.lines.select_related("product")}
        own = [s for s in fulfilment.shipments_of(order).filter(source_type=fulfilment.SOURCE_TYPE,
                                                                 state=Shipment.State.PENDING).order_by("pk")]
        if shipment:
            own = [s for s in own if s.number == str(shipment).strip() or str(s.pk) == str(shipment).strip()]
        if len(own) != 1:
            raise ValidationFailed(_("name the shipment to split") if own else
                                   _("order %(n)s has no shipment waiting to be picked") % {"n": order.number},
                                   field="shipment", code="choose_shipment" if own else "shipment_gone")
        source = own[0]
        units = []
        for sl in source.lines.order_by("pk"):
            line = lines[sl.source_line_id]
            if sl.qty != sl.qty.to_integral_value():
                raise ValidationFailed(_("line %(line)s has a fractional quantity: it cannot be packed by units")
                                       % {"line": line.line_no}, field="shipment", code="invalid_qty")
            units.append((line.line_no, line.product.weight, int(sl.qty)))
        parcels = packing.first_fit_decreasing(units, limit.max_kg)
        if len(parcels) < 2:
            raise Conflict(_("shipment %(s)s is within %(c)s's limit of %(kg)s kg")
                           % {"s": source.number, "c": limit.carrier, "kg": f"{limit.max_kg.normalize():f}"},
                           field="shipment", code="within_limit")
        made, current = [], source.number
        for parcel in parcels[:-1]:
            record = split_shipment(order=order, lines=[{"line": no, "qty": q} for no, q in parcel.items()],
                                    shipment=current, actor=actor, reason=Split.Reason.OVERWEIGHT,
                                    note=_("over %(c)s's limit of %(kg)s kg")
                                    % {"c": limit.carrier, "kg": f"{limit.max_kg.normalize():f}"})
            made.append(record)
            current = record.parts.get(part=2).shipment_number
        return made
