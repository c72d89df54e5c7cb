"""The costing rules as pure functions over a (product, warehouse) state — no database here.

Moving weighted average (移动加权平均), per algorithms.md:
- in: unit cost = (value on hand + receipt value) / (qty on hand + receipt qty);
- out: cost = unit cost × qty rounded to 0.01 (half up); value on hand drops by exactly that.
FIFO: in-layers consumed oldest first; each take = remaining value × take / remaining qty, rounded
to 0.01 (so the last take of a layer gets exactly what is left).

Negative stock (only where the warehouse allows it) — the documented rule:
- an out beyond what is on hand is costed at the current unit cost (moving average: the average,
  or the last known one when nothing is on hand; FIFO: the last in-layer's unit cost; 0 if none);
- moving average: a receipt arriving while on hand is negative values the stock after it at the
  receipt's unit cost (round(new qty × receipt unit cost)); FIFO: the receipt first covers the
  uncovered outs at its own cost. Either way the difference between the estimate booked on the
  earlier outs and the receipt's cost is the in-layer's `adjust` (extra cost of goods sold), and the
  layer's effect on the stock value is `base − adjust`, so value on hand stays Σ layers.

Revaluation (入库成本调整: a supplier invoice dearer or cheaper than the receipt cost, tax that cannot be
deducted): an amount for `qty` units received earlier. The share of those units still on hand —
moving average: min(qty on hand, qty) / qty; FIFO: min(what is left of the receipt's layer, qty) / qty —
goes into the stock value, rounded to 0.01; the rest is cost of the goods already gone (`adjust`), as
小企业会计准则 第十二条 keeps the purchase cost with the goods. A cut never takes the stock value below 0.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from sihe.core.money import round_money, round_unit_cost

ZERO = Decimal(0)
MOVING_AVERAGE, FIFO = "moving_average", "fifo"


@dataclass
class Open:
    ref: object
    qty: Decimal
    value: Decimal


@dataclass
class Debt:
    ref: object
    qty: Decimal
    unit: Decimal


@dataclass
class State:
    method: str = MOVING_AVERAGE
    qty: Decimal = ZERO
    value: Decimal = ZERO
    unit_cost: Decimal = ZERO  # last known unit cost
    queue: list[Open] = field(default_factory=list)
    debts: list[Debt] = field(default_factory=list)

    @property
    def average(self) -> Decimal:
        return self.value / self.qty if self.qty > 0 else self.unit_cost


@dataclass
class InResult:
    value: Decimal  # effect on the stock value
    adjust: Decimal  # extra cost of goods sold (receipt covering negative stock)
    covers: list = field(default_factory=list)  # (debt ref, qty, value)


@dataclass
class OutResult:
    cost: Decimal
    takes: list = field(default_factory=list)  # (in ref | None, qty, value)

    @property
    def uncovered(self) -> Decimal:
        return sum((q for ref, q, v in self.takes if ref is None), ZERO)


def current_unit_cost(state: State) -> Decimal:
    """What an in without a price (inventory gain) is valued at."""
    return state.average if state.method == MOVING_AVERAGE else state.unit_cost


def step_in(state: State, ref, qty: Decimal, base: Decimal) -> InResult:
    unit = base / qty
    if state.method == MOVING_AVERAGE:
        if state.qty < 0:
            new_qty = state.qty + qty
            target = round_money(new_qty * unit)
            adjust = state.value + base - target
            state.qty, state.value, state.unit_cost = new_qty, target, round_unit_cost(unit)
            return InResult(base - adjust, adjust)
        state.qty += qty
        state.value += base
        state.unit_cost = round_unit_cost(state.value / state.qty if state.qty > 0 else unit)
        return InResult(base, ZERO)
    covers, adjust = [], ZERO
    rem_q, rem_v = qty, base
    while state.debts and rem_q > 0:
        debt = state.debts[0]
        take = min(debt.qty, rem_q)
        take_value = round_money(rem_v * take / rem_q)
        estimate = round_money(debt.unit * take)
        adjust += take_value - estimate
        covers.append((debt.ref, take, take_value))
        debt.qty -= take
        rem_q -= take
        rem_v -= take_value
        if debt.qty == 0:
            state.debts.pop(0)
    if rem_q > 0:
        state.queue.append(Open(ref, rem_q, rem_v))
    state.qty += qty
    state.value += base - adjust
    state.unit_cost = round_unit_cost(unit)
    return InResult(base - adjust, adjust, covers)


def step_revalue(state: State, amount: Decimal, qty: Decimal, *, target=None) -> InResult:
    """A value-only in: `amount` (signed) for `qty` units received earlier (FIFO: in the open layer `target`)."""
    if state.method == MOVING_AVERAGE:
        holder_qty, holder_value = state.qty, state.value
        holder = None
    else:
        holder = next((o for o in state.queue if o.ref == target), None)
        holder_qty, holder_value = (holder.qty, holder.value) if holder else (ZERO, ZERO)
    on_hand = min(max(holder_qty, ZERO), qty)
    to_stock = round_money(amount * on_hand / qty) if qty > 0 and on_hand > 0 else ZERO
    to_stock = max(to_stock, -max(holder_value, ZERO))
    if holder is not None:
        holder.value += to_stock
    state.value += to_stock
    if state.method == MOVING_AVERAGE and state.qty > 0:
        state.unit_cost = round_unit_cost(state.value / state.qty)
    return InResult(to_stock, amount - to_stock)


def step_out(state: State, ref, qty: Decimal, *, fixed: Decimal | None = None, prefer=None) -> OutResult:
    """Cost an out of `qty`. `fixed`: a reversal of an in under moving average takes back exactly
    the in's value; `prefer`: under FIFO a reversal consumes its own in-layer first."""
    if state.method == MOVING_AVERAGE:
        unit = state.average
        cost = fixed if fixed is not None else round_money(unit * qty)
        state.qty -= qty
        state.value -= cost
        state.unit_cost = round_unit_cost(state.value / state.qty if state.qty > 0 else unit)
        return OutResult(cost)
    takes, need = [], qty
    order = sorted(state.queue, key=lambda o: 0 if o.ref == prefer else 1) if prefer is not None else state.queue
    for layer in list(order):
        if need <= 0:
            break
        take = min(need, layer.qty)
        value = round_money(layer.value * take / layer.qty)
        layer.qty -= take
        layer.value -= value
        takes.append((layer.ref, take, value))
        need -= take
        if layer.qty == 0:
            state.queue.remove(layer)
    if need > 0:
        estimate = round_money(state.unit_cost * need)
        takes.append((None, need, estimate))
        state.debts.append(Debt(ref, need, state.unit_cost))
    cost = sum((v for _r, _q, v in takes), ZERO)
    state.qty -= qty
    state.value -= cost
    return OutResult(cost, takes)
