"""Costing acts: the stock acts with their value, layers and postings, in one transaction.

Higher apps (sales, purchasing, WMS, MES) and the API call these; they call `sihe.stock.services`
for the quantities and then `value_moves()` for the value. A backdated move re-costs only the
layers of its (product, warehouse) dated after it: the state just before it is read from the
previous layer's running balance (moving average) or the open FIFO layers, and only the later
layers are recomputed — never all history (see docs/design/stock.md, bench/stock.py).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.core import tx
from sihe.core.actor import Actor
from sihe.core.errors import ValidationFailed
from sihe.core.money import round_money, round_unit_cost
from sihe.costing import engine, postings, recosting
from sihe.costing.models import FifoConsumption, ValuationLayer, layers_before, layers_from
from sihe.stock import services as stock
from sihe.stock.models import Counterpart, StockMove
from sihe.stock.selectors import q6

ZERO = Decimal(0)
INVENTORY_ACCOUNT = "1405"  # 库存商品
Layer = ValuationLayer


def _layers(product_id: int, warehouse_id: int):
    return Layer.objects.filter(product_id=product_id, warehouse_id=warehouse_id)


_before, _from = layers_before, layers_from


def _state_before(product: Product, warehouse_id: int, date: datetime.date, pk: int, later_ids) -> engine.State:
    """The costing state just before layer (date, pk), from stored balances — never a replay."""
    state = engine.State(method=product.costing_method)
    earlier = _layers(product.pk, warehouse_id).filter(_before(date, pk))
    prev = earlier.order_by("-date", "-id").first()
    if prev is not None:
        state.qty, state.value, state.unit_cost = prev.running_qty, prev.running_value, prev.running_unit_cost
    if state.method != engine.FIFO:
        return state
    later = FifoConsumption.objects.filter(Q(out_layer_id__in=later_ids, is_cover=False) |
                                           Q(in_layer_id__in=later_ids, is_cover=True))  # a subquery
    given_back = defaultdict(lambda: [ZERO, ZERO])  # in-layer before → qty, value eaten by later outs
    debt_back = defaultdict(lambda: ZERO)  # out-layer before → qty covered by later ins
    for row in later.values("out_layer_id", "in_layer_id", "qty", "value", "is_cover"):
        if row["is_cover"]:
            debt_back[row["out_layer_id"]] += row["qty"]
        elif row["in_layer_id"] is not None:
            given_back[row["in_layer_id"]][0] += row["qty"]
            given_back[row["in_layer_id"]][1] += row["value"]
    # a later revaluation's share is in its receipt layer's remaining value: take it out again
    for target, value in Layer.objects.filter(id__in=later_ids, kind="in", qty=0, move__isnull=True,
                                              source_layer__isnull=False).values_list("source_layer_id", "value"):
        given_back[target][1] -= value
    opens = earlier.filter(Q(kind="in") & (Q(remaining_qty__gt=0) | Q(id__in=list(given_back)))).order_by("date", "id")
    for layer in opens:
        back = given_back.get(layer.pk, (ZERO, ZERO))
        qty, value = layer.remaining_qty + back[0], layer.remaining_value + back[1]
        if qty > 0:
            state.queue.append(engine.Open(layer.pk, qty, value))
    debts = earlier.filter(Q(kind="out") & (Q(uncovered_qty__gt=0) | Q(id__in=list(debt_back)))).order_by("date", "id")
    for layer in debts:
        qty = layer.uncovered_qty + debt_back.get(layer.pk, ZERO)
        if qty > 0:
            state.debts.append(engine.Debt(layer.pk, qty, layer.estimate_unit))
    last_in = earlier.filter(kind="in").order_by("-date", "-id").first()
    state.unit_cost = last_in.unit_cost if last_in else ZERO
    return state


PG_UPDATE_SQL = (
    "UPDATE costing_valuationlayer AS l SET value = v.value, base_value = v.base_value, adjust_value = v.adjust_value, "
    "unit_cost = v.unit_cost, uncovered_qty = v.uncovered_qty, estimate_unit = v.estimate_unit, "
    "running_qty = v.running_qty, running_value = v.running_value, running_unit_cost = v.running_unit_cost "
    "FROM unnest(%s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[], %s::numeric[], "
    "%s::numeric[], %s::numeric[], %s::numeric[], %s::bigint[]) AS v(value, base_value, adjust_value, unit_cost, "
    "uncovered_qty, estimate_unit, running_qty, running_value, running_unit_cost, id) WHERE l.id = v.id "
    "AND l.product_id = %s AND l.warehouse_id = %s AND l.date BETWEEN %s AND %s"
)
PG_BATCH = 20000


def write_layers(rows: list[tuple], *, product_id: int, warehouse_id: int, dates: list[datetime.date]) -> None:
    """Write re-costed layers of one (product, warehouse) set-based — `rows` in (date, id) order, `dates` their
    dates: on PostgreSQL one UPDATE ... FROM unnest(<10 arrays>) per 20,000 rows (ten array parameters, not
    90,000 scalars to parse: about twice as fast as UPDATE ... FROM (VALUES ...)), batched executemany on
    SQLite (in-process, no round trips). The batch's (product, warehouse, date range) is in the statement so
    that PostgreSQL finds the rows on the (product, warehouse, date, id) index: joined on id alone it hashed the
    whole table for every batch (840 of 1,000 ms a batch at 1M layers)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for start in range(0, len(rows), PG_BATCH):
                batch = rows[start:start + PG_BATCH]
                span = [product_id, warehouse_id, dates[start], dates[start + len(batch) - 1]]
                cursor.execute(PG_UPDATE_SQL, [list(column) for column in zip(*batch, strict=True)] + span)
        else:
            for start in range(0, len(rows), 5000):
                cursor.executemany(UPDATE_SQL, rows[start:start + 5000])


