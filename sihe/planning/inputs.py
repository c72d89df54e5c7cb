"""What an MRP run reads from the books, as the plain `Item` and `Edge` values the netting takes.

Per product (all warehouses, or the run's one warehouse), on the run's first day:
- on hand less reservations (stock levels): an allocated order line or a released production
  order holds its goods by a reservation, so they are no longer available;
- gross requirements per bucket: forecasts and open orders' unreserved quantities (backorders
  included; channel orders are counted whichever warehouse will ship them), the larger of the two in each bucket — the forecast is consumed by the orders that
  arrive against it, as planners expect (an order is not demand on top of its own forecast) — plus
  the components of draft production orders (a released order has reserved them);
- scheduled receipts per bucket: open purchase orders (draft to partly received: a draft made from
  a confirmed proposal must not be proposed again) by expected date, open production orders by
  due date;
- planning fields: lead time in buckets = ⌈lead_time_days ÷ bucket_days⌉, safety stock, lot sizing;
- BOM edges from each product's normal BOM valid on the first day (else its earliest), phantom
  (kit) components replaced by their own components.

Dates before the first day fall in bucket 1 (past due demand is due now); dates at or after the
horizon's end are left out.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum

from sihe.catalog.models import Product, Warehouse
from sihe.oms.models import Order, OrderLine
from sihe.planning.lotsizing import LotRule, make_rule
from sihe.planning.models import Forecast
from sihe.planning.netting import Edge, Item
from sihe.production.models import Bom, BomLine, ProductionOrder, ProductionOrderLine
from sihe.purchasing.models import PurchaseOrder, PurchaseOrderLine
from sihe.stock.models import StockLevel

ZERO = Decimal(0)
OPEN_PO = [PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.PENDING_APPROVAL, PurchaseOrder.Status.APPROVED,
           PurchaseOrder.Status.CONFIRMED, PurchaseOrder.Status.PARTIALLY_RECEIVED]
OPEN_MO = [ProductionOrder.Status.DRAFT, ProductionOrder.Status.RELEASED, ProductionOrder.Status.IN_PROGRESS]
CLOSED_ORDER = [Order.Status.SHIPPED, Order.Status.COMPLETED, Order.Status.CANCELLED]


@dataclass
class Horizon:
    start: datetime.date
    buckets: int
    bucket_days: int

    def bucket(self, day: datetime.date) -> int | None:
        """0-based bucket of a day; before the start → 0; beyond the horizon → None."""
        index = max((day - self.start).days // self.bucket_days, 0)
        return index if index < self.buckets else None

    def day(self, bucket: int) -> datetime.date:
        """The first day of a 1-based bucket (≤ 0 lies before the start: a past due release)."""
        return self.start + datetime.timedelta(days=(bucket - 1) * self.bucket_days)

    def lead(self, days: int) -> int:
        return -(-days // self.bucket_days)


@dataclass
class Inputs:
    items: list[Item]
    edges: list[Edge]
    products: dict[str, Product]
    on_hand: dict[str, Decimal]
    missing_bom: list[str]  # made products with no BOM: the run reports them


def lot_rule(product: Product) -> LotRule:
    """The product's lot sizing rule; `periodic` reads `lot_size` as the number of buckets an order covers."""
    minimum = product.min_order_qty
    name = product.lot_sizing
    if name == "fixed" and product.lot_size > 0:
        return make_rule("fixed", lot_size=product.lot_size, min_order_qty=minimum)
    if name == "periodic":
        return make_rule("periodic", periods=max(int(product.lot_size), 1), min_order_qty=minimum)
    if name in ("wagner_whitin", "silver_meal"):
        return make_rule(name, order_cost=product.order_cost, holding=product.holding_cost_per_period,
                         min_order_qty=minimum)
    return make_rule("lot_for_lot", min_order_qty=minimum)


def _add(table: dict, sku: str, bucket: int | None, qty: Decimal, buckets: int) -> None:
    if bucket is None or qty <= 0:
        return
    row = table.get(sku)
    if row is None:
        row = table[sku] = [ZERO] * buckets
    row[bucket] += qty


def _chosen_boms(start: datetime.date) -> tuple[dict[int, Bom], dict[int, Bom]]:
    """Per product id: its normal BOM for the run (valid latest on the first day, else earliest), and
    its phantom BOM if it has one."""
    normal: dict[int, Bom] = {}
    phantom: dict[int, Bom] = {}
    for bom in Bom.objects.filter(active=True).order_by("product_id", "valid_from", "version"):
        table = phantom if bom.kind == Bom.Kind.PHANTOM else normal
        current = table.get(bom.product_id)
        if current is None or bom.valid_from <= start:
            table[bom.product_id] = bom
    return normal, phantom


