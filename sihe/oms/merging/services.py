"""合单: merge orders into one shipment, undo it, and what the warehouse's hooks do for a merged shipment.

A merge takes orders that are allocated, each waiting in one warehouse, and that pass the rules
(china-formats.md §7.2: same shop and buyer, same receiver and address, paid, nothing shipped or being
picked, no refund in progress, not held, not COD, not presale, paid within the rule's window, the same
warehouse). Their own shipments are cancelled and one shipment reserves the goods again, one line per
SKU summed (one pick per SKU); `MergeLine` keeps whose units they are. When the shipment leaves, each
order is told of its own lines (shipped quantities, revenue, its share of the cost, the shipped event
for its own platform order), so books, invoices and after-sales stay per order.

Undo is allowed while the shipment waits to be picked: it is cancelled and each order is allocated on
its own again. An order that must leave a merge later (cancelled, held, address changed) takes the
merge apart even during picking; the others are merged again in a new shipment when they still may.
"""

import unicodedata
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel
from sihe.core import audit, numbering, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, DomainError, NotFound, Problems, ValidationFailed
from sihe.core.money import round_money
from sihe.oms import allocation, fulfilment, timeline
from sihe.oms.merging.models import DEFAULT_WINDOW_HOURS, Merge, MergeLine, MergeOrder, MergeRule
from sihe.oms.models import Order, OrderLine
from sihe.wms import shipping
from sihe.wms.models import Shipment

SOURCE = "oms.merge"
ZERO = Decimal(0)
MAX_ORDERS = 50
S = Order.Status


# -- the rules ------------------------------------------------------------------------------------

def rule_for(order: Order) -> MergeRule:
    """The most specific rule for the order's shop: the shop's, its channel's, the global one, else the
    built-in default (merging allowed, 24 hours, not across shops)."""
    rules = list(MergeRule.objects.filter(Q(channel_id=order.channel_id, shop__in=[order.shop, ""])
                                          | Q(channel__isnull=True, shop="")))
    for match in (lambda r: r.channel_id == order.channel_id and r.shop == order.shop and r.shop,
                  lambda r: r.channel_id == order.channel_id and not r.shop,
                  lambda r: r.channel_id is None):
        found = next((r for r in rules if match(r)), None)
        if found is not None:
            return found
    return MergeRule(window_hours=DEFAULT_WINDOW_HOURS)


def save_rule(*, channel: Channel | None, shop: str = "", active: bool = True, window_hours: int = DEFAULT_WINDOW_HOURS,
              cross_shop: bool = False, note: str = "", actor: Actor) -> MergeRule:
    """Create or change the rule of a shop (channel + shop), a channel (no shop) or every shop (neither)."""
    shop = str(shop or "").strip()[:100]
    if shop and channel is None:
        raise ValidationFailed(_("a shop's rule names its channel"), field="channel")
    if window_hours is None or not 1 <= int(window_hours) <= 24 * 30:
        raise ValidationFailed(_("the time window is 1 to 720 hours"), field="window_hours")
    with tx.act():
        rule = (MergeRule.objects.select_for_update().filter(channel=channel, shop=shop).first()
                if channel is not None else
                MergeRule.objects.select_for_update().filter(channel__isnull=True, shop="").first())
        before = {"active": rule.active, "window_hours": rule.window_hours, "cross_shop": rule.cross_shop,
                  "note": rule.note} if rule else None
        rule = rule or MergeRule(channel=channel, shop=shop)
        rule.active, rule.window_hours, rule.cross_shop = bool(active), int(window_hours), bool(cross_shop)
        rule.note, rule.updated_at, rule.updated_by = str(note or "")[:200], actor.at, actor.username
        rule.save()
        if before is None:
            audit.record_created(rule, actor=actor, fields=["channel", "shop", "active", "window_hours", "cross_shop"])
        else:
            audit.record_changes(rule, actor=actor, before=before, action="oms.merge_rule.update")
        return rule


def delete_rule(*, rule: MergeRule, actor: Actor) -> None:
    with tx.act():
        audit.record_act(rule, actor=actor, action="oms.merge_rule.delete", detail=str(rule))
        rule.delete()