class _Row:
    """A later layer as plain values (re-costing 100,000 layers must not build 100,000 models)."""

    FIELDS = ("id", "kind", "qty", "base_value", "fixed_value", "source_layer_id", "value", "adjust_value", "move_id",
              "move__kind", "move__counterpart", "move__reversal_of__kind", "move__reversal_of__counterpart",
              "warehouse__code", "source_layer__warehouse__code", "date", "revalued_qty")
    __slots__ = ("pk", "kind", "qty", "base_value", "fixed_value", "source_layer_id", "value", "adjust_value",
                 "move_id", "move_kind", "counterpart", "reversed_kind", "reversed_counterpart", "warehouse_code",
                 "source_warehouse_code", "date", "revalued_qty", "unit_cost", "uncovered_qty", "estimate_unit",
                 "running_qty", "running_value", "running_unit_cost")

    def __init__(self, values):
        (self.pk, self.kind, self.qty, self.base_value, self.fixed_value, self.source_layer_id, self.value,
         self.adjust_value, self.move_id, self.move_kind, self.counterpart, self.reversed_kind,
         self.reversed_counterpart, self.warehouse_code, self.source_warehouse_code, self.date,
         self.revalued_qty) = values
        self.uncovered_qty = self.estimate_unit = ZERO


UPDATE_SQL = (
    "UPDATE costing_valuationlayer SET value = %s, base_value = %s, adjust_value = %s, unit_cost = %s, "
    "uncovered_qty = %s, estimate_unit = %s, running_qty = %s, running_value = %s, running_unit_cost = %s "
    "WHERE id = %s"
)


def _cost_rows(state: engine.State, later: list[_Row], sources: dict) -> tuple[dict, list, list]:
    """Re-cost `later` (plain rows in (date, id) order) from `state`, which it moves on; return the rows whose
    value changed {id: ((old value, old adjust), row)}, the rows to write and the FIFO consumptions."""
    old_values, rows, consumptions = {}, [], []
    for layer in later:
        old = (layer.value, layer.adjust_value)
        source = sources.get(layer.source_layer_id)
        if layer.move_id is None and layer.kind == Layer.Kind.IN and not layer.qty:  # 入库成本调整
            result = engine.step_revalue(state, layer.base_value, layer.revalued_qty, target=layer.source_layer_id)
            layer.value, layer.adjust_value, layer.unit_cost = result.value, result.adjust, ZERO
        elif layer.kind == Layer.Kind.IN:
            if layer.fixed_value:
                base = layer.base_value
            elif source is not None:  # transfer-in or reversal of an out: the out's cost comes back
                base = -source
            else:  # gain without a price: at the current unit cost
                base = round_money(engine.current_unit_cost(state) * layer.qty)
            result = engine.step_in(state, layer.pk, layer.qty, base)
            layer.base_value, layer.value, layer.adjust_value = base, result.value, result.adjust
            layer.unit_cost = round_unit_cost(base / layer.qty)
            consumptions += [FifoConsumption(out_layer_id=ref, in_layer_id=layer.pk, qty=q, value=v, is_cover=True)
                             for ref, q, v in result.covers]
        else:
            qty = -layer.qty
            fixed = source if (source is not None and state.method == engine.MOVING_AVERAGE) else None
            result = engine.step_out(state, layer.pk, qty, fixed=fixed, prefer=layer.source_layer_id)
            layer.value, layer.base_value = -result.cost, -result.cost
            layer.unit_cost = round_unit_cost(result.cost / qty)
            layer.uncovered_qty = result.uncovered
            layer.estimate_unit = state.unit_cost if result.uncovered else ZERO
            consumptions += [FifoConsumption(out_layer_id=layer.pk, in_layer_id=ref, qty=q, value=v)
                             for ref, q, v in result.takes]
        layer.running_qty, layer.running_value = state.qty, state.value
        layer.running_unit_cost = round_unit_cost(state.average)
        if (layer.value, layer.adjust_value) != old:
            old_values[layer.pk] = (old, layer)
        rows.append((layer.value, layer.base_value, layer.adjust_value, layer.unit_cost, layer.uncovered_qty,
                     layer.estimate_unit, layer.running_qty, layer.running_value, layer.running_unit_cost, layer.pk))
    return old_values, rows, consumptions


