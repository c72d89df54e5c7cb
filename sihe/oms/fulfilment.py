"""Fulfilment: an order's shipments leave, short picks come back, orders are cancelled.

The warehouse owns the shipment (sihe.wms.shipping); the order learns of its progress through the
hooks registered in OmsConfig.ready(), inside the warehouse's own transaction, so the order's status,
its lines' shipped quantities, its timeline and (by setting) its revenue voucher commit together
with the stock issue and the COGS voucher.
"""

from decimal import Decimal

from django.db import connection
from django.db.models import CharField, F, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel, Partner
from sihe.core import audit, batch, outbox, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.errors import NotFound, ValidationFailed
from sihe.oms import books, timeline, transitions
from sihe.oms.models import Order, OrderLine, ReviewPolicy
from sihe.oms.selectors import MAX_ID
from sihe.oms.settings import keep as keep_policy
from sihe.oms.settings import policy
from sihe.wms import shipping
from sihe.wms.models import Shipment

SOURCE_TYPE = "oms.order"


MERGE_SOURCE = "oms.merge"
LOCKED_ORDERS = "oms.fulfilment.locked_orders"  # batch.memo key: ship_order → on_shipped


def shipment_filter(order: Order) -> Q:
    """The order's own shipments and the merged shipments (合单, sihe.oms.merging) it was part of: the merges
    a subquery of the shipments' own read (one statement, not two)."""
    from sihe.oms.merging.models import MergeOrder

    merges = MergeOrder.objects.filter(order_id=order.pk).values_list(
        Cast("merge_id", output_field=CharField(max_length=100)), flat=True)
    return Q(source_type=SOURCE_TYPE, source_id=str(order.pk)) | Q(source_type=MERGE_SOURCE, source_id__in=merges)


def shipments_of(order: Order):
    return Shipment.objects.filter(shipment_filter(order)).select_related("warehouse")


def _locked_shipments(order: Order, condition: str, params: list) -> list[Shipment]:
    """The order's shipments (as `shipment_filter`) that meet `condition`, locked (`shipping.locking_where`)."""
    from sihe.oms.merging.models import MergeOrder

    merges = (f'SELECT CAST(m."merge_id" AS VARCHAR(100)) FROM "{MergeOrder._meta.db_table}" m '
              f'WHERE m."order_id" = %s')
    where = (f'((s."source_type" = %s AND s."source_id" = %s) OR (s."source_type" = %s AND s."source_id" IN '
             f'({merges}))) AND {condition}')
    return shipping.locking_where(where, [SOURCE_TYPE, str(order.pk), MERGE_SOURCE, order.pk, *params])


def lock_order(pk: int, *, with_policy: bool = False) -> Order:
    """The order row locked (FOR UPDATE OF the order on PostgreSQL) with its channel and partner: the read that
    begins an act on one order, written out once (sihe.core.sqlrows). Order.DoesNotExist if there is none.

    `with_policy`: the order engine's settings row comes in the same statement (not locked) and is kept for the
    rest of the act (`settings.keep`), which is read once per act anyway."""
    lock = " FOR UPDATE OF o" if connection.features.has_select_for_update else ""
    policy_columns = policy_join = ""
    if with_policy:
        table = ReviewPolicy._meta.db_table
        policy_columns = f', {sqlrows.columns(ReviewPolicy, "r")}'
        policy_join = f' LEFT JOIN (SELECT * FROM "{table}" ORDER BY "id" LIMIT 1) r ON 1 = 1'
    sql = (f'SELECT {sqlrows.columns(Order, "o")}, {sqlrows.columns(Channel, "c")}, {sqlrows.columns(Partner, "p")}'
           f'{policy_columns} FROM "{Order._meta.db_table}" o LEFT JOIN "{Channel._meta.db_table}" c ON c."id" = '
           f'o."channel_id" LEFT JOIN "{Partner._meta.db_table}" p ON p."id" = o."partner_id"{policy_join} '
           f'WHERE o."id" = %s{lock}')
    found = sqlrows.first(sql, [pk], Order, related={"channel": Channel, "partner": Partner},
                          alongside={"policy": ReviewPolicy} if with_policy else None)
    if found is None:
        raise Order.DoesNotExist(f"order {pk} not found")
    if with_policy:
        keep_policy(found.__dict__.pop("policy"))
    return found