# -- what stops a merge ---------------------------------------------------------------------------

def _find(node, keys: tuple[str, ...], depth: int = 0):
    """The first value under one of `keys` in a channel payload (its envelopes and nested objects)."""
    if depth > 5:
        return None
    if isinstance(node, dict):
        for key in keys:
            if node.get(key) not in (None, ""):
                return node[key]
        children = node.values()
    elif isinstance(node, list):
        children = node[:50]
    else:
        return None
    for child in children:
        found = _find(child, keys, depth + 1)
        if found is not None:
            return found
    return None


def payment_terms(order: Order) -> tuple[bool, bool]:
    """(cash on delivery, presale) as the platform's payload says: Taobao `type` cod / `step_trade_status`,
    JD `payType` 1-货到付款, Douyin `pay_type` 0 / `pre_sale_type`, Shopify and WooCommerce's cod gateway,
    Sihe's own format `cod` / `presale`."""
    p, kind = order.payload or {}, order.channel.type
    cod = presale = False
    if kind == "taobao":
        cod = str(_find(p, ("type",)) or "") == "cod"
        presale = bool(_find(p, ("step_trade_status",))) or str(_find(p, ("type",)) or "") == "step"
    elif kind == "jd":
        pay = str(_find(p, ("payType",)) or "")
        cod = pay.startswith("1") or "货到付款" in pay
        presale = bool(_find(p, ("presaleFlag", "isPresale")))
    elif kind == "douyin":
        cod = str(_find(p, ("pay_type",))) == "0"
        presale = str(_find(p, ("pre_sale_type", "presell_type")) or "0") not in ("0", "None")
    elif kind == "shopify":
        gateways = _find(p, ("payment_gateway_names",)) or []
        cod = any("cash on delivery" in str(g).lower() or str(g).lower() == "cod" for g in gateways)
    elif kind == "woocommerce":
        cod = str(_find(p, ("payment_method",)) or "") == "cod"
    else:
        cod, presale = bool(_find(p, ("cod",))), bool(_find(p, ("presale",)))
    return cod, presale


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(text.split()).lower()


def _place(order: Order) -> tuple[str, ...]:
    province = _clean(order.province).removesuffix("省").removesuffix("市")
    city = _clean(order.city).removesuffix("市")
    return province, city, _clean(order.district), _clean(order.street + order.address)


def receiver_key(order: Order) -> tuple | None:
    """Name, mobile and place after normalising (spaces, full-/half-width, 省/市); a masked value
    (张**, 138****5678) is no key, unless the platform's own merge token (Taobao `oaid`) stands in."""
    oaid = _find(order.payload or {}, ("oaid",))
    if oaid:
        return ("oaid", str(oaid))
    name, phone = _clean(order.receiver_name), _clean(order.receiver_phone)
    if "*" in name or "*" in phone:
        return None
    return (name, phone, *_place(order))


def _buyer(order: Order) -> str:
    return order.buyer_id or order.buyer_nick or (order.partner.code if order.partner_id else "")


def _open_shipments(order: Order) -> list[Shipment]:
    return [s for s in fulfilment.shipments_of(order).order_by("pk") if s.state != Shipment.State.CANCELLED]