def _sources(later: list[_Row]) -> dict:
    ids = [la.source_layer_id for la in later if la.source_layer_id]
    return dict(Layer.objects.filter(pk__in=ids).values_list("id", "value")) if ids else {}


def recost(*, product: Product, warehouse_id: int, date: datetime.date, pk: int,
           until: tuple[datetime.date, int] | None = None) -> dict[int, tuple]:
    """Recompute layers (date, pk) and after of one (product, warehouse) — up to and with layer `until`
    (date, id) when given (a backdated act costs only its own layers; the worker re-costs the rest, see
    `sihe.costing.recosting`); return the layers whose value changed {layer id: ((old value, old adjust),
    layer)} so the caller can post the difference."""
    later_qs = _layers(product.pk, warehouse_id).filter(_from(date, pk))
    if until is not None:
        later_qs = later_qs.filter(_before(until[0], until[1]) | Q(date=until[0], id=until[1]))
    later = [_Row(values) for values in later_qs.order_by("date", "id").values_list(*_Row.FIELDS)]
    later_ids = later_qs.values("id")
    state = _state_before(product, warehouse_id, date, pk, later_ids)
    initial_open = [o.ref for o in state.queue]
    initial_debts = [db.ref for db in state.debts]
    if state.method == engine.FIFO:
        FifoConsumption.objects.filter(Q(out_layer_id__in=later_ids, is_cover=False) |
                                       Q(in_layer_id__in=later_ids, is_cover=True)).delete()
    old_values, rows, consumptions = _cost_rows(state, later, _sources(later))
    write_layers(rows, product_id=product.pk, warehouse_id=warehouse_id, dates=[la.date for la in later])
    if state.method == engine.FIFO:
        FifoConsumption.objects.bulk_create(consumptions, batch_size=2000)
        open_now = {o.ref: o for o in state.queue}
        debts_now = {db.ref: db for db in state.debts}
        remaining = [(o.qty, o.value, ref) if (o := open_now.get(ref)) else (ZERO, ZERO, ref)
                     for ref in set(initial_open) | {la.pk for la in later if la.kind == Layer.Kind.IN}]
        uncovered = [(debts_now[ref].qty if ref in debts_now else ZERO, ref)
                     for ref in set(initial_debts) | {la.pk for la in later if la.kind == Layer.Kind.OUT}]
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE costing_valuationlayer SET remaining_qty = %s, remaining_value = %s "
                               "WHERE id = %s", remaining)
            cursor.executemany("UPDATE costing_valuationlayer SET uncovered_qty = %s WHERE id = %s", uncovered)
    return old_values