def ship_order(*, order: Order, carrier: str, tracking_no: str, actor: Actor, shipment: str | None = None) -> Shipment:
    """Ship one of the order's open shipments (the only one, or the one named) with carrier and tracking no."""
    with tx.act(), batch.collect():
        order = lock_order(order.pk, with_policy=True)
        # The shipment is locked by the read that finds it and handed to `shipping.ship` (not read again);
        # only the named one, or the open ones, so a sister shipment shipped beside it is not waited for.
        if shipment:
            key = str(shipment)
            named = ('(s."number" = %s OR s."id" = %s)', [key, int(key)]) if key.isdigit() and int(key) <= MAX_ID \
                else ('s."number" = %s', [key])
            chosen = next(iter(_locked_shipments(order, *named)), None)
            if chosen is None:
                raise NotFound(_("order %(order)s has no shipment %(shipment)s")
                               % {"order": order.number, "shipment": shipment}, field="shipment")
        else:
            open_ones = _locked_shipments(order, 's."state" NOT IN (%s, %s)',
                                          [Shipment.State.SHIPPED, Shipment.State.CANCELLED])
            if len(open_ones) == 1:
                chosen = open_ones[0]
            elif not open_ones:
                raise ValidationFailed(_("order %(order)s has no shipment waiting to ship (status %(status)s)")
                                       % {"order": order.number, "status": order.get_status_display()},
                                       field="shipment", code="nothing_to_ship")
            else:
                raise ValidationFailed(_("order %(order)s has %(n)s open shipments (%(list)s): name one")
                                       % {"order": order.number, "n": len(open_ones),
                                          "list": ", ".join(s.number for s in open_ones)}, field="shipment")
        if order.status == Order.Status.HELD:
            raise ValidationFailed(_("order %(order)s is held (%(reason)s): release it first")
                                   % {"order": order.number, "reason": order.get_hold_reason_display()},
                                   field="status", code="order_held")
        # The order locked here is the one the on_shipped hook records on (not locked and read again);
        # it is handed over for this call only.
        handed = batch.memo(LOCKED_ORDERS, dict)
        handed[order.pk] = order
        try:
            with shipping.locked(chosen):
                return shipping.ship(shipment=chosen, carrier=carrier, tracking_no=tracking_no, actor=actor)
        finally:
            handed.pop(order.pk, None)


def on_shipped(*, shipment: Shipment, actor: Actor) -> None:
    """Hook: a shipment of an order left the warehouse."""
    if shipment.source_type != SOURCE_TYPE:
        return
    order = batch.memo(LOCKED_ORDERS, dict).pop(int(shipment.source_id), None) or lock_order(int(shipment.source_id))
    record_shipped(order=order, shipment=shipment,
                   shipped=[(int(sl.source_line_id), sl.qty) for sl in shipment.lines.all() if sl.source_line_id],
                   actor=actor)


def record_shipped(*, order: Order, shipment: Shipment, shipped: list[tuple[int, Decimal]], actor: Actor) -> None:
    """The order's own lines (order line id, qty) left in `shipment`: shipped quantities, status,
    timeline, revenue (by setting) and the shipped event for its platform. A merged shipment (合单)
    calls this once per order, with that order's lines only."""
    lines = {line.pk: line for line in sqlrows.every(  # every shipment's act reads them (sihe.core.sqlrows)
        f'SELECT {sqlrows.columns(OrderLine, "l")} FROM "{OrderLine._meta.db_table}" l WHERE l."order_id" = %s',
        [order.pk], OrderLine)}
    for line in lines.values():
        OrderLine.order.field.set_cached_value(line, order)  # as `order.lines.all()` gave them
    portions = []
    added: dict[int, Decimal] = {}
    for line_id, qty in shipped:
        line = lines.get(line_id)
        if line is None:
            continue
        portions.append((line, line.shipped_qty, qty))
        added[line.pk] = added.get(line.pk, Decimal(0)) + qty
        line.shipped_qty += qty
    OrderLine.objects.add_each("shipped_qty", added)
    all_out = all(line.cancelled or line.shipped_qty >= line.qty for line in lines.values())
    first_revenue = not order.revenue_booked
    wh = shipment.warehouse
    timeline.add(order, "shipped", f"已从{wh.name}发货，{shipment.carrier} {shipment.tracking_no}", actor,
                 message_en=f"Shipped from {wh.name}, {shipment.carrier} {shipment.tracking_no}",
                 data={"shipment": shipment.number, "carrier": shipment.carrier, "tracking_no": shipment.tracking_no})
    changed: tuple[str, ...] = ()
    if all_out:
        transitions.check(order, Order.Status.SHIPPED)
        order.status, order.shipped_at = Order.Status.SHIPPED, actor.at
        changed = ("status", "shipped_at")
    elif order.status == Order.Status.PICKING:
        order.status = Order.Status.ALLOCATED
        changed = ("status",)
    if policy().revenue_at == "shipment":
        amounts = books.revenue_amounts(order, portions, with_fees=first_revenue)
        voucher = books.book_revenue(order=order, amounts=amounts, actor=actor,
                                     memo=f"销售 {order.number} {shipment.number}", save_fields=changed)
        if amounts["total"]:
            changed = ()  # saved with the revenue
        if voucher is not None:
            timeline.add(order, "revenue", f"确认收入 ¥{amounts['total']}（凭证 {voucher.display_number}）", actor,
                         message_en=f"Revenue ¥{amounts['total']} booked (voucher {voucher.display_number})",
                         data={"voucher": voucher.pk})
    if changed:
        order.save(update_fields=list(changed))
    outbox.emit("oms.order.shipped" if all_out else "oms.order.partially_shipped", aggregate_type="order",
                aggregate_id=order.number, actor=actor,
                payload={"number": order.number, "channel": order.channel.code, "external_id": order.external_id,
                         "shipment": shipment.number, "carrier": shipment.carrier, "tracking_no": shipment.tracking_no})