def _order_problems(order: Order) -> list[tuple[str, str]]:
    """(code, message) for what keeps this order out of any merge."""
    n = order.number
    out = []
    if order.status in (S.SHIPPED, S.COMPLETED) or order.lines.filter(shipped_qty__gt=0).exists():
        return [("already_shipped", _("order %(n)s has shipped goods") % {"n": n})]
    if order.status == S.CANCELLED:
        return [("cancelled", _("order %(n)s is cancelled") % {"n": n})]
    if order.paid_at is None or order.status == S.RECEIVED:
        out.append(("not_paid", _("order %(n)s is not paid") % {"n": n}))
    if order.status == S.HELD:
        out.append(("held", _("order %(n)s is held (%(reason)s)") % {"n": n, "reason": order.get_hold_reason_display()}))
    if order.status == S.PICKING:
        out.append(("picking_started", _("order %(n)s is being picked") % {"n": n}))
    lines = [ln for ln in order.lines.all() if not ln.cancelled]
    if order.refund_status or any(ln.held or ln.refund_status for ln in lines):
        out.append(("refund_in_progress", _("order %(n)s has a refund in progress") % {"n": n}))
    cod, presale = payment_terms(order)
    if cod:
        out.append(("cod", _("order %(n)s is cash on delivery (货到付款)") % {"n": n}))
    if presale:
        out.append(("presale", _("order %(n)s is a presale (预售) order") % {"n": n}))
    if MergeOrder.objects.filter(order=order, active=True).exists():
        out.append(("already_merged", _("order %(n)s is already in a merged shipment: undo that first") % {"n": n}))
        return out
    if order.status == S.ALLOCATED:
        shipments = _open_shipments(order)
        if any(s.state != Shipment.State.PENDING for s in shipments):
            out.append(("picking_started", _("order %(n)s is being picked") % {"n": n}))
        elif len({s.warehouse_id for s in shipments}) > 1:
            out.append(("split", _("order %(n)s ships from several warehouses") % {"n": n}))
        if any(ln.allocated_qty < ln.qty for ln in lines if not ln.held):
            out.append(("backordered", _("order %(n)s waits for stock (backorder)") % {"n": n}))
    elif order.status == S.REVIEWED:
        out.append(("not_allocated", _("order %(n)s has no stock allocated yet") % {"n": n}))
    if receiver_key(order) is None:
        out.append(("masked_address", _("order %(n)s has a masked receiver: it cannot be matched") % {"n": n}))
    return out


def problems(orders: list[Order]) -> list[dict]:
    """Every reason the orders may not ship together, per order (index, order, code, message)."""
    found = []

    def add(i, order, code, message):
        found.append({"index": i, "order": order.number, "code": code, "message": message})

    for i, order in enumerate(orders):
        for code, message in _order_problems(order):
            add(i, order, code, message)
    if len(orders) < 2:
        return found
    first = orders[0]
    rule = rule_for(first)
    window = rule.window_hours
    for i, order in enumerate(orders):
        own = rule_for(order)
        if own.pk is not None and not own.active:
            add(i, order, "merge_off", _("merging is switched off for shop %(shop)s") % {"shop": order.shop or order.channel.code})
        window = min(window, own.window_hours)
    for i, order in enumerate(orders[1:], start=1):
        n = order.number
        if rule.cross_shop and rule_for(order).cross_shop:
            if order.channel.type != first.channel.type:
                add(i, order, "different_shop", _("order %(n)s is from another platform than %(first)s")
                    % {"n": n, "first": first.number})
        elif (order.channel_id, order.shop) != (first.channel_id, first.shop):
            add(i, order, "different_shop", _("order %(n)s is from another shop than %(first)s")
                % {"n": n, "first": first.number})
        if _buyer(order) != _buyer(first):
            add(i, order, "different_buyer", _("order %(n)s has another buyer than %(first)s")
                % {"n": n, "first": first.number})
        key, first_key = receiver_key(order), receiver_key(first)
        if key is not None and first_key is not None and key != first_key:
            add(i, order, "different_address", _("order %(n)s goes to another receiver or address than %(first)s")
                % {"n": n, "first": first.number})
    paid = [o.paid_at for o in orders if o.paid_at is not None]
    if len(paid) >= 2 and (max(paid) - min(paid)).total_seconds() > window * 3600:
        late = max(range(len(orders)), key=lambda i: orders[i].paid_at or min(paid))
        early = min(range(len(orders)), key=lambda i: orders[i].paid_at or max(paid))
        add(late, orders[late], "outside_window",
            _("order %(n)s was paid %(hours)s hours after %(first)s, more than the %(window)s-hour window")
            % {"n": orders[late].number, "first": orders[early].number, "window": window,
               "hours": f"{(max(paid) - min(paid)).total_seconds() / 3600:.1f}"})
    houses = {}
    for i, order in enumerate(orders):
        for s in _open_shipments(order):
            houses.setdefault(s.warehouse_id, (i, order, s.warehouse.name))
    if len(houses) > 1:
        (_w, (i, order, name)), *_rest = sorted(houses.items(), key=lambda kv: -kv[1][0])
        add(i, order, "different_warehouse", _("order %(n)s ships from %(wh)s, the others from elsewhere")
            % {"n": order.number, "wh": name})
    return found