def recost_chunk(*, product: Product, warehouse_id: int, date: datetime.date, pk: int, limit: int,
                 state: engine.State | None = None) -> tuple[dict, engine.State, tuple | None, int]:
    """Moving average only: re-cost at most `limit` layers from (date, pk) on, read by keyset, written set-based.
    `state` is the costing state just before (date, pk) when the caller carries it from the previous chunk
    (else read from the previous layer's running balance). Returns (changed as `recost`, the state after the
    chunk, the next point (date, id) or None at the end, layers re-costed)."""
    later = [_Row(values) for values in _layers(product.pk, warehouse_id).filter(_from(date, pk))
             .order_by("date", "id").values_list(*_Row.FIELDS)[:limit + 1]]
    following = later.pop() if len(later) > limit else None
    if state is None:
        state = _state_before(product, warehouse_id, date, pk, [])
    old_values, rows, _consumptions = _cost_rows(state, later, _sources(later))
    write_layers(rows, product_id=product.pk, warehouse_id=warehouse_id, dates=[la.date for la in later])
    return old_values, state, (following.date, following.pk) if following else None, len(later)


def _layer_for(move: StockMove, *, kind: str, warehouse: Warehouse, source: Layer | None) -> Layer:
    fixed = kind == Layer.Kind.IN and move.unit_cost is not None and source is None
    base = round_money(move.unit_cost * move.qty) if fixed else ZERO
    return Layer(move=move, product=move.product, warehouse=warehouse, date=move.date, kind=kind,
                 method=move.product.costing_method, qty=move.qty if kind == Layer.Kind.IN else -move.qty,
                 value=base, base_value=base, unit_cost=ZERO, fixed_value=fixed, source_layer=source)


_LAST_SQL = ("SELECT * FROM (SELECT product_id, warehouse_id, date, running_qty, running_value, running_unit_cost "
             "FROM costing_valuationlayer WHERE product_id = %s AND warehouse_id = %s ORDER BY date DESC, id DESC LIMIT 1) "
             "AS last{n}")


def _appended(moves: list[StockMove]) -> list[Layer] | None:
    """The common case done without re-costing: plain moves (no reversal, no transit) of moving-average
    products, each the latest of its (product, warehouse). Each layer's cost is computed from the previous
    layer's running balance and the layers are inserted once, together. None when a move is not that
    case (backdated, FIFO, a reversal or a transfer): the caller takes the general path."""
    plan = []
    for move in moves:
        if move.state != StockMove.State.DONE:
            continue
        if move.reversal_of_id or move.counterpart == Counterpart.TRANSIT or move.kind == StockMove.Kind.TRANSFER:
            return None
        if move.product.costing_method != engine.MOVING_AVERAGE:
            return None
        if move.src_location_id and not move.dst_location_id:
            plan.append((move, Layer.Kind.OUT, move.src_warehouse))
        elif move.dst_location_id and not move.src_location_id:
            plan.append((move, Layer.Kind.IN, move.dst_warehouse))
    if not plan:
        return []
    keys = list(dict.fromkeys((m.product_id, w.pk) for m, _k, w in plan))
    sql = " UNION ALL ".join(_LAST_SQL.format(n=i) for i in range(len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for key in keys for v in key])
        last = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
    states: dict[tuple, engine.State] = {}
    for key in keys:
        state = engine.State(method=engine.MOVING_AVERAGE)
        if key in last:
            date, qty, value, unit = last[key]
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date)
            if any(m.date < date for m, _k, w in plan if (m.product_id, w.pk) == key):
                return None  # backdated: later layers must be re-costed
            # as the ORM reads them: snapped to the columns' scale (SQLite hands back binary floats)
            state.qty, state.value, state.unit_cost = (q6(Decimal(str(qty))), round_money(Decimal(str(value))),
                                                        q6(Decimal(str(unit))))
        states[key] = state
    layers = []
    for move, kind, warehouse in sorted(plan, key=lambda p: p[0].date):  # stable: creation order within a day
        state = states[(move.product_id, warehouse.pk)]
        layer = _layer_for(move, kind=kind, warehouse=warehouse, source=None)
        if kind == Layer.Kind.IN:
            base = layer.base_value if layer.fixed_value else round_money(engine.current_unit_cost(state) * move.qty)
            result = engine.step_in(state, None, move.qty, base)
            layer.base_value, layer.value, layer.adjust_value = base, result.value, result.adjust
            layer.unit_cost = round_unit_cost(base / move.qty)
        else:
            result = engine.step_out(state, None, move.qty)
            layer.value = layer.base_value = -result.cost
            layer.unit_cost = round_unit_cost(result.cost / move.qty)
        layer.running_qty, layer.running_value = state.qty, state.value
        layer.running_unit_cost = round_unit_cost(state.average)
        layers.append(layer)
    Layer.objects.bulk_create(layers)
    order = {id(m): i for i, m in enumerate(moves)}
    layers.sort(key=lambda la: order[id(la.move)])
    return layers


