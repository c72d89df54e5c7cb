"""Sourcing: one pool of stock, allocated to the nearest warehouse that can ship the whole order.

The rule (docs/design/orders.md):
1. the nearest warehouse (receiver's city → warehouse, great-circle km) that has every line → one shipment;
2. else the set of warehouses that covers the order at the least cost, cost = Σ distance of the
   warehouses used + split penalty (setting, in km) × (warehouses − 1); inside that set each line
   takes from the nearest first;
3. else (nothing covers it): per setting, ship what is there and backorder the rest (补发), or hold
   the whole order as out of stock. Backorders are allocated again when stock arrives.
Reservations go through the stock ledger (sihe.wms.shipping.create_shipment → stock.reserve), so two
orders never hold the same unit; the level rows are locked first, in primary-key order.
"""

import datetime
import itertools
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from sihe.catalog.models import Warehouse
from sihe.core import outbox, tx
from sihe.core.actor import Actor
from sihe.oms import geo, timeline, transitions
from sihe.oms.models import Order, OrderLine
from sihe.oms.settings import policy
from sihe.stock import locks, removal
from sihe.stock.errors import InsufficientStock, ShortShelfLife
from sihe.wms import shipping

FAR = 1e6  # a warehouse or receiver we cannot place ranks last


def distances(order: Order, warehouses: list[Warehouse]) -> dict[int, float]:
    here = geo.locate(order.province, order.city)
    out = {}
    for wh in warehouses:
        there = geo.warehouse_point(wh)
        out[wh.pk] = geo.km(here, there) if here and there else FAR
    return out


def plan(needs: list[tuple[int, int, Decimal]], available: dict[tuple[int, int], Decimal],
         dist: dict[int, float], penalty_km: float) -> tuple[dict[int, list[tuple[int, Decimal]]], dict[int, Decimal]]:
    """needs: (line id, product id, qty). Returns ({warehouse: [(line id, qty)]}, {line id: short qty})."""
    order = sorted(dist, key=lambda w: (dist[w], w))
    demand: dict[int, Decimal] = {}
    for _line, product, qty in needs:
        demand[product] = demand.get(product, Decimal(0)) + qty

    def covers(whs) -> bool:
        return all(sum((available.get((p, w), Decimal(0)) for w in whs), Decimal(0)) >= q for p, q in demand.items())

    chosen = next(([w] for w in order if covers([w])), None)
    if chosen is None:
        best = None
        for size in range(2, min(len(order), 6) + 1):
            for combo in itertools.combinations(order, size):
                if covers(combo):
                    cost = sum(dist[w] for w in combo) + penalty_km * (size - 1)
                    if best is None or cost < best[0]:
                        best = (cost, sorted(combo, key=lambda w: (dist[w], w)))
        chosen = best[1] if best else order
    left = dict(available)
    result: dict[int, list[tuple[int, Decimal]]] = {}
    short: dict[int, Decimal] = {}
    for line_id, product, qty in needs:
        need = qty
        for w in chosen:
            take = min(need, max(left.get((product, w), Decimal(0)), Decimal(0)))
            if take > 0:
                result.setdefault(w, []).append((line_id, take))
                left[(product, w)] -= take
                need -= take
            if need == 0:
                break
        if need > 0:
            short[line_id] = need
    return result, short


def promised(actor: Actor) -> datetime.datetime:
    """The ship-by time people read on the timeline: today at the cut-off hour, or tomorrow after it."""
    now = timezone.localtime(actor.at)
    hour = policy().ship_by_hour
    day = now.date() if now.hour < hour else now.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _levels(product_ids: set[int], warehouse_ids: list[int]) -> dict[tuple[int, int], Decimal]:
    return {pair: lv.on_hand - lv.reserved for pair, lv in locks.lock_existing(product_ids, warehouse_ids).items()}