def _raise(found: list[dict]) -> None:
    if not found:
        return
    box = Problems()
    for p in found:
        box.add(Conflict(p["message"], field=f"order_ids[{p['index']}]", code=p["code"]))
    box.raise_if_any()


# -- merge and undo -------------------------------------------------------------------------------

def _lock_orders(ids: list) -> list[Order]:
    if not ids:
        raise ValidationFailed(_("choose at least two orders"), field="order_ids", code="too_few")
    if len(ids) > MAX_ORDERS:
        raise ValidationFailed(_("at most %(n)s orders in one shipment") % {"n": MAX_ORDERS}, field="order_ids")
    keys = [int(i) if not isinstance(i, Order) else i.pk for i in ids]
    if len(set(keys)) != len(keys):
        raise ValidationFailed(_("an order is listed twice"), field="order_ids", code="duplicate_order")
    locked = {o.pk: o for o in Order.objects.select_for_update(of=("self",)).select_related("channel", "partner")
              .filter(pk__in=keys).order_by("pk")}
    for i, key in enumerate(keys):
        if key not in locked:
            raise NotFound(_("unknown order %(id)s") % {"id": key}, field=f"order_ids[{i}]", code="unknown_order")
    return [locked[k] for k in keys]


def merge(*, order_ids: list, actor: Actor, note: str = "") -> Merge:
    """One shipment for the orders (ids, oldest payment first in the result), or a refusal listing every
    order that breaks a rule and why (`errors`)."""
    with tx.act():
        orders = _lock_orders(list(order_ids))
        if len(orders) < 2:
            raise ValidationFailed(_("choose at least two orders"), field="order_ids", code="too_few")
        _raise(problems(orders))
        return _build(orders, actor, note=note)


def _build(orders: list[Order], actor: Actor, *, note: str = "") -> Merge:
    orders = sorted(orders, key=lambda o: (o.paid_at, o.pk))
    shipments = [s for o in orders for s in _open_shipments(o)]
    warehouse = shipments[0].warehouse
    for s in shipments:  # their own shipments go; the on_cancelled hook gives the allocation back
        shipping.cancel_shipment(shipment=s, actor=actor, reason=_("merged into one shipment"))
    wanted: list[tuple[OrderLine, Decimal]] = []
    for order in orders:
        for line in order.lines.select_related("product").order_by("line_no"):
            qty = line.qty - line.shipped_qty if not (line.cancelled or line.held) else ZERO
            if qty > 0:
                wanted.append((line, qty))
    period = f"{actor.at:%Y%m}"
    first = orders[0]
    record = Merge.objects.create(
        number=f"MG{period}-{numbering.next_number('oms.merge', period=period):05d}", warehouse=warehouse,
        rule=rule_for(first) if rule_for(first).pk else None, created_at=actor.at, created_by=actor.username,
        closed_note=str(note or "")[:300])
    summed: dict[int, tuple] = {}
    for line, qty in wanted:
        product, total = summed.get(line.product_id, (line.product, ZERO))
        summed[line.product_id] = (product, total + qty)
    shipment = shipping.create_shipment(
        warehouse=warehouse, source_type=SOURCE, source_id=str(record.pk), source_number=record.number, actor=actor,
        lines=[shipping.ShipLineIn(product=p, qty=q) for p, q in summed.values()],
        customer=first.partner.name if first.partner_id else (first.buyer_nick or first.receiver_name),
        receiver={"name": first.receiver_name, "phone": first.receiver_phone, "province": first.province,
                  "city": first.city, "district": first.district, "address": f"{first.street}{first.address}"},
        min_shelf_life_days=max((o.min_shelf_life_days or 0 for o in orders), default=0) or None)
    record.shipment_number = shipment.number
    record.save(update_fields=["shipment_number"])
    MergeOrder.objects.bulk_create([MergeOrder(merge=record, order=o) for o in orders])
    MergeLine.objects.bulk_create([MergeLine(merge=record, order_line=line, qty=qty) for line, qty in wanted])
    for line, qty in wanted:
        OrderLine.objects.filter(pk=line.pk).update(allocated_qty=F("allocated_qty") + qty)
    numbers = "、".join(o.number for o in orders)
    for order in orders:
        others = "、".join(o.number for o in orders if o.pk != order.pk)
        timeline.add(order, "merged", f"与 {others} 合单发货（{record.number}，发货单 {shipment.number}）", actor,
                     message_en=f"Merged with {others} into one shipment ({record.number}, {shipment.number})",
                     data={"merge": record.number, "shipment": shipment.number})
        audit.record_act(order, actor=actor, action="oms.order.merge", detail=record.number)
    audit.record_created(record, actor=actor, fields=["number", "warehouse", "shipment_number"])
    outbox.emit("oms.merge.created", aggregate_type="merge", aggregate_id=record.number, actor=actor,
                payload={"number": record.number, "shipment": shipment.number, "orders": numbers.split("、")})
    return record