def value_moves(moves: list[StockMove], *, actor: Actor, memo: str = "") -> list[Layer]:
    """Create the valuation layers of done moves, cost them (re-costing later layers when backdated)
    and post them to the general ledger — in the caller's transaction."""
    with tx.act():
        appended = _appended(moves)
        if appended is not None:
            postings.post_layers(appended, actor=actor)
            return appended
        created: list[Layer] = []
        transit_out: list[Layer] = []
        for move in moves:
            if move.state != StockMove.State.DONE:
                continue
            source = None
            if move.reversal_of_id:
                source = Layer.objects.filter(move_id=move.reversal_of_id).order_by("id").last()
            if move.src_location_id and not move.dst_location_id:
                layer = _layer_for(move, kind=Layer.Kind.OUT, warehouse=move.src_warehouse, source=source)
                layer.save()
                if move.counterpart == Counterpart.TRANSIT and not move.reversal_of_id:
                    transit_out.append(layer)
                created.append(layer)
            elif move.dst_location_id and not move.src_location_id:
                if move.counterpart == Counterpart.TRANSIT and not move.reversal_of_id and transit_out:
                    source = transit_out.pop(0)
                layer = _layer_for(move, kind=Layer.Kind.IN, warehouse=move.dst_warehouse, source=source)
                layer.save()
                created.append(layer)
        changed, jobs = _cost_created(created, actor=actor, source_of=lambda la: la.move_id)
        new_ids = {la.pk for la in created}
        fresh = {la.pk: la for la in Layer.objects.filter(pk__in=new_ids).select_related(
            "move", "warehouse", "product", "source_layer__warehouse")}
        for la in fresh.values():  # the act's answer names the job that re-costs the later layers
            la.recost_job_id = jobs.get((la.product_id, la.warehouse_id))
        postings.post_layers([fresh[layer.pk] for layer in created], actor=actor)
        first = min(created, key=lambda la: (la.date, la.pk)) if created else None
        if first is not None:
            _post_corrections(changed, new_ids, date=first.date, source_id=first.move_id, actor=actor)
        return [fresh[la.pk] for la in created]


def _cost_created(created: list[Layer], *, actor: Actor, source_of) -> tuple[dict[int, tuple], dict[tuple, int]]:
    """Cost an act's new layers and re-cost the later layers of each (product, warehouse) they touch — inline,
    or this act's own layers now and the rest by the worker when there are many (`sihe.costing.recosting`).
    Returns the layers whose value changed (as `recost`) and the job id per (product, warehouse) deferred."""
    changed: dict[int, tuple] = {}
    firsts: dict[tuple, Layer] = {}
    for layer in created:
        firsts.setdefault((layer.product_id, layer.warehouse_id), layer)
    lasts = {(la.product_id, la.warehouse_id): la for la in sorted(created, key=lambda la: (la.date, la.pk))}
    jobs: dict[tuple, int] = {}
    done: set[tuple] = set()
    for layer in created:  # in creation order so a transfer-in sees its out-layer's cost
        key = (layer.product_id, layer.warehouse_id)
        if key in done:
            continue
        done.add(key)
        first, last = firsts[key], lasts[key]
        job = recosting.defer(product=layer.product, warehouse_id=layer.warehouse_id, date=first.date, pk=first.pk,
                              source_move_id=source_of(first), actor=actor)
        until = None if job is None else (last.date, last.pk)
        changed.update(recost(product=layer.product, warehouse_id=layer.warehouse_id, date=first.date, pk=first.pk,
                              until=until))
        if job is not None:
            jobs[key] = job.pk
    return changed, jobs


def _post_corrections(changed: dict[int, tuple], new_ids: set[int], *, date, source_id, actor: Actor) -> None:
    """Book what re-costing changed on layers posted before this act."""
    corrections = {pk: entry for pk, entry in changed.items() if pk not in new_ids}
    if corrections:
        postings.post_corrections([layer for _old, layer in corrections.values()],
                                  {pk: old for pk, (old, _layer) in corrections.items()},
                                  date=date, source_id=source_id, actor=actor)


# -- the acts -------------------------------------------------------------------------------------


