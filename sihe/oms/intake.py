"""Intake: a channel's raw JSON in, one order out — reviewed and allocated in the same act.

    receive_order(channel_code=..., body=raw bytes or dict, actor=...) -> IntakeResult
    receive_orders(channel_code=..., body=...) -> IntakeResult for one order, IntakePage for a page of them

The same order twice is one order (channel + channel order id). A later version (newer
`updated_at`) applies as changes with history on the timeline: payment, cancel, refund status,
address change before shipping. A payload we cannot take (malformed, unknown SKU) changes nothing
but one row of the intake error list, where a person fixes the mapping and replays it.
"""

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel, Partner, Product, Uom
from sihe.core import audit, batch, clock, outbox, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.errors import DomainError, NotFound, ValidationFailed
from sihe.oms import allocation, review, timeline
from sihe.oms.channels import ChannelPayloadError, NormalizedOrder, normalize, split_orders
from sihe.oms.models import ChannelSync, IntakeError, Order, OrderLine, SkuMapping

MAX_BODY = 2_000_000


class UnknownSku(ValidationFailed):
    code = "unknown_sku"


@dataclass
class IntakeResult:
    order: Order
    created: bool
    duplicate: bool = False
    changes: list[str] = field(default_factory=list)


@dataclass
class PageEntry:
    """One order of a page: where it was in the body (`path`), and what became of it — an intake result,
    or the refusal and the intake error row that keeps it for a person."""

    index: int
    path: str
    result: IntakeResult | None = None
    error: DomainError | None = None
    intake_error: IntakeError | None = None

    @property
    def outcome(self) -> str:
        if self.result is None:
            return "refused"
        if self.result.created:
            return "created"
        return "duplicate" if self.result.duplicate else "updated"

    @property
    def external_id(self) -> str:
        if self.result is not None:
            return self.result.order.external_id
        return self.intake_error.external_id if self.intake_error is not None else ""

    @property
    def error_field(self) -> str:
        """The field at fault as a path in the body as received (…orderInfoList[2].orderState) for a payload
        error; other refusals (unknown_sku: lines[0].sku) name the order's field as a single intake would."""
        field_ = (self.error.field or "") if self.error is not None else ""
        if not isinstance(self.error, ChannelPayloadError):
            return field_
        return self.path if field_ in ("", "$") else f"{self.path}.{field_}" if self.path else field_

    @property
    def error_message(self) -> str:
        if isinstance(self.error, ChannelPayloadError):
            return f"{self.error_field}: {self.error.reason}"
        return self.error.message if self.error is not None else ""


@dataclass
class IntakePage:
    """What became of each order of a page, with the platform's paging facts for whoever pulls."""

    entries: list[PageEntry]
    total: int | None = None
    has_next: bool | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for entry in self.entries if entry.outcome == outcome)