def allocate(order: Order, actor: Actor, *, entries: list | None = None, lines: list[OrderLine] | None = None) -> Order:
    """Reserve what the order still needs; shipments per warehouse; backorder or hold the shortfall. `lines`:
    the order's lines with their products when the caller has them (intake: just written), else read here."""
    every = lines if lines is not None else list(order.lines.select_related("product"))
    lines = [line for line in every if line.backorder_qty > 0]
    if not lines:
        if order.status == Order.Status.REVIEWED and any(ln.allocated_qty > ln.shipped_qty for ln in every):
            # released after a hold: its shipments still hold the stock, so it is allocated again
            order.status = Order.Status.ALLOCATED
            order.save(update_fields=["status"])
        return order
    warehouses = list(Warehouse.objects.filter(active=True).order_by("pk"))
    dist = distances(order, warehouses)
    by_id = {wh.pk: wh for wh in warehouses}
    line_by_id = {line.pk: line for line in lines}
    rules = policy()
    available = _levels({line.product_id for line in lines}, list(by_id))
    for _attempt in range(3):
        assignment, short = plan([(line.pk, line.product_id, line.backorder_qty) for line in lines], available, dist,
                                 float(rules.split_penalty_km))
        if short and rules.stockout == rules.Stockout.HOLD:
            assignment = {}
        try:
            made = _reserve(order, assignment, by_id, line_by_id, actor)
            break
        except _Ineligible as exc:  # lots too short-dated for this customer: that stock does not count
            available[(exc.product_id, exc.warehouse_id)] = exc.available
    else:
        made, short = [], {line.pk: line.backorder_qty for line in lines}
    rows = entries if entries is not None else []
    ship_by = promised(actor)
    for shipment in made:
        wh = by_id[shipment.warehouse_id]
        rows.append(timeline.entry(
            order, "allocated", f"已分配至{wh.name}，预计{timezone.localtime(ship_by):%H:%M}发货"
            + ("" if ship_by.date() == timezone.localdate(actor.at) else f"（{timezone.localtime(ship_by):%m-%d}）"),
            actor, message_en=f"Allocated to {wh.name}, ships by {timezone.localtime(ship_by):%Y-%m-%d %H:%M}",
            data={"warehouse": wh.code, "shipment": shipment.number}))
    changed = []  # one UPDATE of the order for its promise and its status
    if made and order.promised_ship_at is None:
        order.promised_ship_at = ship_by
        changed.append("promised_ship_at")
    if made and order.status != Order.Status.ALLOCATED:
        transitions.check(order, Order.Status.ALLOCATED)
        order.status = Order.Status.ALLOCATED
        order.hold_reason, order.hold_detail = "", ""
        changed += ["status", "hold_reason", "hold_detail"]
    if changed:
        order.save(update_fields=changed)
    if short:
        text = "、".join(f"{line_by_id[i].product.sku}×{q.normalize():f}" for i, q in short.items())
        if not made and order.status != Order.Status.ALLOCATED:
            from sihe.oms import review

            review.hold(order, Order.Hold.OUT_OF_STOCK, actor, detail=text, entries=rows)
        else:
            rows.append(timeline.entry(order, "backorder", f"缺货待补发：{text}", actor,
                                       message_en=f"Backordered (ships when stock arrives): {text}",
                                       data={"short": {line_by_id[i].product.sku: str(q) for i, q in short.items()}}))
    if entries is None:
        timeline.insert(rows)
    if made:
        outbox.emit("oms.order.allocated", aggregate_type="order", aggregate_id=order.number, actor=actor,
                    payload={"number": order.number, "shipments": [s.number for s in made],
                             "warehouses": [by_id[s.warehouse_id].code for s in made],
                             "backorder": {line_by_id[i].product.sku: str(q) for i, q in short.items()}})
    return order


class _Ineligible(Exception):
    def __init__(self, product_id: int, warehouse_id: int, available: Decimal):
        self.product_id, self.warehouse_id, self.available = product_id, warehouse_id, available


def _plans(order: Order, assignment, by_id, line_by_id, actor: Actor) -> dict | None:
    """Each warehouse's takes of its quants (`removal.plan_many`), planned before anything is written, under the
    levels this act locked; _Ineligible when a warehouse's lots do not cover its part. None when a warehouse
    would get one product on two lines (those are reserved one by one, each against what the other took)."""
    plans = {}
    for wid, parts in assignment.items():
        wanted = [(line_by_id[i].product, q) for i, q in parts]
        if len({product.pk for product, _q in wanted}) < len(wanted):
            return None
        try:
            plans[wid] = removal.plan_many(by_id[wid], wanted, min_shelf_life_days=order.min_shelf_life_days,
                                           ship_date=timezone.localdate(actor.at))
        except (InsufficientStock, ShortShelfLife) as exc:  # lots too short-dated for this customer
            raise _ineligible(exc, parts, line_by_id, wid) from exc
    return plans