def _locked_merge(merge_id) -> Merge:
    key = str(merge_id).strip()
    qs = Merge.objects.select_for_update(of=("self",)).select_related("warehouse")
    found = qs.filter(pk=int(key)).first() if key.isdigit() and len(key) < 19 else None
    found = found or qs.filter(number=key).first()
    if found is None:
        raise NotFound(_("no merged shipment %(id)s") % {"id": key[:40]}, field="merge_id", code="unknown_merge")
    return found


def _shipment(record: Merge) -> Shipment | None:
    return Shipment.objects.filter(number=record.shipment_number).first()


def undo(*, merge_id, actor: Actor, note: str = "") -> Merge:
    """Take a merge apart before picking starts: its shipment cancelled, each order allocated on its own."""
    with tx.act():
        record = _locked_merge(merge_id)
        if record.status != Merge.Status.ACTIVE:
            raise Conflict(_("merged shipment %(n)s is %(s)s") % {"n": record.number, "s": record.get_status_display()},
                           field="merge_id", code="not_active")
        shipment = _shipment(record)
        if shipment is not None and shipment.state != Shipment.State.PENDING:
            raise Conflict(_("shipment %(s)s of %(n)s is %(state)s: picking has started, it can no longer be undone")
                           % {"s": shipment.number, "n": record.number, "state": shipment.get_state_display()},
                           field="merge_id", code="picking_started")
        _take_apart(record, actor, note=note or _("undone"))
        return record


def _take_apart(record: Merge, actor: Actor, *, note: str, leaving: Order | None = None) -> list[Order]:
    """Cancel the merged shipment (the hook frees the allocation and closes the merge); every order but
    `leaving` is allocated on its own again. Returns those orders, locked."""
    members = list(MergeOrder.objects.filter(merge=record, active=True).values_list("order_id", flat=True))
    orders = list(Order.objects.select_for_update(of=("self",)).select_related("channel", "partner")
                  .filter(pk__in=members).order_by("pk"))
    shipment = _shipment(record)
    if shipment is not None and shipment.state not in (Shipment.State.CANCELLED, Shipment.State.SHIPPED):
        shipping.cancel_shipment(shipment=shipment, actor=actor, reason=note)
    record.refresh_from_db()
    _close(record, actor, note=note)
    staying = [o for o in orders if leaving is None or o.pk != leaving.pk]
    for order in orders:
        order.refresh_from_db()
        timeline.add(order, "unmerged", f"合单 {record.number} 已拆开：{note}", actor,
                     message_en=f"Merged shipment {record.number} taken apart: {note}", data={"merge": record.number})
    for order in staying:
        if order.status == S.PICKING:
            order.status = S.ALLOCATED
            order.save(update_fields=["status"])
        allocation.allocate(order, actor)
    return staying


def _close(record: Merge, actor: Actor, *, note: str) -> None:
    if record.status != Merge.Status.ACTIVE:
        return
    before = {"status": record.status}
    record.status, record.closed_at, record.closed_note = Merge.Status.UNDONE, actor.at, str(note)[:300]
    record.save(update_fields=["status", "closed_at", "closed_note"])
    MergeOrder.objects.filter(merge=record).update(active=False)
    audit.record_changes(record, actor=actor, before=before, action="oms.merge.undo")
    outbox.emit("oms.merge.undone", aggregate_type="merge", aggregate_id=record.number, actor=actor,
                payload={"number": record.number, "note": str(note)[:200]})