def parse_body(body):
    """The body as JSON: an object, or (WooCommerce's order list) an array; anything else is refused by
    the adapter, naming `$`."""
    if isinstance(body, dict):
        return body
    if isinstance(body, bytes | bytearray):
        if len(body) > MAX_BODY:
            raise ChannelPayloadError("$", _("the payload is larger than 2 MB"))
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ChannelPayloadError("$", _("the payload is not UTF-8 text")) from exc
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise ChannelPayloadError("$", _("the payload is not valid JSON: %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict | list):
        raise ChannelPayloadError("$", _("the payload must be a JSON object"))
    return data


def channel_by_code(code: str) -> Channel:
    channel = Channel.objects.filter(code=code).first()
    if channel is None:
        raise NotFound(_("no sales channel %(code)s") % {"code": code}, field="channel_code")
    if not channel.active:
        raise ValidationFailed(_("sales channel %(code)s is not active") % {"code": code}, field="channel_code")
    return channel


def _candidates(channel: Channel, keys: set[str], wanted: set[str]) -> tuple[dict, dict]:
    """The channel's mappings of `keys` and our products of SKU `wanted`, each with its unit, in one statement
    (every order's intake reads them, sihe.core.sqlrows): a UNION ALL of the mapping's read and the SKUs' read,
    each on its own unique index, the mapped channel SKU beside the product (NULL for a product by SKU)."""
    parts, params = [], []
    head = (f'SELECT {sqlrows.columns(Product, "p")}, {sqlrows.columns(Uom, "u")}, {{mapped}} '
            f'FROM "{Product._meta.db_table}" p JOIN "{Uom._meta.db_table}" u ON u."id" = p."uom_id"')
    if keys:
        parts.append(head.format(mapped='m."channel_sku"') + f' JOIN "{SkuMapping._meta.db_table}" m ON m."product_id" = p."id" '
                     f'WHERE m."channel_id" = %s AND m."channel_sku" IN ({", ".join(["%s"] * len(keys))})')
        params += [channel.pk, *sorted(keys)]
    if wanted:
        parts.append(head.format(mapped="NULL") + f' WHERE p."sku" IN ({", ".join(["%s"] * len(wanted))})')
        params += sorted(wanted)
    if not parts:
        return {}, {}
    mapped, products = {}, {}
    for product in sqlrows.every(" UNION ALL ".join(parts), params, Product, related={"uom": Uom}, extra=("mapped",)):
        if product.mapped is None:
            products[product.sku] = product
        else:
            mapped[product.mapped] = product
    return mapped, products


def resolve_products(channel: Channel, order: NormalizedOrder) -> list[Product]:
    """Each line's product: a mapping of its channel SKU or outer id first, then our SKU = outer id."""
    keys = {k for line in order.lines for k in (line.channel_sku, line.outer_sku) if k}
    wanted = {line.outer_sku for line in order.lines if line.outer_sku}
    mapped, products = _candidates(channel, keys, wanted)
    out = []
    for i, line in enumerate(order.lines):
        product = mapped.get(line.channel_sku) or mapped.get(line.outer_sku) or products.get(line.outer_sku)
        if product is None or not product.active:
            shown = line.outer_sku or line.channel_sku or line.name
            spec = "".join(f" {k}:{v}" for k, v in line.spec.items())
            raise UnknownSku(_("unknown SKU %(sku)s%(spec)s (%(name)s): map it on the SKU mappings page")
                             % {"sku": shown, "spec": spec, "name": line.name}, field=f"lines[{i}].sku")
        out.append(product)
    return out


def _receiver_fields(order: NormalizedOrder) -> dict:
    r = order.receiver
    return {"receiver_name": r.name[:100], "receiver_phone": r.phone[:40], "province": r.province[:40],
            "city": r.city[:40], "district": r.district[:40], "street": r.street[:100], "address": r.detail[:300],
            "zip": r.zip[:20], "country": r.country[:40]}


CENT = Decimal("0.01")


def subsidy_shares(subsidy: Decimal, discounts: list[Decimal]) -> list[Decimal]:
    """The order's platform subsidy per line: in proportion to the lines' discounts (the subsidy is a part
    of them), half up to the fen, no line's share above its own discount; the parts add up to the subsidy."""
    weights = [max(d, Decimal(0)) for d in discounts]
    base = sum(weights, Decimal(0))
    shares = [(subsidy * w / base).quantize(CENT, rounding=ROUND_HALF_UP) if base else Decimal("0.00")
              for w in weights]
    shares = [min(share, w) for share, w in zip(shares, weights, strict=True)]
    left = subsidy - sum(shares, Decimal(0))
    for i in reversed(range(len(shares))):  # the rounding remainder, from the last line up
        take = max(min(left, weights[i] - shares[i]), -shares[i])
        shares[i] += take
        left -= take
    if left and shares:
        shares[-1] += left
    return shares


def _create(channel: Channel, normalized: NormalizedOrder, products: list[Product], payload: dict,
            actor: Actor) -> tuple[Order, list[OrderLine]]:
    """The order and its lines (with their products), which its first steps use as written, not read back."""
    partner = None
    customer_code = normalized.extra.get("customer") if isinstance(normalized.extra, dict) else None
    if customer_code:
        partner = Partner.objects.filter(code=customer_code).first()
        if partner is None:
            raise ValidationFailed(_("unknown customer %(code)s") % {"code": customer_code}, field="customer")
    min_days = channel.min_shelf_life_days
    if partner is not None and partner.min_shelf_life_days is not None:
        min_days = max(min_days or 0, partner.min_shelf_life_days)
    order = Order.objects.create(
        number=f"{channel.code}-{normalized.external_id}"[:80], channel=channel, external_id=normalized.external_id,
        shop=normalized.shop[:100], channel_status=normalized.channel_status[:60], partner=partner,
        buyer_id=normalized.buyer.id[:100], buyer_nick=normalized.buyer.nick[:100],
        buyer_email=normalized.buyer.email[:200], buyer_message=normalized.buyer_message[:500],
        currency=normalized.currency[:3] or "CNY", goods_total=normalized.goods_total,
        discount_total=normalized.discount_total, shipping_fee=normalized.shipping_fee, fee_total=normalized.fee_total,
        tax_total=normalized.tax_total, amount_paid=normalized.amount_paid, platform_subsidy=normalized.platform_subsidy,
        refunded_total=normalized.refunded_total, prices_include_tax=normalized.prices_include_tax,
        ordered_at=normalized.created_at, paid_at=normalized.paid_at, channel_updated_at=normalized.updated_at,
        min_shelf_life_days=min_days, payload=payload, **_receiver_fields(normalized),
    )
    subsidies = subsidy_shares(normalized.platform_subsidy, [line.discount for line in normalized.lines])
    lines = OrderLine.objects.bulk_create([
        OrderLine(order=order, line_no=i, external_line_id=line.external_line_id[:64],
                  channel_sku=line.channel_sku[:100], outer_sku=line.outer_sku[:100], product=product,
                  name=(line.name or product.name)[:300], spec=line.spec, qty=line.qty, unit_price=line.unit_price,
                  line_total=line.line_total, discount=line.discount, tax=line.tax, amount_paid=line.amount_paid,
                  platform_subsidy=subsidy, tax_rate=product.tax_rate, refund_status=line.refund_status[:60],
                  cancelled=not line.shippable and line.status in ("cancelled", "closed"),
                  held=not line.shippable and line.status not in ("cancelled", "closed") and bool(line.refund_status))
        for i, (line, product, subsidy) in enumerate(zip(normalized.lines, products, subsidies, strict=True), start=1)
    ])
    return order, lines


def _start(order: Order, lines: list[OrderLine], normalized: NormalizedOrder, actor: Actor) -> list:
    """A new order's first steps: received, then (if paid) reviewed and allocated."""
    subsidy_zh = f"，平台补贴 ¥{order.platform_subsidy}" if order.platform_subsidy else ""
    subsidy_en = f", platform subsidy ¥{order.platform_subsidy}" if order.platform_subsidy else ""
    entries = [timeline.entry(
        order, "received", f"已接收{order.channel.name}订单 {order.external_id}，实付 ¥{order.amount_paid}{subsidy_zh}",
        actor, message_en=f"Received {order.channel.name} order {order.external_id}, paid ¥{order.amount_paid}{subsidy_en}")]
    if normalized.status in ("cancelled", "closed"):
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])
        entries.append(timeline.entry(order, "cancelled", "渠道订单已取消", actor, message_en="Cancelled on the channel"))
        return entries
    if normalized.status == "pending_payment":
        entries.append(timeline.entry(order, "waiting", "等待买家付款", actor, message_en="Waiting for payment"))
        return entries
    if normalized.status in ("shipped", "completed"):
        review.hold(order, Order.Hold.MANUAL, actor, detail=_("the channel says it was already shipped"),
                    entries=entries)
        return entries
    if normalized.hold_reason:
        if all(line.held or line.cancelled for line in lines):
            review.hold(order, Order.Hold.REFUND, actor, detail=normalized.hold_reason, entries=entries)
            return entries
        held = "、".join(f"{line.name}×{line.qty.normalize():f}" for line in lines if line.held)
        entries.append(timeline.entry(order, "split_refund", f"退款中的商品暂不发货：{held}；其余正常发货", actor,
                                      message_en=f"Lines with a refund in progress stay back: {held}; the rest ships"))
    review.review(order, actor, entries=entries, save=False)
    if order.status == Order.Status.REVIEWED:
        allocation.allocate(order, actor, entries=entries, lines=lines)  # saves the status it moves the order to
        if order.status == Order.Status.REVIEWED:  # nothing allocated (nor held): reviewed is where it stays
            order.save(update_fields=review.REVIEWED_FIELDS)
    return entries


