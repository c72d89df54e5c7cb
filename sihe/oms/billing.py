"""From shipped orders to a 数电发票, and back with a red (负数) invoice for a return.

`invoice_orders` collects the invoiceable lines of one or more shipped orders (not cancelled, with an
amount paid), names each line `*简称*商品名` from the product's 税收分类简称, splits what the buyer paid
(tax included, after discounts) into 金额 + 税额 per china-formats.md §4.4, issues the invoice, links
it to the orders, writes each order's timeline and — when revenue is recognised at invoice — books
each order's revenue (`sales.revenue`: 应收账款 / 主营业务收入 / 应交税费—应交增值税（销项税额）).

`reverse_invoice` issues the red invoice against its 红字发票信息确认单 number and, when the blue one
booked revenue, books the opposite (`sales.revenue.reverse`) for the reversed part of each order.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from sihe.catalog.models import Product, Uom
from sihe.core import batch, sqlrows, tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.core.money import round_money
from sihe.invoicing import services as invoicing
from sihe.invoicing.models import Invoice, InvoiceSource
from sihe.ledger import services as ledger
from sihe.oms import books, timeline
from sihe.oms.models import Order, OrderLine, TimelineEntry
from sihe.oms.settings import revenue_recognition

SOURCE = "oms.order"
INVOICEABLE = (Order.Status.SHIPPED, Order.Status.COMPLETED)
MAX_ORDERS = 100
MAX_ID = 2**63 - 1


def uninvoiced_orders(*, limit: int = 50) -> list[Order]:
    """Shipped orders on no active invoice, newest first: what 开票 offers to pick from."""
    on_invoice = InvoiceSource.objects.filter(source_type=SOURCE, active=True).values("source_id")
    return list(Order.objects.filter(status__in=INVOICEABLE)
                .exclude(id__in=on_invoice.annotate(as_id=Cast("source_id", BigIntegerField())).values("as_id"))
                .select_related("channel", "partner").order_by("-shipped_at", "-pk")[:limit])


def _resolve(refs: list) -> list[Order]:
    """Orders by instance, id or number, in the order given; errors name `orders[i]`."""
    if not refs:
        raise ValidationFailed(_("choose at least one order"), field="orders")
    if len(refs) > MAX_ORDERS:
        raise ValidationFailed(_("at most %(n)s orders on one invoice") % {"n": MAX_ORDERS}, field="orders")
    ids, numbers = set(), set()
    for ref in refs:
        if isinstance(ref, Order):
            ids.add(ref.pk)
        elif isinstance(ref, int) and not isinstance(ref, bool):
            if 0 < ref <= MAX_ID:
                ids.add(ref)
        elif isinstance(ref, str):
            numbers.add(ref.strip())
            if ref.strip().isdigit() and 0 < int(ref.strip()) <= MAX_ID:
                ids.add(int(ref.strip()))
    # lock in primary-key order (the order aggregate's rule), then read the lines
    locked = Order.objects.select_for_update(of=("self",)).select_related("channel", "partner")
    found = list(locked.filter(pk__in=ids).order_by("pk")) if ids else []
    by_number, by_external = {}, defaultdict(list)
    if numbers:
        by_number = {o.number: o for o in locked.filter(number__in=numbers).order_by("pk")}
        # people type the platform's order number (API-00022), not Sihe's (api-API-00022)
        for o in locked.filter(external_id__in=numbers - set(by_number)).order_by("pk"):
            by_external[o.external_id].append(o)
    by_id = {o.pk: o for o in [*found, *by_number.values(), *(o for group in by_external.values() for o in group)]}
    orders, seen = [], set()
    for i, ref in enumerate(refs):
        if isinstance(ref, Order):
            order = by_id.get(ref.pk)
        elif isinstance(ref, str):
            text = ref.strip()
            order = by_number.get(text)
            if order is None and len(by_external.get(text, ())) > 1:
                raise ValidationFailed(
                    _("%(ref)s is an order number in several channels (%(numbers)s): give Sihe's order number")
                    % {"ref": text[:80], "numbers": ", ".join(o.number for o in by_external[text])},
                    field=f"orders[{i}]", code="ambiguous_order")
            if order is None and by_external.get(text):
                order = by_external[text][0]
            if order is None and text.isdigit() and int(text) <= MAX_ID:
                order = by_id.get(int(text))
        elif isinstance(ref, int) and not isinstance(ref, bool):
            order = by_id.get(ref)
        else:
            raise ValidationFailed(_("an order is given by its id or number"), field=f"orders[{i}]")
        if order is None:
            raise NotFound(_("no order %(ref)s") % {"ref": str(ref)[:80]}, field=f"orders[{i}]", code="unknown_order")
        if order.pk in seen:
            raise ValidationFailed(_("order %(number)s is listed twice") % {"number": order.number},
                                   field=f"orders[{i}]")
        seen.add(order.pk)
        orders.append(order)
    return orders


def _spec(value) -> str:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v not in (None, ""))[:100]
    if isinstance(value, list):
        return " ".join(str(v.get("value", "")) if isinstance(v, dict) else str(v) for v in value)[:100]
    return str(value or "")[:100]


def _gross(amount: Decimal, fx: Decimal) -> Decimal:
    return amount if fx == 1 else round_money(amount * fx)


def _shipped_lines(order_ids: list[int]) -> list[OrderLine]:
    """The orders' lines with something shipped and paid, with product and unit, in order and line order: every
    invoice reads them (written out once, sihe.core.sqlrows)."""
    if not order_ids:
        return []
    sql = (f'SELECT {sqlrows.columns(OrderLine, "l")}, {sqlrows.columns(Product, "p")}, {sqlrows.columns(Uom, "u")} '
           f'FROM "{OrderLine._meta.db_table}" l JOIN "{Product._meta.db_table}" p ON p."id" = l."product_id" '
           f'JOIN "{Uom._meta.db_table}" u ON u."id" = p."uom_id" WHERE l."order_id" IN ({", ".join(["%s"] * len(order_ids))}) '
           f'AND l."shipped_qty" > 0 AND l."amount_paid" > 0 ORDER BY l."order_id", l."line_no"')
    return sqlrows.every(sql, order_ids, OrderLine, related={"product": Product, "product__uom": Uom})


def _invoice_lines(orders: list[Order], date) -> tuple[list[invoicing.InvoiceLineIn], list[tuple[int, int]]]:
    """What shipped of each order line (its amount paid, tax included, in proportion to the quantity
    shipped; a whole line with a discount as 被折扣行 + 折扣行, as sihe.oms.books splits its revenue), then the order's shipping fee and other fees as 运费 at the first line's rate (混合销售, as
    the order's revenue books them). An order in another currency is converted at the day's rate; an
    export order (跨境出口) is invoiced at 0%."""
    lines, where = [], []
    by_order = defaultdict(list)
    for line in _shipped_lines([order.pk for order in orders]):
        by_order[line.order_id].append(line)
    for i, order in enumerate(orders):
        order_lines = by_order[order.pk]
        if not order_lines:
            raise ValidationFailed(_("order %(number)s has nothing to invoice") % {"number": order.number},
                                   field=f"orders[{i}]", code="nothing_to_invoice")
        fx = books.rate_for(order.currency, date)
        if fx is None:
            raise ValidationFailed(_("no exchange rate of %(currency)s to CNY on or before %(date)s")
                                   % {"currency": order.currency, "date": date}, field=f"orders[{i}]",
                                   code="no_exchange_rate")
        export = books.is_export(order)
        for line in order_lines:
            product = line.product
            qty = min(line.shipped_qty, line.qty)
            paid = line.amount_paid if qty >= line.qty else round_money(line.amount_paid * qty / line.qty)
            gross, discount = _gross(paid, fx), Decimal(0)
            if (qty >= line.qty and line.discount > 0 and fx == 1 and order.prices_include_tax
                    and line.line_total - line.discount == line.amount_paid):
                # the whole discounted line: 被折扣行 + 折扣行, split as the order's revenue splits it
                gross, discount = line.line_total, line.discount
            lines.append(invoicing.InvoiceLineIn(
                name=product.name, short_name=product.tax_short_name, tax_code=product.tax_code,
                tax_rate=Decimal(0) if export else line.tax_rate, qty=qty, gross=gross, discount=discount,
                spec=_spec(line.spec), unit=product.uom.name[:20], sku=product.sku, source_id=str(order.pk)))
            where.append((i, line.line_no))
        fees = order.shipping_fee + order.fee_total
        if not order.prices_include_tax:
            fees += order.tax_total - sum((line.tax for line in order.lines.all()), Decimal("0.00"))
        if fees > 0:
            first = order_lines[0]
            lines.append(invoicing.InvoiceLineIn(
                name="运费", short_name=first.product.tax_short_name, tax_code=first.product.tax_code,
                tax_rate=Decimal(0) if export else first.tax_rate, qty=1, gross=_gross(fees, fx),
                source_id=str(order.pk)))
            where.append((i, 0))
    return lines, where


def invoice_orders(*, orders: list, buyer_name: str, buyer_tax_id: str = "", actor: Actor,
                   vat_type: str = "ordinary") -> Invoice:
    """One 数电发票 for shipped orders (ids, numbers or Order rows); refuses an order that is not shipped or
    is already on an invoice, naming it (`orders[i]`).

    The orders are locked (SELECT … FOR UPDATE, in primary-key order) for the rest of the caller's
    transaction. Its audit rows, events and timeline go in together at the end of the act (sihe.core.batch)."""
    with tx.act(), batch.collect():
        found = _resolve(list(orders))
        for i, order in enumerate(found):
            if order.status not in INVOICEABLE:
                raise Conflict(_("order %(number)s is not shipped (it is %(status)s)")
                               % {"number": order.number, "status": order.get_status_display()},
                               field=f"orders[{i}]", code="not_shipped")
        taken = dict(InvoiceSource.objects.filter(source_type=SOURCE, source_id__in=[str(o.pk) for o in found],
                                                  active=True).values_list("source_id", "invoice__number"))
        for i, order in enumerate(found):
            if str(order.pk) in taken:
                raise Conflict(_("order %(number)s is already on invoice %(invoice)s")
                               % {"number": order.number, "invoice": taken[str(order.pk)]},
                               field=f"orders[{i}]", code="already_invoiced")
        lines, where = _invoice_lines(found, timezone.localdate(actor.at))
        try:
            invoice = invoicing.issue_invoice(
                buyer_name=buyer_name, buyer_tax_id=buyer_tax_id, lines=lines,
                sources=[(SOURCE, str(o.pk), o.number) for o in found], actor=actor,
                remark=f"订单号：{'、'.join(o.number for o in found)}"[:500], sources_checked=True, vat_type=vat_type)
        except ValidationFailed as error:
            raise _on_order(error, found, where) from error
        _after_invoice(invoice, found, actor)
        return invoice


def _on_order(error: ValidationFailed, orders: list[Order], where: list[tuple[int, int]]) -> ValidationFailed:
    """`lines[k].tax_code` → `orders[i].lines[line_no].tax_code`, naming the order in the message."""
    field = error.field or ""
    if field.startswith("lines[") and "]" in field:
        index_text, rest = field[len("lines["):].split("]", 1)
        if index_text.isdigit() and int(index_text) < len(where):
            i, line_no = where[int(index_text)]
            return type(error)(f"{orders[i].number} #{line_no}: {error.message}",
                               field=f"orders[{i}].lines[{line_no}]{rest}", code=error.code)
    return error


def _sums_by_order(invoice: Invoice) -> dict[str, dict[str, Decimal]]:
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"net": Decimal("0.00"), "tax": Decimal("0.00")})
    for line in getattr(invoice, "line_rows", None) or invoice.lines.all():
        sums[line.source_id]["net"] += line.amount
        sums[line.source_id]["tax"] += line.tax
    return sums


def _after_invoice(invoice: Invoice, orders: list[Order], actor: Actor) -> None:
    """Each order's timeline; with revenue at invoice, each order's revenue as invoiced (through
    `sihe.oms.books.book_revenue`, which keeps the order's receivable for settlements and AR aging)."""
    # the setting matters only for an order whose revenue is not booked yet (at shipment, every one is)
    at_invoice = any(not order.revenue_booked for order in orders) and revenue_recognition() == "invoice"
    sums = _sums_by_order(invoice) if at_invoice else {}
    entries = []
    for order in orders:
        message = f"开具数电发票 {invoice.number}，价税合计 {invoice.total}"
        data = {"invoice": invoice.number, "invoice_id": invoice.pk}
        if at_invoice and not order.revenue_booked:
            part = sums[str(order.pk)]
            amounts = {"total": part["net"] + part["tax"], "net": part["net"], "tax": part["tax"]}
            voucher = books.book_revenue(order=order, amounts=amounts, actor=actor, date=invoice.issue_date,
                                         memo=f"销售 {order.number} 发票 {invoice.number}")
            if voucher is not None:
                data["voucher"] = voucher.display_number
                message += f"，确认收入 ¥{amounts['total']}（凭证 {voucher.display_number}）"
        entries.append(timeline.entry(order, "invoiced", message, actor,
                                      message_en=f"Invoice {invoice.number} issued, total {invoice.total}", data=data))
    timeline.insert(entries)


def reverse_invoice(*, invoice: Invoice, lines: list[invoicing.RedLineIn] | None = None, reason: str,
                    confirmation_number: str, actor: Actor) -> Invoice:
    """The red invoice for a return, issued against the 红字发票信息确认单 `confirmation_number` (20
    digits); books `sales.revenue.reverse` per order when revenue was booked at invoice (the blue
    invoice's timeline entry names its voucher), and writes each order's timeline."""
    with tx.act():
        red = invoicing.issue_red_invoice(invoice=invoice, lines=lines, reason=reason, actor=actor,
                                          confirmation_number=confirmation_number)
        ids = [int(s) for s in red.sources.filter(source_type=SOURCE).values_list("source_id", flat=True)
               if s.isdigit()]
        orders = list(Order.objects.filter(pk__in=ids).select_related("channel", "partner").order_by("pk")) if ids else []
        booked_at_invoice = _booked_at_invoice(invoice, orders)
        sums = _sums_by_order(red)
        for order in orders:
            data = {"invoice": red.number, "invoice_id": red.pk, "red_of": invoice.number,
                    "confirmation_number": red.confirmation_number}
            part = sums.get(str(order.pk))
            if order.pk in booked_at_invoice and part:
                total = -(part["net"] + part["tax"])
                voucher = ledger.book(
                    rule="sales.revenue.reverse", date=red.issue_date,
                    amounts={"total": total, "net": -part["net"], "tax": -part["tax"]},
                    source_type=SOURCE, source_id=str(order.pk), memo=f"红冲 {order.number} 发票 {red.number}",
                    document=f"{order.number} 红字发票 {red.number}",
                    actor=actor, dimensions={"partner": order.partner.code if order.partner_id else order.channel.code,
                                             "channel": order.channel.code})
                Order.objects.filter(pk=order.pk).update(revenue_total=F("revenue_total") - total)
                if voucher is not None:
                    data["voucher"] = voucher.display_number
            timeline.add(order, "invoice_reversed",
                         f"开具红字发票 {red.number}（冲 {invoice.number}），价税合计 {red.total}：{red.red_reason}",
                         actor, message_en=f"Red invoice {red.number} for {invoice.number}, total {red.total}",
                         data=data)
        invoice.refresh_from_db(fields=["status"])
        if invoice.status == Invoice.Status.REVERSED and booked_at_invoice:
            Order.objects.filter(pk__in=booked_at_invoice).update(revenue_booked=False)  # a new invoice books again
        return red


def _booked_at_invoice(invoice: Invoice, orders: list[Order]) -> set[int]:
    """Orders whose revenue this blue invoice booked (its timeline entry carries the voucher)."""
    rows = TimelineEntry.objects.filter(order__in=orders, kind="invoiced", data__invoice=invoice.number)
    return {row.order_id for row in rows if row.data.get("voucher")}
