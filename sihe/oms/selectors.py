"""Reads of the order side for the API and pages: orders with filters and one order whole, their
shipments and settlements, the customer-service queue and backorders, intake errors, SKU mappings and
each channel's sync state."""

from django.db.models import F, Prefetch, Q
from django.utils import translation

from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.keyset import Keyset
from sihe.core.money import text
from sihe.invoicing.models import Invoice
from sihe.ledger.models import Voucher
from sihe.oms.models import (  # re-exported: their statuses, hold reasons, modes and kinds label the pages
    ChannelSync,
    IntakeError,
    Order,
    OrderLine,
    Settlement,
    SkuMapping,
)
from sihe.stock.models import StockMove
from sihe.wms.models import Shipment  # re-exported: Shipment.State labels an order's shipments

SOURCE_TYPE = "oms.order"
MAX_ID = 2**63 - 1
ORDERS = Keyset("received_at", "id", desc=True)  # the order list's order, newest first (index oms_order_received_keyset)


def order_by_key(key) -> Order:
    """An order by its id or its number (e.g. tb-flagship-3712345678901234567)."""
    key = str(key).strip()
    qs = Order.objects.select_related("channel", "partner")
    order = None
    if key.isdigit() and len(key) < 19:
        order = qs.filter(pk=int(key)).first()
    if order is None:
        order = qs.filter(number=key).first()
    if order is None:
        raise NotFound(f"no order {key}", field="id", code="order_not_found")
    return order


def orders(*, channel: str = "", status: str = "", warehouse: str = "", date_from=None, date_to=None, q: str = "",
           hold: str = ""):
    qs = Order.objects.select_related("channel", "partner").order_by(*ORDERS.order())
    if channel:
        qs = qs.filter(channel__code=channel)
    if status:
        if status not in Order.Status.values:
            raise ValidationFailed(f"unknown status {status}; one of {', '.join(Order.Status.values)}", field="status")
        qs = qs.filter(status=status)
    if hold:
        qs = qs.filter(hold_reason=hold)
    if warehouse:
        from sihe.oms.merging.models import MergeOrder

        ids = Shipment.objects.filter(source_type=SOURCE_TYPE, warehouse__code=warehouse).values("source_id")
        merged = MergeOrder.objects.filter(merge__warehouse__code=warehouse).values("order_id")
        qs = qs.filter(Q(pk__in=[int(i) for i in ids.values_list("source_id", flat=True)]) | Q(pk__in=merged))
    if date_from:
        qs = qs.filter(received_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(received_at__date__lte=date_to)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(external_id__icontains=q) | Q(receiver_name__icontains=q)
                       | Q(buyer_nick__icontains=q))
    return qs


def exceptions():
    """The customer-service queue: held orders and open orders with a backorder."""
    return Order.objects.filter(status=Order.Status.HELD).select_related("channel").order_by("received_at", "id")


def summary(order: Order) -> dict:
    return {"id": order.pk, "number": order.number, "channel": order.channel.code, "external_id": order.external_id,
            "status": order.status, "hold_reason": order.hold_reason, "buyer": order.buyer_nick,
            "receiver": order.receiver_name, "city": order.city, "amount_paid": str(order.amount_paid),
            "received_at": order.received_at.isoformat()}


def vouchers_of(order: Order, shipment_numbers: list[str]) -> list[Voucher]:
    move_ids = [str(i) for i in StockMove.objects.filter(reference__in=shipment_numbers).values_list("pk", flat=True)] \
        if shipment_numbers else []
    cond = Q(source_type=SOURCE_TYPE, source_id=str(order.pk))
    if move_ids:
        cond |= Q(source_type="stock_move", source_id__in=move_ids)
    return list(Voucher.objects.filter(cond).prefetch_related("lines__account").order_by("date", "pk"))


def _voucher(v: Voucher) -> dict:
    return {"id": v.pk, "number": v.display_number, "date": v.date.isoformat(), "rule": v.rule, "status": v.status,
            "memo": v.memo, "source_type": v.source_type, "source_id": v.source_id,
            "lines": [{"account": ln.account.code, "name": ln.account.name, "summary": ln.summary,
                       "debit": str(ln.debit), "credit": str(ln.credit)} for ln in v.lines.all()]}