def _refunds_after_shipment(order: Order, normalized: NormalizedOrder, actor: Actor) -> list[str]:
    """The platform refunded shipped lines: each becomes a refund-only after-sales case (once per platform
    refund id), refunded in the books at once when it can be (else it waits in the service queue)."""
    from sihe.oms.aftersales import services as aftersales

    refunded = [line for line in normalized.lines if line.refunded]
    if not refunded:
        return []
    ours = {line.external_line_id: line for line in order.lines.all()}
    done = []
    for their in refunded:
        line = ours.get(their.external_line_id)
        if line is None or line.shipped_qty <= 0:
            continue
        ref = their.refund_id or f"{their.external_line_id}/refund"
        case = aftersales.take_channel_refund(order=order, line=line, channel_ref=ref, actor=actor)
        if case is not None:
            done.append("aftersales")
    return done


def _changes(order: Order, normalized: NormalizedOrder, payload: dict, actor: Actor) -> list[str]:
    """Apply a later version of an order we have: what changed, in words, on the timeline."""
    from sihe.oms import fulfilment

    changes: list[str] = []
    entries = []
    shipped = order.status in (Order.Status.SHIPPED, Order.Status.COMPLETED)
    new_receiver = _receiver_fields(normalized)
    old_receiver = {k: getattr(order, k) for k in new_receiver}
    if new_receiver != old_receiver:
        old_text = "".join(old_receiver[k] for k in ("province", "city", "district", "street", "address"))
        new_text = "".join(new_receiver[k] for k in ("province", "city", "district", "street", "address"))
        if shipped:
            entries.append(timeline.entry(order, "address_refused", f"已发货，地址修改未采用：{new_text}", actor,
                                          message_en=f"Already shipped: address change not applied ({new_text})"))
            changes.append("address_refused")
        else:
            for key, value in new_receiver.items():
                setattr(order, key, value)
            fulfilment.update_receiver(order, actor)
            entries.append(timeline.entry(order, "address_changed", f"收货地址已修改：{old_text} → {new_text}", actor,
                                          message_en=f"Address changed: {old_text} → {new_text}",
                                          data={"old": old_receiver, "new": new_receiver}))
            changes.append("address")
    theirs = {line.external_line_id: line for line in normalized.lines}
    released_lines = False
    for line in order.lines.all():
        their = theirs.get(line.external_line_id)
        status = their.refund_status if their is not None else line.refund_status
        held = bool(their is not None and not their.shippable and their.status not in ("cancelled", "closed")
                    and their.refund_status) if line.shipped_qty == 0 else False
        closed = bool(their is not None and line.shipped_qty == 0 and not line.cancelled
                      and (their.status in ("cancelled", "closed") or their.refund_status == "SUCCESS"))
        if closed:
            OrderLine.objects.filter(pk=line.pk).update(cancelled=True, held=False)
            line.cancelled, held = True, False
            entries.append(timeline.entry(order, "line_closed", f"{line.name} 退款成功/已关闭，该行不再发货", actor,
                                          message_en=f"{line.name}: refunded or closed, will not ship"))
            changes.append("line_closed")
        elif held != line.held:
            OrderLine.objects.filter(pk=line.pk).update(held=held)
            released_lines = released_lines or not held
        if status != line.refund_status:
            OrderLine.objects.filter(pk=line.pk).update(refund_status=status[:60])
            entries.append(timeline.entry(order, "refund", f"{line.name} 退款状态：{status or '无'}", actor,
                                          message_en=f"{line.name} refund status: {status or 'none'}"))
            changes.append("refund")
    if normalized.refunded_total != order.refunded_total:
        order.refunded_total = normalized.refunded_total
        changes.append("refunded_total")
    order.channel_status = normalized.channel_status[:60]
    order.channel_updated_at = normalized.updated_at
    order.payload = payload
    order.version = F("version") + 1
    order.save()
    order.refresh_from_db(fields=["version"])
    timeline.insert(entries)
    if "line_closed" in changes:
        from sihe.oms import fulfilment as _f

        _f.settle_status(order, actor)
    changes += _refunds_after_shipment(order, normalized, actor)
    if normalized.status in ("cancelled", "closed") and order.status != Order.Status.CANCELLED:
        if shipped:
            timeline.add(order, "cancel_after_ship", "渠道已取消，但订单已发货：转售后处理", actor,
                         message_en="Cancelled on the channel after shipping: goes to after-sales")
            changes.append("cancel_after_ship")
        else:
            fulfilment.cancel_order(order=order, actor=actor, reason=_("cancelled on the channel"))
            changes.append("cancelled")
    elif order.status == Order.Status.RECEIVED and normalized.status not in ("pending_payment",):
        order.paid_at = normalized.paid_at
        order.amount_paid = normalized.amount_paid
        order.save(update_fields=["paid_at", "amount_paid"])
        later = [timeline.entry(order, "paid", f"买家已付款 ¥{order.amount_paid}", actor,
                                message_en=f"Paid ¥{order.amount_paid}")]
        review.review(order, actor, entries=later)
        if order.status == Order.Status.REVIEWED:
            allocation.allocate(order, actor, entries=later)
        timeline.insert(later)
        changes.append("paid")
    elif normalized.hold_reason and order.is_open and order.status == Order.Status.REVIEWED:
        review.hold(order, Order.Hold.REFUND, actor, detail=normalized.hold_reason)
        changes.append("held")
    elif released_lines and order.status in (Order.Status.ALLOCATED, Order.Status.REVIEWED):
        allocation.allocate(order, actor)
        changes.append("allocated")
    return changes