def receive_opening(*, warehouse: Warehouse, lines: list[stock.InLine], actor: Actor, period: str,
                    reference: str = "") -> list:
    """期初库存: stock on hand when the books open in `period`. The moves are dated the day before the
    period starts (so reports show them as the opening), valued like receipts, and booked as opening
    balances — 1405 for the warehouse against the opening equity account — not as a voucher: it is
    stock the company already had, not goods bought on credit."""
    from sihe.ledger.services import OPENING_EQUITY_ACCOUNT, add_opening_balances
    from sihe.ledger.services import parse_period as parse_ledger_period

    code = parse_ledger_period(period)
    for line in lines:
        if line.unit_cost is None or line.unit_cost < 0:
            raise ValidationFailed(_("unit cost must be 0 or more"), field=f"{line.field}.unit_cost")
    day = datetime.date(int(code[:4]), int(code[5:]), 1) - datetime.timedelta(days=1)
    with tx.act():
        moves = stock.bring_in(warehouse=warehouse, lines=lines, actor=actor, counterpart=Counterpart.OPENING,
                               reference=reference or f"OPENING-{warehouse.code}", date=day)
        layers = value_moves(moves, actor=actor)
        value = round_money(sum((la.value for la in layers), Decimal(0)))
        if value:
            add_opening_balances(period=code, actor=actor, source="stock", rows=[
                {"account": INVENTORY_ACCOUNT, "debit": value, "warehouse": warehouse.code},
                {"account": OPENING_EQUITY_ACCOUNT, "credit": value}])
        return list(zip(moves, layers, strict=True))


def receive(*, warehouse: Warehouse, lines: list[stock.InLine], actor: Actor, reference: str = "",
            date: datetime.date | None = None, location: Location | None = None):
    with tx.act():
        moves = stock.receive(warehouse=warehouse, lines=lines, actor=actor, reference=reference, date=date,
                              location=location)
        return list(zip(moves, value_moves(moves, actor=actor), strict=True))


def issue(*, warehouse: Warehouse, lines: list[stock.OutLine], actor: Actor, reference: str = "",
          date: datetime.date | None = None, ship_date: datetime.date | None = None):
    with tx.act():
        moves = stock.issue(warehouse=warehouse, lines=lines, actor=actor, reference=reference, date=date,
                            ship_date=ship_date)
        return list(zip(moves, value_moves(moves, actor=actor), strict=True))


def take_out(*, kind: str, counterpart: str, warehouse: Warehouse, lines: list[stock.OutLine], actor: Actor,
             reference: str = "", date: datetime.date | None = None):
    """Scrap, production consumption, inventory loss."""
    with tx.act():
        moves = stock.take_out(warehouse=warehouse, lines=lines, actor=actor, kind=kind, counterpart=counterpart,
                               reference=reference, date=date)
        return list(zip(moves, value_moves(moves, actor=actor), strict=True))


def bring_in(*, kind: str, counterpart: str, warehouse: Warehouse, lines: list[stock.InLine], actor: Actor,
             reference: str = "", date: datetime.date | None = None):
    """Inventory gain, production output."""
    with tx.act():
        moves = stock.bring_in(warehouse=warehouse, lines=lines, actor=actor, kind=kind, counterpart=counterpart,
                               reference=reference, date=date)
        return list(zip(moves, value_moves(moves, actor=actor), strict=True))


def adjust(*, warehouse: Warehouse, gains: list[stock.InLine], losses: list[stock.OutLine], actor: Actor,
           reference: str = "", date: datetime.date | None = None):
    """Counting differences: gains from and losses to inventory (待处理财产损溢)."""
    with tx.act():
        result = []
        if losses:
            result += take_out(kind=StockMove.Kind.ADJUSTMENT, counterpart=Counterpart.INVENTORY, warehouse=warehouse,
                               lines=losses, actor=actor, reference=reference, date=date)
        if gains:
            result += bring_in(kind=StockMove.Kind.ADJUSTMENT, counterpart=Counterpart.INVENTORY, warehouse=warehouse,
                               lines=gains, actor=actor, reference=reference, date=date)
        return result


@dataclass
class Revaluation:
    """An amount to add to (or, negative, take from) the cost of goods received earlier: `qty` base units of
    `product` received into `warehouse` under the move references `receipts` (the receipts' numbers)."""

    product: Product
    warehouse: Warehouse
    amount: Decimal
    qty: Decimal
    receipts: tuple[str, ...] = ()
    goods: str = ""