def invoices_of(order: Order) -> list[dict]:
    """Its 数电发票, blue and red (a red one links to the same order)."""
    rows = Invoice.objects.filter(sources__source_type=SOURCE_TYPE, sources__source_id=str(order.pk)).distinct()
    return [{"id": inv.pk, "number": inv.number, "kind": inv.kind, "total": str(inv.total)}
            for inv in rows.order_by("pk")]


def detail(order: Order, *, costs: bool = True, books: bool = True) -> dict:
    """The order as the API answers it. Costs (what the goods cost the company) only for readers with
    costing.view, vouchers only with ledger.view: a packer or a service clerk sees prices, not margins."""
    zh = translation.get_language() and translation.get_language().startswith("zh")
    from sihe.oms.fulfilment import shipment_filter

    shipments = list(Shipment.objects.filter(shipment_filter(order))
                     .select_related("warehouse").prefetch_related("lines__product", "lines__picks__lot",
                                                                    "lines__picks__location").order_by("pk"))
    numbers = [s.number for s in shipments]
    lines = list(order.lines.select_related("product").all())
    merged = _merges_of(order, costs=costs)
    return {
        **summary(order),
        "shop": order.shop, "hold_detail": order.hold_detail, "channel_status": order.channel_status,
        "customer": order.partner.code if order.partner_id else None,
        "buyer_id": order.buyer_id, "buyer_message": order.buyer_message,
        "receiver_detail": {"name": order.receiver_name, "phone": order.receiver_phone, "province": order.province,
                            "city": order.city, "district": order.district, "street": order.street,
                            "address": order.address, "zip": order.zip, "country": order.country},
        "amounts": {"goods_total": str(order.goods_total), "discount_total": str(order.discount_total),
                    "shipping_fee": str(order.shipping_fee), "amount_paid": str(order.amount_paid),
                    "platform_subsidy": str(order.platform_subsidy), "refunded_total": str(order.refunded_total),
                    "revenue_booked": str(order.revenue_total), "settled": str(order.settled_total)},
        "ordered_at": order.ordered_at.isoformat(), "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None, "version": order.version,
        "lines": [{"line_no": ln.line_no, "sku": ln.product.sku, "channel_sku": ln.channel_sku,
                   "outer_sku": ln.outer_sku, "name": ln.name, "spec": ln.spec, "qty": text(ln.qty),
                   "unit_price": str(ln.unit_price), "discount": str(ln.discount), "amount_paid": str(ln.amount_paid),
                   "platform_subsidy": str(ln.platform_subsidy),
                   "tax_rate": str(ln.tax_rate), "allocated": text(ln.allocated_qty), "shipped": text(ln.shipped_qty),
                   "backorder": text(ln.backorder_qty), "refund_status": ln.refund_status} for ln in lines],
        "allocation": [{"warehouse": s.warehouse.code, "shipment": s.number,
                        "lines": [{"sku": sl.product.sku, "qty": text(sl.qty)} for sl in s.lines.all()]}
                       for s in shipments if s.state != Shipment.State.CANCELLED],
        "shipments": [{"id": s.pk, "number": s.number, "warehouse": s.warehouse.code, "state": s.state,
                       "carrier": s.carrier, "tracking_no": s.tracking_no, "cost": str(s.cost) if costs else None,
                       "shipped_at": s.shipped_at.isoformat() if s.shipped_at else None,
                       "lines": [{"sku": sl.product.sku, "qty": text(sl.qty), "shipped": text(sl.shipped_qty),
                                  "cost": str(sl.cost) if costs else None} for sl in s.lines.all()],
                       "merge": merged.get(s.number)}
                      for s in shipments],
        "timeline": [{"at": t.at.isoformat(), "kind": t.kind, "message": t.message if zh or not t.message_en
                      else t.message_en, "message_zh": t.message, "actor": t.actor} for t in order.timeline.all()],
        "vouchers": [_voucher(v) for v in vouchers_of(order, numbers)] if books else [],
        "invoices": invoices_of(order),
        "settlements": [{"kind": s.kind, "amount": str(s.amount), "fee": str(s.fee), "date": s.date.isoformat(),
                         "voucher_id": s.voucher_id} for s in order.settlements.all()],
    }