def _same_lines(order: Order, normalized: NormalizedOrder) -> str | None:
    """A later version must keep the order's lines; a different line set is refused (field named)."""
    ours = {(line.external_line_id, line.qty) for line in order.lines.all()}
    theirs = {(line.external_line_id[:64], line.qty) for line in normalized.lines}
    return None if ours == theirs else "lines"


def intake(*, channel: Channel, payload: dict, actor: Actor) -> IntakeResult:
    """One act: normalize, map, create or apply changes, review, allocate; events and audit."""
    normalized = normalize(channel.type, payload, shop=channel.code)
    with tx.act():
        existing = Order.objects.filter(channel=channel, external_id=normalized.external_id).first()
        if existing is not None:
            existing = Order.objects.select_for_update().get(pk=existing.pk)
            if normalized.updated_at <= existing.channel_updated_at:
                return IntakeResult(order=existing, created=False, duplicate=True)
            if _same_lines(existing, normalized):
                raise ValidationFailed(_("a later version of order %(id)s changes its lines; that needs a person")
                                       % {"id": normalized.external_id}, field="lines", code="lines_changed")
            changes = _changes(existing, normalized, payload, actor)
            existing.refresh_from_db()
            audit.record_act(existing, actor=actor, action="oms.order.update", detail=", ".join(changes))
            outbox.emit("oms.order.updated", aggregate_type="order", aggregate_id=existing.number, actor=actor,
                        payload={"number": existing.number, "changes": changes, "status": existing.status})
            return IntakeResult(order=existing, created=False, changes=changes)
        products = resolve_products(channel, normalized)
        order, lines = _create(channel, normalized, products, payload, actor)
        entries = _start(order, lines, normalized, actor)
        timeline.insert(entries)
        outbox.emit("oms.order.received", aggregate_type="order", aggregate_id=order.number, actor=actor,
                    payload={"number": order.number, "channel": channel.code, "external_id": order.external_id,
                             "status": order.status, "amount_paid": str(order.amount_paid)})
        return IntakeResult(order=order, created=True)