def leave(*, order: Order, actor: Actor, reason: str, reallocate: bool = False) -> None:
    """The order must leave its merge (cancelled, held, address changed): the merge is taken apart even
    during picking, the others merged again when they still may (else each ships on its own).
    `reallocate`: the leaving order is allocated on its own again (held, new address); not when it is
    being cancelled. The caller's `order` may carry unsaved changes (a new address): it is read, not reloaded."""
    member = MergeOrder.objects.filter(order=order, active=True).select_related("merge").first()
    if member is None:
        return
    with tx.act():
        record = _locked_merge(member.merge_id)
        if record.status != Merge.Status.ACTIVE:
            return
        staying = _take_apart(record, actor, note=reason, leaving=order)
        if len(staying) >= 2:
            fresh = [Order.objects.select_related("channel", "partner").get(pk=o.pk) for o in staying]
            if not problems(fresh):
                try:
                    with tx.attempt():
                        _build(fresh, actor, note=_("merged again without %(n)s") % {"n": order.number})
                except DomainError:
                    pass  # the rest ships order by order
        if reallocate:
            order.status = Order.objects.values_list("status", flat=True).get(pk=order.pk)
            if order.status == S.PICKING:
                order.status = S.ALLOCATED
                order.save(update_fields=["status"])
            allocation.allocate(order, actor)


# -- the warehouse's hooks (wired in sihe/hub/wiring.py) -------------------------------------------

def _members(shipment: Shipment) -> Merge | None:
    if shipment.source_type != SOURCE:
        return None
    return Merge.objects.select_for_update(of=("self",)).filter(pk=int(shipment.source_id)).first()


def _split(amount: Decimal, parts: list[Decimal]) -> list[Decimal]:
    """`amount` over `parts` in proportion, to the fen, the last part taking the remainder."""
    total = sum(parts, ZERO)
    out, left = [], amount
    for i, part in enumerate(parts):
        share = left if i == len(parts) - 1 else (round_money(amount * part / total) if total else ZERO)
        out.append(share)
        left -= share
    return out


def on_shipped(*, shipment: Shipment, actor: Actor) -> None:
    """The merged shipment left: each order hears of its own lines (in order id order), each merged line
    keeps its share of the cost of the goods (the SKU's cost split by quantity, to the fen)."""
    record = _members(shipment)
    if record is None:
        return
    lines = list(MergeLine.objects.filter(merge=record, qty__gt=0).select_related("order_line").order_by("pk"))
    by_product: dict[int, list[MergeLine]] = defaultdict(list)
    for ml in lines:
        by_product[ml.order_line.product_id].append(ml)
    for sl in shipment.lines.all():
        group = by_product.get(sl.product_id, [])
        for ml, cost in zip(group, _split(sl.cost, [m.qty for m in group]), strict=True):
            MergeLine.objects.filter(pk=ml.pk).update(shipped_qty=ml.qty, cost=cost)
    per_order: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for ml in lines:
        per_order[ml.order_line.order_id].append((ml.order_line_id, ml.qty))
    for order in Order.objects.select_for_update(of=("self",)).select_related("channel", "partner").filter(
            pk__in=list(per_order)).order_by("pk"):
        fulfilment.record_shipped(order=order, shipment=shipment, shipped=per_order[order.pk], actor=actor)
    before = {"status": record.status}
    record.status, record.closed_at = Merge.Status.SHIPPED, actor.at
    record.save(update_fields=["status", "closed_at"])
    MergeOrder.objects.filter(merge=record).update(active=False)
    audit.record_changes(record, actor=actor, before=before, action="oms.merge.shipped")


def on_picking(*, shipment: Shipment, actor: Actor) -> None:
    record = _members(shipment)
    if record is None:
        return
    ids = MergeOrder.objects.filter(merge=record, active=True).values_list("order_id", flat=True)
    for order in Order.objects.select_for_update(of=("self",)).filter(pk__in=list(ids)).order_by("pk"):
        if order.status == S.ALLOCATED:
            order.status = S.PICKING
            order.save(update_fields=["status"])
            timeline.add(order, "picking", f"{shipment.warehouse.name}开始拣货（合单 {record.number}，{shipment.number}）",
                         actor, message_en=f"Picking started at {shipment.warehouse.name} "
                                           f"(merged {record.number}, {shipment.number})")