def _edges(start: datetime.date, skus: dict[int, str]) -> list[Edge]:
    normal, phantom = _chosen_boms(start)
    chosen = {bom.pk: bom for bom in [*normal.values(), *phantom.values()]}
    lines = defaultdict(list)
    for line in BomLine.objects.filter(bom_id__in=chosen).order_by("bom_id", "seq"):
        lines[line.bom_id].append(line)

    def parts(bom: Bom, factor: Decimal, depth: int = 0):
        for line in lines[bom.pk]:
            per_unit = factor * line.qty / bom.quantity
            kit = phantom.get(line.component_id)
            if kit is not None and depth < 20:
                yield from parts(kit, per_unit * (1 + line.scrap_pct / 100), depth + 1)
            else:
                yield line.component_id, per_unit, line.scrap_pct

    edges: dict[tuple[int, int], Edge] = {}
    for product_id, bom in normal.items():
        for component_id, per_unit, scrap in parts(bom, Decimal(1)):
            key = (product_id, component_id)
            if key in edges:  # the same component twice (directly and in a kit): one edge, quantities added
                old = edges[key]
                total = old.qty * (1 + old.scrap_pct / 100) + per_unit * (1 + scrap / 100)
                edges[key] = Edge(skus[product_id], skus[component_id], total)
            else:
                edges[key] = Edge(skus[product_id], skus[component_id], per_unit, scrap)
    return list(edges.values())


def read(horizon: Horizon, *, warehouse: Warehouse | None = None) -> Inputs:
    buckets = horizon.buckets
    # active products, and any a BOM still uses (a component switched off is still needed)
    used = Q(pk__in=BomLine.objects.filter(bom__active=True).values("component_id")) | Q(
        pk__in=Bom.objects.filter(active=True).values("product_id"))
    products = {p.pk: p for p in Product.objects.filter(Q(active=True) | used).select_related("uom")}
    skus = {pk: p.sku for pk, p in products.items()}
    edges = [e for e in _edges(horizon.start, skus) if e.parent and e.child]
    in_boms = {e.parent for e in edges} | {e.child for e in edges}

    def here(queryset, path="warehouse"):
        return queryset.filter(**{path: warehouse}) if warehouse is not None else queryset

    available: dict[str, Decimal] = {}
    for row in here(StockLevel.objects.filter(product_id__in=products)).values("product_id").annotate(
            on_hand=Sum("on_hand"), reserved=Sum("reserved")):
        available[skus[row["product_id"]]] = row["on_hand"] - row["reserved"]

    forecast: dict[str, list[Decimal]] = {}
    end = horizon.day(buckets + 1)
    for row in Forecast.objects.filter(product_id__in=products, date__lt=end).values_list("product_id", "date", "qty"):
        _add(forecast, skus[row[0]], horizon.bucket(row[1]), row[2], buckets)

    ordered: dict[str, list[Decimal]] = {}
    lines = (OrderLine.objects.filter(cancelled=False, held=False, order__status__in=[
        s for s in Order.Status.values if s not in CLOSED_ORDER], qty__gt=F("allocated_qty")))
    for product_id, ordered_at, qty, allocated in lines.values_list("product_id", "order__ordered_at", "qty",
                                                                     "allocated_qty"):
        if product_id in skus:
            _add(ordered, skus[product_id], horizon.bucket(ordered_at.date()), qty - allocated, buckets)

    demand: dict[str, list[Decimal]] = {}
    for sku in forecast.keys() | ordered.keys():
        a, b = forecast.get(sku), ordered.get(sku)
        demand[sku] = [max(x, y) for x, y in zip(a, b, strict=True)] if a and b else list(a or b)

    drafts = here(ProductionOrderLine.objects.filter(order__status=ProductionOrder.Status.DRAFT), "order__warehouse")
    for component_id, due, lead, qty in drafts.values_list("component_id", "order__due_date",
                                                           "order__product__lead_time_days", "required_qty"):
        when = horizon.bucket(due - datetime.timedelta(days=lead))
        _add(demand, skus[component_id], when, qty, buckets)

    scheduled: dict[str, list[Decimal]] = {}
    purchase = here(PurchaseOrderLine.objects.filter(order__status__in=OPEN_PO), "order__warehouse")
    for product_id, expected, ordered_on, lead, qty, received, returned in purchase.values_list(
            "product_id", "order__expected_date", "order__order_date", "product__lead_time_days", "qty",
            "received_qty", "returned_qty"):
        due = expected or ordered_on + datetime.timedelta(days=lead)
        _add(scheduled, skus[product_id], horizon.bucket(due), qty - (received - returned), buckets)
    making = here(ProductionOrder.objects.filter(status__in=OPEN_MO))
    for product_id, due, qty, received in making.values_list("product_id", "due_date", "qty", "received_qty"):
        _add(scheduled, skus[product_id], horizon.bucket(due), qty - received, buckets)

    relevant = (in_boms | demand.keys() | scheduled.keys()
                | {p.sku for p in products.values() if p.safety_stock > 0}
                | {sku for sku, qty in available.items() if qty < 0})
    by_sku = {p.sku: p for p in products.values()}
    items = []
    for sku in sorted(relevant):
        product = by_sku[sku]
        items.append(Item(
            code=sku, lead_time=horizon.lead(product.lead_time_days), on_hand=available.get(sku, ZERO),
            safety_stock=product.safety_stock, lot=lot_rule(product), scheduled=scheduled.get(sku, ()),
            demand=demand.get(sku, ()), decimals=product.uom.precision))
    parents = {e.parent for e in edges}
    missing = sorted(sku for sku in relevant if by_sku[sku].make_or_buy == "make" and sku not in parents)
    return Inputs(items, edges, by_sku, {i.code: i.on_hand for i in items}, missing)