def sync_states() -> list[dict]:
    from sihe.catalog.models import Channel

    states = {s.channel_id: s for s in ChannelSync.objects.all()}
    open_errors = {}
    for code in IntakeError.objects.filter(status=IntakeError.Status.OPEN).values_list("channel_code", flat=True):
        open_errors[code] = open_errors.get(code, 0) + 1
    out = []
    for ch in Channel.objects.order_by("code"):
        s = states.get(ch.pk)
        out.append({"channel": ch.code, "name": ch.name, "type": ch.type, "mode": s.mode if s else "push",
                    "last_pull_at": s.last_pull_at.isoformat() if s and s.last_pull_at else None,
                    "last_order_at": s.last_order_at.isoformat() if s and s.last_order_at else None,
                    "lag_seconds": str(s.last_lag_seconds) if s and s.last_lag_seconds is not None else None,
                    "orders_in": s.orders_in if s else 0, "errors": s.errors if s else 0,
                    "last_error": s.last_error if s else "", "open_intake_errors": open_errors.get(ch.code, 0)})
    return out


def warehouses_of(orders: list[Order]) -> dict[str, list[str]]:
    """Per order id (as text), the codes of the warehouses its shipments not cancelled leave from."""
    houses: dict[str, list[str]] = {}
    if not orders:
        return houses
    rows = (Shipment.objects.filter(source_type=SOURCE_TYPE, source_id__in=[str(o.pk) for o in orders])
            .exclude(state=Shipment.State.CANCELLED)
            .values_list("source_id", "warehouse__code").order_by("warehouse__code").distinct())
    for source_id, code in rows:
        houses.setdefault(source_id, []).append(code)
    from sihe.oms.merging.models import Merge, MergeOrder

    for order_id, code in (MergeOrder.objects.filter(order__in=orders, merge__status__in=[Merge.Status.ACTIVE,
                                                                                           Merge.Status.SHIPPED])
                           .values_list("order_id", "merge__warehouse__code")):
        if code not in houses.setdefault(str(order_id), []):
            houses[str(order_id)].append(code)
    return houses


def shipments_of(order: Order) -> list[Shipment]:
    """The order's shipments (its own and the merged ones it is in), oldest first, with warehouse and lines."""
    from sihe.oms.fulfilment import shipment_filter

    return list(Shipment.objects.filter(shipment_filter(order))
                .select_related("warehouse").prefetch_related("lines__product").order_by("pk"))


def _merges_of(order: Order, *, costs: bool) -> dict[str, dict]:
    """Per merged shipment number: the merge, the orders in it, and this order's own part of it
    (its lines, and their share of the cost when the reader may see costs)."""
    from sihe.oms.merging.models import MergeLine, MergeOrder

    out = {}
    for member in MergeOrder.objects.filter(order=order).select_related("merge").order_by("merge_id"):
        m = member.merge
        others = list(MergeOrder.objects.filter(merge=m).exclude(order=order).values_list("order__number", flat=True))
        own = MergeLine.objects.filter(merge=m, order_line__order=order).select_related("order_line__product")
        out[m.shipment_number] = {
            "id": m.pk, "number": m.number, "status": m.status, "active": member.active, "with": others,
            "lines": [{"sku": ml.order_line.product.sku, "qty": text(ml.qty), "shipped": text(ml.shipped_qty),
                       "cost": str(ml.cost) if costs else None} for ml in own]}
    return out


def lines_of(order: Order) -> list[OrderLine]:
    """The order's lines with their products, in line order."""
    return list(order.lines.select_related("product").all())


def settlements_of(order: Order) -> list[Settlement]:
    """The money received against the order, by date."""
    return list(order.settlements.order_by("date", "pk"))


def backorders(limit: int = 200) -> list[Order]:
    """Orders reviewed, allocated or picking with a line not fully allocated, oldest first; each carries its
    short lines as `short_lines`."""
    short = OrderLine.objects.filter(cancelled=False, held=False, qty__gt=F("allocated_qty"))
    return list(
        Order.objects.filter(status__in=(Order.Status.REVIEWED, Order.Status.ALLOCATED, Order.Status.PICKING),
                             pk__in=short.values("order_id"))
        .select_related("channel").order_by("received_at", "id")
        .prefetch_related(Prefetch("lines", queryset=short.select_related("product").order_by("line_no"),
                                   to_attr="short_lines"))[:limit])