def settle_status(order: Order, actor: Actor) -> Order:
    """After lines were closed: an order whose every open line has shipped is shipped."""
    lines = list(order.lines.all())
    if order.status in (Order.Status.ALLOCATED, Order.Status.PICKING) and any(ln.shipped_qty for ln in lines) and all(
            ln.cancelled or ln.shipped_qty >= ln.qty for ln in lines):
        order.status, order.shipped_at = Order.Status.SHIPPED, order.shipped_at or actor.at
        order.save(update_fields=["status", "shipped_at"])
        timeline.add(order, "shipped_all", "其余商品均已发货，订单已发货", actor, message_en="Everything left has shipped")
    return order


def on_short(*, shipment: Shipment, line, short_qty: Decimal, reason: str, actor: Actor) -> None:
    """Hook: a short pick. The order line gives back that much allocation; then per setting it is
    allocated again (another warehouse, or later) or the order is held as out of stock."""
    if shipment.source_type != SOURCE_TYPE:
        return
    from sihe.oms import allocation

    order = Order.objects.select_for_update().get(pk=int(shipment.source_id))
    OrderLine.objects.filter(pk=int(line.source_line_id)).update(allocated_qty=F("allocated_qty") - short_qty)
    timeline.add(order, "short_pick", f"{shipment.warehouse.name}拣货缺货 {line.product.sku}×{short_qty.normalize():f}"
                 + (f"（{reason}）" if reason else ""), actor,
                 message_en=f"Short pick at {shipment.warehouse.name}: {line.product.sku}×{short_qty.normalize():f}")
    allocation.allocate(order, actor)


def on_picking(*, shipment: Shipment, actor: Actor) -> None:
    """Hook: the warehouse started picking one of the order's shipments."""
    if shipment.source_type != SOURCE_TYPE:
        return
    order_id = int(shipment.source_id)
    if not Order.objects.filter(pk=order_id, status=Order.Status.ALLOCATED).update(status=Order.Status.PICKING):
        return  # picking a second shipment, or an order that moved on
    timeline.add(Order(pk=order_id), "picking", f"{shipment.warehouse.name}开始拣货（{shipment.number}）", actor,
                 message_en=f"Picking started at {shipment.warehouse.name} ({shipment.number})")


def on_cancelled(*, shipment: Shipment, actor: Actor, reason: str = "") -> None:
    if shipment.source_type != SOURCE_TYPE:
        return
    released: dict[int, Decimal] = {}
    for sl in shipment.lines.all():
        if sl.source_line_id:
            released[int(sl.source_line_id)] = released.get(int(sl.source_line_id), Decimal(0)) - sl.qty
    OrderLine.objects.add_each("allocated_qty", released)


def update_receiver(order: Order, actor: Actor) -> None:
    """An address change before shipping reaches the order's open shipments too; a merged order leaves
    its merge (another address), allocated on its own at the new one."""
    from sihe.oms.merging import services as merging

    merging.leave(order=order, actor=actor, reason=_("the address changed"), reallocate=True)
    shipments_of(order).exclude(state__in=[Shipment.State.SHIPPED, Shipment.State.CANCELLED]).update(
        receiver_name=order.receiver_name, receiver_phone=order.receiver_phone, province=order.province,
        city=order.city, district=order.district, address=f"{order.street}{order.address}"[:300])


def cancel_order(*, order: Order, actor: Actor, reason: str = "") -> Order:
    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        shipped = shipments_of(order).filter(state=Shipment.State.SHIPPED).exists()
        if shipped:
            raise ValidationFailed(_("order %(number)s has shipped goods: handle it as a return (after-sales)")
                                   % {"number": order.number}, field="status", code="already_shipped")
        transitions.check(order, Order.Status.CANCELLED)
        from sihe.oms.merging import services as merging

        merging.leave(order=order, actor=actor, reason=_("order %(n)s cancelled") % {"n": order.number})
        for shipment in shipments_of(order).exclude(state=Shipment.State.CANCELLED):
            shipping.cancel_shipment(shipment=shipment, actor=actor, reason=reason)
        order.refresh_from_db()
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])
        timeline.add(order, "cancelled", f"订单已取消{('：' + reason) if reason else ''}，库存已释放", actor,
                     message_en=f"Cancelled{(': ' + reason) if reason else ''}; stock released")
        audit.record_act(order, actor=actor, action="oms.order.cancel", detail=reason[:200])
        outbox.emit("oms.order.cancelled", aggregate_type="order", aggregate_id=order.number, actor=actor,
                    payload={"number": order.number, "reason": reason})
        return order