def on_cancelled(*, shipment: Shipment, actor: Actor, reason: str = "") -> None:
    """The merged shipment was cancelled (undo, or by the warehouse): each order gives back what it held."""
    record = _members(shipment)
    if record is None:
        return
    for ml in MergeLine.objects.filter(merge=record, qty__gt=F("shipped_qty")):
        OrderLine.objects.filter(pk=ml.order_line_id).update(allocated_qty=F("allocated_qty") - (ml.qty - ml.shipped_qty))
    _close(record, actor, note=reason or _("shipment cancelled"))


def on_short(*, shipment: Shipment, line, short_qty: Decimal, reason: str, actor: Actor) -> None:
    """A short pick of a summed line: the order paid last gives up its units first (the earlier buyer
    keeps the goods); each order that lost units is allocated again on its own (elsewhere or backorder)."""
    record = _members(shipment)
    if record is None:
        return
    group = list(MergeLine.objects.filter(merge=record, order_line__product_id=line.product_id, qty__gt=0)
                 .select_related("order_line__order", "order_line__product")
                 .order_by("-order_line__order__paid_at", "-order_line__order_id", "-pk"))
    left, hit = short_qty, {}
    for ml in group:
        if left <= 0:
            break
        take = min(left, ml.qty)
        MergeLine.objects.filter(pk=ml.pk).update(qty=F("qty") - take)
        OrderLine.objects.filter(pk=ml.order_line_id).update(allocated_qty=F("allocated_qty") - take)
        hit.setdefault(ml.order_line.order_id, []).append((ml.order_line.product.sku, take))
        left -= take
    for order in Order.objects.select_for_update(of=("self",)).filter(pk__in=list(hit)).order_by("pk"):
        text = "、".join(f"{sku}×{q.normalize():f}" for sku, q in hit[order.pk])
        timeline.add(order, "short_pick", f"{shipment.warehouse.name}拣货缺货（合单 {record.number}）{text}"
                     + (f"（{reason}）" if reason else ""), actor,
                     message_en=f"Short pick at {shipment.warehouse.name} (merged {record.number}): {text}")
        if order.status == S.PICKING:
            order.status = S.ALLOCATED
            order.save(update_fields=["status"])
        allocation.allocate(order, actor)
    if not MergeLine.objects.filter(merge=record, qty__gt=0).exists():
        _close(record, actor, note=_("everything was short"))


# -- candidates -----------------------------------------------------------------------------------

def candidates(*, limit: int = 100) -> list[list[Order]]:
    """Groups of allocated orders that may ship together now (same shop, buyer, receiver, warehouse,
    paid within the window), oldest payment first; each group passes every rule."""
    merged = MergeOrder.objects.filter(active=True).values("order_id")
    qs = (Order.objects.filter(status=S.ALLOCATED, paid_at__isnull=False).exclude(pk__in=merged)
          .select_related("channel", "partner").order_by("paid_at", "pk")[:3000])
    buckets: dict[tuple, list[Order]] = defaultdict(list)
    for order in qs:
        key = receiver_key(order)
        if key is None:
            continue
        rule = rule_for(order)
        shop = (order.channel.type,) if rule.cross_shop else (order.channel_id, order.shop)
        buckets[(*shop, _buyer(order), key)].append(order)
    groups = []
    for orders in buckets.values():
        if len(orders) < 2:
            continue
        window = min(rule_for(o).window_hours for o in orders) * 3600
        run = [orders[0]]
        for order in orders[1:]:
            if (order.paid_at - run[0].paid_at).total_seconds() <= window:
                run.append(order)
                continue
            groups.append(run)
            run = [order]
        groups.append(run)
    out = []
    for group in groups:
        if len(group) >= 2:
            fine = [o for o in group if not _order_problems(o)]
            if len(fine) >= 2 and not problems(fine):
                out.append(fine)
        if len(out) >= limit:
            break
    return out