def _note_sync(channel: Channel, *, ok: bool, order: Order | None = None, error: str = "") -> None:
    """The channel's one counter row: an order in (the row made if the channel has none yet) or an error."""
    now = clock.now()
    if ok:
        lag = Decimal(str(round((now - order.channel_updated_at).total_seconds(), 3))) if order is not None else None
        sql, params = sqlrows.upsert_statement(
            ChannelSync(channel=channel, orders_in=1, last_order_at=now, last_lag_seconds=lag), conflict="channel",
            add=("orders_in",), replace=("last_order_at", "last_lag_seconds"))
        if not batch.write_later(sql, params):  # an act that collects takes the hot row in its last statement
            with transaction.get_connection().cursor() as cursor:
                cursor.execute(sql, params)
        return
    values = {"last_error": error[:500], "last_error_at": now, "errors": F("errors") + 1}
    if not ChannelSync.objects.filter(channel=channel).update(**values):
        ChannelSync.objects.get_or_create(channel=channel)
        ChannelSync.objects.filter(channel=channel).update(**values)


def record_error(*, channel: Channel | None, channel_code: str, body, error: DomainError) -> IntakeError:
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes | bytearray) else (
        json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else str(body))
    external_id = ""
    try:
        data = json.loads(raw)
        for key in ("tid", "order_id", "orderId", "id", "shop_order_id"):
            if isinstance(data, dict) and data.get(key) not in (None, ""):
                external_id = str(data[key])[:64]
                break
    except ValueError:
        pass
    with transaction.atomic():
        same = IntakeError.objects.filter(channel_code=channel_code, external_id=external_id, code=error.code,
                                          status=IntakeError.Status.OPEN).first() if external_id else None
        if same is not None:
            IntakeError.objects.filter(pk=same.pk).update(attempts=F("attempts") + 1, raw=raw, reason=str(error)[:500],
                                                          field=(error.field or "")[:200])
            row = same
        else:
            row = IntakeError.objects.create(channel=channel, channel_code=channel_code[:40], external_id=external_id,
                                             code=error.code[:40], field=(error.field or "")[:200],
                                             reason=str(error)[:500], raw=raw)
        if channel is not None:
            _note_sync(channel, ok=False, error=str(error))
        return row