def start_picking(*, order: Order, actor: Actor) -> Order:
    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        transitions.check(order, Order.Status.PICKING)
        for shipment in shipments_of(order).filter(state=Shipment.State.PENDING):
            shipping.start_picking(shipment=shipment, actor=actor)  # the on_picking hook moves the order
        order.refresh_from_db()
        if order.status != Order.Status.PICKING:
            order.status = Order.Status.PICKING
            order.save(update_fields=["status"])
            timeline.add(order, "picking", "仓库开始拣货", actor, message_en="Picking started")
        return order


def complete_order(*, order: Order, actor: Actor) -> Order:
    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        transitions.check(order, Order.Status.COMPLETED)
        order.status = Order.Status.COMPLETED
        order.save(update_fields=["status"])
        timeline.add(order, "completed", "订单完成", actor, message_en="Completed")
        return order


def hold_order(*, order: Order, actor: Actor, detail: str = "") -> Order:
    from sihe.oms import review

    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        transitions.check(order, Order.Status.HELD)
        from sihe.oms.merging import services as merging

        merging.leave(order=order, actor=actor, reason=_("order %(n)s held") % {"n": order.number}, reallocate=True)
        order.refresh_from_db()
        review.hold(order, Order.Hold.MANUAL, actor, detail=detail or _("held by a person"))
        audit.record_act(order, actor=actor, action="oms.order.hold", detail=detail[:200])
        return order


def release_order(*, order: Order, actor: Actor, note: str = "") -> Order:
    from sihe.oms import review

    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.HELD:
            raise ValidationFailed(_("order %(number)s is not held") % {"number": order.number}, field="status",
                                   code="not_held")
        return review.release(order, actor, note=note)


def review_order(*, order: Order, actor: Actor) -> Order:
    """审核 by a person: a paid order not yet reviewed goes through the review rules and, when it passes,
    is allocated. A held order is released instead (its hold is a person's call), a reviewed one is done."""
    from sihe.oms import allocation, review

    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == Order.Status.HELD:
            raise ValidationFailed(_("order %(number)s is held (%(reason)s): release it instead")
                                   % {"number": order.number, "reason": order.get_hold_reason_display()},
                                   field="status", code="order_held")
        if order.status != Order.Status.RECEIVED:
            raise ValidationFailed(_("order %(number)s is already %(status)s")
                                   % {"number": order.number, "status": order.get_status_display()},
                                   field="status", code="already_reviewed")
        if order.paid_at is None:
            raise ValidationFailed(_("order %(number)s is not paid yet") % {"number": order.number},
                                   field="status", code="not_paid")
        review.review(order, actor)
        audit.record_act(order, actor=actor, action="oms.order.review", detail=order.status)
        if order.status == Order.Status.REVIEWED:
            allocation.allocate(order, actor)
        return order


def correct_address(*, order: Order, actor: Actor, province: str, city: str, district: str = "",
                    address: str, receiver_name: str | None = None, receiver_phone: str | None = None) -> Order:
    """Customer service fixes a bad address; open shipments follow; a held order is reviewed again."""
    with tx.act():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if not order.is_open:
            raise ValidationFailed(_("order %(number)s is %(status)s: its address can no longer change")
                                   % {"number": order.number, "status": order.get_status_display()}, field="status")
        old = order.full_address
        order.province, order.city, order.district = province[:40], city[:40], district[:40]
        order.street, order.address = "", address[:300]
        if receiver_name is not None:
            order.receiver_name = receiver_name[:100]
        if receiver_phone is not None:
            order.receiver_phone = receiver_phone[:40]
        order.save()
        update_receiver(order, actor)
        timeline.add(order, "address_changed", f"客服修改地址：{old} → {order.full_address}", actor,
                     message_en=f"Address corrected: {old} → {order.full_address}")
        audit.record_act(order, actor=actor, action="oms.order.address", detail=order.full_address[:200])
        if order.status == Order.Status.HELD and order.hold_reason == Order.Hold.BAD_ADDRESS:
            from sihe.oms import allocation, review

            review.review(order, actor)
            if order.status == Order.Status.REVIEWED:
                allocation.allocate(order, actor)
        return order