def _ineligible(exc, parts, line_by_id, wid: int) -> "_Ineligible":
    sku = exc.extra.get("sku")
    product_id = next(line_by_id[i].product_id for i, _q in parts if line_by_id[i].product.sku == sku)
    return _Ineligible(product_id, wid, Decimal(str(exc.extra.get("available") or 0)))


def _reserve(order: Order, assignment, by_id, line_by_id, actor: Actor) -> list:
    """The order's shipments, one a warehouse, their stock reserved. Planned first (`_plans`): what is refused
    is refused before anything is written, so no savepoint is needed; where it cannot be planned first, the
    reservations are tried inside one (`tx.attempt`), which a refusal undoes with its events and audit rows."""
    plans = _plans(order, assignment, by_id, line_by_id, actor)
    if plans is not None:
        made, allocated = _ship_from(order, assignment, by_id, line_by_id, actor, plans)
    else:
        with tx.attempt():
            made, allocated = _ship_from(order, assignment, by_id, line_by_id, actor, None)
    for i, q in allocated.items():  # once the reservations hold: a refused attempt leaves the lines as they were
        line_by_id[i].allocated_qty += q
    return made


def _ship_from(order: Order, assignment, by_id, line_by_id, actor: Actor, plans: dict | None) -> tuple[list, dict]:
    made = []
    allocated: dict[int, Decimal] = {}
    for wid in sorted(assignment, key=lambda w: w):
        parts = assignment[wid]
        lines = [shipping.ShipLineIn(product=line_by_id[i].product, qty=q, source_line_id=str(i)) for i, q in parts]
        try:
            shipment = shipping.create_shipment(
                warehouse=by_id[wid], lines=lines, source_type="oms.order", source_id=str(order.pk),
                source_number=order.number, actor=actor,
                customer=order.partner.name if order.partner_id else (order.buyer_nick or order.receiver_name),
                receiver={"name": order.receiver_name, "phone": order.receiver_phone, "province": order.province,
                          "city": order.city, "district": order.district,
                          "address": f"{order.street}{order.address}"},
                min_shelf_life_days=order.min_shelf_life_days, plans=None if plans is None else plans[wid])
        except (InsufficientStock, ShortShelfLife) as exc:
            if plans is not None:  # planned under this act's locks, so not expected: with writes made, the act fails
                raise
            raise _ineligible(exc, parts, line_by_id, wid) from exc
        made.append(shipment)
        for i, q in parts:
            allocated[i] = allocated.get(i, Decimal(0)) + q
    OrderLine.objects.add_each("allocated_qty", allocated)
    return made, allocated


def reallocate_backorders(*, product_ids: set[int], actor: Actor, limit: int = 200) -> int:
    """Stock arrived: allocate again the open orders waiting for these products, oldest payment first."""
    waiting = (Order.objects.filter(lines__product_id__in=product_ids, lines__cancelled=False,
                                    lines__allocated_qty__lt=F("lines__qty"))
               .filter(status__in=[Order.Status.ALLOCATED, Order.Status.HELD, Order.Status.REVIEWED])
               .exclude(status=Order.Status.HELD, hold_reason__in=[h for h in Order.Hold.values
                                                                     if h != Order.Hold.OUT_OF_STOCK])
               .distinct().order_by("paid_at", "pk"))
    count = 0
    for order in waiting[:limit]:

        with tx.act():
            order = Order.objects.select_for_update().get(pk=order.pk)
            if order.status == Order.Status.HELD:
                order.status = Order.Status.REVIEWED
                order.save(update_fields=["status"])
            before = order.status
            allocate(order, actor)
            count += int(order.status != before or order.status == Order.Status.ALLOCATED)
    return count