def _take(channel: Channel, payload, actor: Actor) -> IntakeResult:
    """One order in one transaction (durable unless the caller already holds one).

    The same order arriving twice at the same moment (a webhook and a pull, two webhook retries): both
    look, find nothing and insert; the database's unique (channel, external id) lets one in and the other
    fails — that one is taken again, finds the order and answers `duplicate` like any repeat."""
    for attempt in (1, 2):
        try:
            outer = tx.entry() if not transaction.get_connection().in_atomic_block else transaction.atomic()
            with outer:
                with batch.collect():
                    result = intake(channel=channel, payload=payload, actor=actor)
                    if result.created:  # the channel's one counter row, taken last: held for the commit only
                        _note_sync(channel, ok=True, order=result.order)
            return result
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _kept(error: DomainError) -> bool:
    """Refusals a person can fix (bad payload, unknown SKU, changed lines) go to the intake error list."""
    return error.status in (400, 404, 422) or error.code in ("unknown_sku", "invalid_payload", "lines_changed")


def receive_order(*, channel_code: str, body, actor: Actor) -> IntakeResult:
    """The entry point of every connector: one durable transaction; a refusal is kept as an intake error."""
    channel = channel_by_code(channel_code)
    try:
        return _take(channel, parse_body(body), actor)
    except DomainError as error:
        if _kept(error):
            record_error(channel=channel, channel_code=channel_code, body=body, error=error)
        raise