def _revaluation_layers(line: Revaluation, *, date: datetime.date, memo: str) -> list[Layer]:
    """FIFO: the amount goes with the receipt's in-layers (by their quantity); moving average: into the pool."""
    parts: list[tuple[int | None, Decimal, Decimal]] = [(None, line.amount, line.qty)]
    if line.product.costing_method == engine.FIFO and line.receipts:
        receipts = list(_layers(line.product.pk, line.warehouse.pk).filter(
            kind=Layer.Kind.IN, date__lte=date, move__counterpart=Counterpart.SUPPLIER, move__reversal_of__isnull=True,
            move__reference__in=line.receipts).order_by("date", "id").values_list("id", "qty"))
        total = sum((qty for _id, qty in receipts), ZERO)
        if total > 0:
            parts, left = [], line.amount
            for i, (layer_id, qty) in enumerate(receipts):
                amount = left if i == len(receipts) - 1 else round_money(line.amount * qty / total)
                left -= amount
                parts.append((layer_id, amount, q6(line.qty * qty / total)))
    return [Layer(move=None, product=line.product, warehouse=line.warehouse, date=date, kind=Layer.Kind.IN,
                  method=line.product.costing_method, qty=ZERO, value=ZERO, base_value=amount, unit_cost=ZERO,
                  fixed_value=True, source_layer_id=target, memo=memo[:200], revalued_qty=qty)
            for target, amount, qty in parts if amount and qty > 0]


def revalue(*, lines: list[Revaluation], date: datetime.date, actor: Actor, document: str) -> list[Layer]:
    """入库成本调整: a supplier invoice dearer or cheaper than the receipt cost, or input tax that cannot be
    deducted (普票, a 小规模纳税人's invoices), belongs to the goods (小企业会计准则 第十二条). The share of the
    invoiced quantity still on hand goes into the stock — Dr 库存商品 / Cr 主营业务成本, which the invoice's
    voucher debited (rule `stock.revaluation`, the reverse when cheaper); the share already sold stays in cost of
    sales. Later layers are re-costed (their cost of sales corrected) when the date is back in time. In the
    caller's transaction; returns the revaluation layers."""
    with tx.act():
        created: list[Layer] = []
        goods: dict[int, str] = {}
        for i, line in enumerate(lines):
            if line.qty <= 0:
                raise ValidationFailed(_("the quantity a cost adjustment is for must be positive"),
                                       field=f"lines[{i}].qty")
            for layer in _revaluation_layers(line, date=date, memo=f"入库成本调整 {document} {line.goods}"):
                layer.save()
                created.append(layer)
                goods[layer.pk] = line.goods
        if not created:
            return []
        changed, _jobs = _cost_created(created, actor=actor, source_of=lambda la: la.pk)
        new_ids = {la.pk for la in created}
        fresh = list(Layer.objects.filter(pk__in=new_ids).select_related("warehouse", "product").order_by("id"))
        postings.post_revaluations(fresh, document=document, goods=goods, actor=actor)
        _post_corrections(changed, new_ids, date=date, source_id=created[0].pk, actor=actor)
        return fresh


def transfer(*, warehouse: Warehouse, lines: list[stock.OutLine], to_warehouse: Warehouse,
             to_location: Location | None, actor: Actor, reference: str = "", date: datetime.date | None = None):
    with tx.act():
        moves = stock.transfer(warehouse=warehouse, lines=lines, to_warehouse=to_warehouse, to_location=to_location,
                               actor=actor, reference=reference, date=date)
        layers = {la.move_id: la for la in value_moves(moves, actor=actor)}
        return [(m, layers.get(m.pk)) for m in moves]


def reverse(*, move: StockMove, actor: Actor, date: datetime.date | None = None):
    with tx.act():
        reversal = stock.reverse(move=move, actor=actor, date=date)
        layers = value_moves([reversal], actor=actor)
        return reversal, (layers[0] if layers else None)


def valuation(*, product: Product, warehouse: Warehouse | None = None) -> dict:
    qs = Layer.objects.filter(product=product)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    agg = qs.aggregate(qty=Sum("qty"), value=Sum("value"))
    qty, value = q6(agg["qty"]), round_money(Decimal(agg["value"] or 0))
    if qty > 0:
        unit = round_unit_cost(value / qty)
    else:
        last = qs.order_by("-date", "-id").first()
        unit = last.running_unit_cost if last else ZERO
    return {"method": product.costing_method, "qty": qty, "value": value, "unit_cost": unit}