def intake_errors(*, status: str = "all", channel: str = ""):
    """Payloads refused at intake, newest first; of one status unless `status` is "all", of one channel."""
    qs = IntakeError.objects.order_by("-created_at", "-id")
    if status != "all":
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel_code=channel)
    return qs


def intake_error(pk: int) -> IntakeError:
    """One refused payload by id."""
    found = IntakeError.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"no intake error {pk}", field="error_id")
    return found


def unmapped_sku_errors(limit: int = 200) -> list[IntakeError]:
    """The open intake errors refused for an unknown channel SKU, newest first."""
    return list(IntakeError.objects.filter(status=IntakeError.Status.OPEN, code="unknown_sku")
                .order_by("-created_at")[:limit])


def sku_mappings(*, channel: str = "", q: str = ""):
    """Channel SKUs mapped to our products, by channel and channel SKU; `q` matches either SKU or the name."""
    qs = SkuMapping.objects.select_related("channel", "product").order_by("channel__code", "channel_sku")
    if channel:
        qs = qs.filter(channel__code=channel)
    if q:
        qs = qs.filter(Q(channel_sku__icontains=q) | Q(product__sku__icontains=q) | Q(product__name__icontains=q))
    return qs


def sku_mapping(pk: int, *, channel: str | None = None) -> SkuMapping:
    """One SKU mapping with its channel, if `channel` is given only one of that channel."""
    qs = SkuMapping.objects.filter(pk=pk)
    if channel is not None:
        qs = qs.filter(channel__code=channel)
    found = qs.select_related("channel").first() if 0 < pk <= MAX_ID else None
    if found is None:
        where = f" on {channel}" if channel is not None else ""
        raise NotFound(f"no mapping {pk}{where}", field="mapping_id")
    return found


# -- settlement statements (账单, sihe.oms.statements) ----------------------------------------------------

from sihe.oms.models import SettlementStatement, StatementRow  # noqa: E402  re-exported: row statuses label the pages


def statements(*, channel: str = ""):
    """Imported settlement statements, newest first; of one channel when `channel` is given."""
    qs = SettlementStatement.objects.select_related("channel").order_by("-imported_at", "-id")
    if channel:
        qs = qs.filter(channel__code=channel)
    return qs


def statement(pk: int) -> SettlementStatement:
    """One imported statement by id (not found is a 404 naming `statement_id`)."""
    found = SettlementStatement.objects.select_related("channel").filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"no statement {pk}", field="statement_id", code="statement_not_found")
    return found


def statement_rows(stmt: SettlementStatement, *, status: str = "") -> list[StatementRow]:
    """The statement's rows in file order (differences first when `status` is "difference" only)."""
    qs = stmt.rows.select_related("order").order_by("line_no", "pk")
    if status:
        if status not in StatementRow.Status.values:
            raise ValidationFailed(f"unknown status {status}; one of {', '.join(StatementRow.Status.values)}",
                                   field="status")
        qs = qs.filter(status=status)
    return list(qs)


def statement_summary(stmt: SettlementStatement) -> dict:
    return {"id": stmt.pk, "channel": stmt.channel.code, "file_name": stmt.file_name, "layout": stmt.layout,
            "rows_read": stmt.rows_read, "matched": stmt.matched, "duplicates": stmt.duplicates,
            "differences": stmt.differences, "amount_total": str(stmt.amount_total), "fee_total": str(stmt.fee_total),
            "imported_at": stmt.imported_at.isoformat(), "imported_by": stmt.imported_by}


def statement_row(row: StatementRow) -> dict:
    return {"line": row.line_no, "lines": [int(n) for n in row.lines.split(",") if n], "row_ref": row.row_ref,
            "order_no": row.order_no, "order": {"id": row.order_id, "number": row.order.number} if row.order_id else None,
            "amount": str(row.amount), "fee": str(row.fee), "total": str(row.amount + row.fee),
            "date": row.date.isoformat() if row.date else None, "status": row.status, "reason": row.reason,
            "receivable": str(row.receivable) if row.receivable is not None else None, "message": row.message,
            "settlement_id": row.settlement_id}


def statement_detail(stmt: SettlementStatement, *, status: str = "") -> dict:
    """The statement with its rows (of one status when given)."""
    return {**statement_summary(stmt), "rows": [statement_row(r) for r in statement_rows(stmt, status=status)]}