def receive_orders(*, channel_code: str, body, actor: Actor) -> IntakeResult | IntakePage:
    """Whatever a platform's order API answered: one order, or a page of them (a pull's trades.sold.get,
    order.search, searchList).

    A body that holds one order — a one-order envelope, a bare order, a page of one — is `receive_order`,
    unchanged: the same answer, its refusal a 4xx naming the path in the body. A page is taken order by
    order, each in its own transaction and idempotent on its own (the same order twice is one order); a
    refused order is kept on the intake error list (its own JSON, to fix and replay) and the others go on."""
    channel = channel_by_code(channel_code)
    try:
        page = split_orders(channel.type, parse_body(body))
    except DomainError as error:
        if _kept(error):
            record_error(channel=channel, channel_code=channel_code, body=body, error=error)
        raise
    if page.listed is None or len(page.orders) == 1:
        return receive_order(channel_code=channel_code, body=body, actor=actor)
    entries = [_take_listed(channel, index, node, actor) for index, node in enumerate(page.orders)]
    return IntakePage(entries=entries, total=page.total, has_next=page.has_next)


def _take_listed(channel: Channel, index: int, node, actor: Actor) -> PageEntry:
    """One order of a page: taken like a single order's bare JSON, its refusal kept and reported, not raised."""
    entry = PageEntry(index=index, path=node.path)
    try:
        entry.result = _take(channel, node.value, actor)
    except DomainError as error:
        entry.error = error
        if _kept(error):
            entry.intake_error = record_error(channel=channel, channel_code=channel.code, body=json.dumps(
                node.value, ensure_ascii=False), error=error)
    return entry


def replay_error(*, error: IntakeError, actor: Actor, body=None) -> IntakeResult:
    """Try a stored payload again (after a mapping was added), or a corrected one."""
    if error.status != IntakeError.Status.OPEN:
        raise ValidationFailed(_("intake error %(id)s is already %(status)s")
                               % {"id": error.pk, "status": error.get_status_display()}, field="status")
    result = receive_order(channel_code=error.channel_code, body=body if body is not None else error.raw, actor=actor)
    IntakeError.objects.filter(pk=error.pk).update(status=IntakeError.Status.REPLAYED, resolved_at=clock.now(),
                                                   order=result.order)
    return result


def dismiss_error(*, error: IntakeError, actor: Actor) -> IntakeError:
    with transaction.atomic():
        IntakeError.objects.filter(pk=error.pk).update(status=IntakeError.Status.DISMISSED, resolved_at=clock.now())
        audit.record_act(error, actor=actor, action="oms.intake_error.dismiss", detail=error.reason[:100])
    error.refresh_from_db()
    return error


def map_sku(*, channel: Channel, channel_sku: str, product: Product, actor: Actor, note: str = "") -> SkuMapping:
    channel_sku = (channel_sku or "").strip()
    if not channel_sku or len(channel_sku) > 100:
        raise ValidationFailed(_("the channel SKU is required (at most 100 characters)"), field="channel_sku")
    with transaction.atomic():
        mapping, created = SkuMapping.objects.update_or_create(
            channel=channel, channel_sku=channel_sku, defaults={"product": product, "note": note[:200]})
        audit.record_act(mapping, actor=actor, action="oms.mapping.create" if created else "oms.mapping.update",
                         detail=f"{channel.code}:{channel_sku} → {product.sku}")
        return mapping


def unmap_sku(*, mapping: SkuMapping, actor: Actor) -> None:
    with transaction.atomic():
        audit.record_act(mapping, actor=actor, action="oms.mapping.delete",
                         detail=f"{mapping.channel.code}:{mapping.channel_sku}")
        mapping.delete()
