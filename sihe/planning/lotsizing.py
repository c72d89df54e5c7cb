"""Lot sizing: how much to order when netting finds a net requirement.

Why rules are asked bucket by bucket. MRP nets one bucket after the other: whatever a lot brings
beyond the net requirement stays in the projected available balance (PAB) and covers the next
buckets. A lot size can therefore not be laid over a whole net-requirements array up front — the
array shrinks as soon as a lot leaves a surplus. Netting asks a *rule* one question each time a net
requirement appears:

    rule.receipt(t, net, future) -> the planned receipt for bucket t (0-based)

``net`` is the net requirement now (> 0); ``future(horizon=None)`` returns the lot-for-lot net
requirements of buckets t, t+1, …, n−1 (at most ``horizon`` of them) as they stand with the balance
carried into t (so ``future()[0] == net``). Only rules that look ahead (``looks_ahead = True``:
period order quantity, Wagner–Whitin, Silver–Meal) get it, and read only as far as they look; the
others get ``None`` and pay nothing (netting asks once per order). Ordering the sum of
future[t..j] at t leaves the balance at the end of j exactly where lot-for-lot would have left it,
so the next question sees the same tail: the plan made bucket by bucket is the plan made on the
whole array.

Every rule carries ``min_order_qty``: an order below it is raised to it (a fixed-multiple order is
then rounded up to the next multiple, so it stays a multiple); the surplus stays in the balance.

The array functions lot_for_lot, fixed, periodic and silver_meal run the same rules over a
requirements array with the same carry (`apply_rule`); wagner_whitin solves the whole array
exactly (`ww_plan`), for analysis, what-if and tests. "Fixed 200" in algorithms.md's 10-period
case is `fixed(demand, 200)`: a lot of 200 (whole multiples if one period needed more) whenever
the stock carried in cannot meet the period, from no stock, holding charged on every closing
stock including the 79 left at the end: 5 × 100 + 1051 × 1 = 1551.

Quantities and costs are Decimal (ints and strings are converted, floats refused: they lose units).
Costs follow Wagner & Whitin (1958): a set-up cost per order (scalar, or one per period) and a
holding cost per unit per period charged on the inventory at the end of each period.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import ClassVar, Protocol

ZERO = Decimal(0)

Future = Callable[..., Sequence[Decimal]]  # future(horizon: int | None = None)


def dec(value, *, field: str = "quantity") -> Decimal:
    """One Decimal from an int, str or Decimal; floats are refused (0.1 is not a tenth)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal, int or str, not {type(value).__name__}: {value!r}")
    return Decimal(value)


def decs(values: Sequence, *, field: str = "quantities") -> list[Decimal]:
    return [v if type(v) is Decimal else dec(v, field=field) for v in values]


class LotRule(Protocol):
    """What netting asks when bucket t has a net requirement: how much arrives in t."""

    min_order_qty: Decimal
    looks_ahead: bool  # whether receipt() needs ``future`` (otherwise it gets None)

    def receipt(self, t: int, net: Decimal, future: Future | None) -> Decimal: ...


def _cost_at(order_cost: Decimal | tuple[Decimal, ...], t: int) -> Decimal:
    """The set-up cost of an order placed in period t (0-based): one for all, or one per period."""
    return order_cost[t] if isinstance(order_cost, tuple) else order_cost


def _order_cost(order_cost) -> Decimal | tuple[Decimal, ...]:
    if isinstance(order_cost, (list, tuple)):
        return tuple(_not_negative(cost, "order_cost") for cost in order_cost)
    return _not_negative(order_cost, "order_cost")


def _not_negative(value, field: str) -> Decimal:
    """Costs below zero would break the optimum's pruning (and mean nothing)."""
    number = dec(value, field=field)
    if number < 0:
        raise ValueError(f"{field} must not be negative, got {number}")
    return number


def _positive(value, field: str) -> Decimal:
    number = dec(value, field=field)
    if number <= 0:
        raise ValueError(f"{field} must be positive, got {number}")
    return number


@dataclass(frozen=True, slots=True)
class LotForLot:
    """Order exactly the net requirement (raised to the minimum order quantity)."""

    looks_ahead: ClassVar[bool] = False
    min_order_qty: Decimal = ZERO

    def __post_init__(self):
        object.__setattr__(self, "min_order_qty", dec(self.min_order_qty, field="min_order_qty"))

    def receipt(self, t: int, net: Decimal, future: Future | None) -> Decimal:
        return net if net >= self.min_order_qty else self.min_order_qty


@dataclass(frozen=True, slots=True)
class FixedMultiple:
    """Order in whole multiples of ``lot_size``: the fewest lots that cover the net requirement.

    The surplus of the last lot stays in the balance and covers later buckets (netting carries it),
    which is why no look-ahead is needed."""

    looks_ahead: ClassVar[bool] = False
    lot_size: Decimal
    min_order_qty: Decimal = ZERO

    def __post_init__(self):
        object.__setattr__(self, "lot_size", _positive(self.lot_size, "lot_size"))
        object.__setattr__(self, "min_order_qty", dec(self.min_order_qty, field="min_order_qty"))

    def receipt(self, t: int, net: Decimal, future: Future | None) -> Decimal:
        wanted = net if net >= self.min_order_qty else self.min_order_qty
        lots, rest = divmod(wanted, self.lot_size)
        return (lots + 1 if rest else lots) * self.lot_size


@dataclass(frozen=True, slots=True)
class PeriodOrder:
    """Period order quantity: one order covers the net requirements of ``periods`` buckets,
    counted from the bucket it arrives in (empty buckets count too)."""

    looks_ahead: ClassVar[bool] = True
    periods: int
    min_order_qty: Decimal = ZERO

    def __post_init__(self):
        if not isinstance(self.periods, int) or self.periods < 1:
            raise ValueError(f"periods must be a whole number ≥ 1, got {self.periods!r}")
        object.__setattr__(self, "min_order_qty", dec(self.min_order_qty, field="min_order_qty"))

    def receipt(self, t: int, net: Decimal, future: Future | None) -> Decimal:
        qty = sum(future(self.periods), ZERO)
        return qty if qty >= self.min_order_qty else self.min_order_qty


@dataclass(frozen=True, slots=True)
class WagnerWhitin:
    """The optimum of Wagner & Whitin (1958) over the requirements still ahead, ordering only in
    buckets with a net requirement (netting receives nothing earlier than it is needed).

    ``order_cost`` is one set-up cost or one per bucket of the horizon (indexed by absolute
    bucket); ``holding`` is the cost of carrying one unit over one period end."""

    looks_ahead: ClassVar[bool] = True
    order_cost: Decimal | tuple[Decimal, ...]
    holding: Decimal
    min_order_qty: Decimal = ZERO

    def __post_init__(self):
        object.__setattr__(self, "order_cost", _order_cost(self.order_cost))
        object.__setattr__(self, "holding", _not_negative(self.holding, "holding"))
        object.__setattr__(self, "min_order_qty", dec(self.min_order_qty, field="min_order_qty"))

    def receipt(self, t: int, net: Decimal, future: Future | None) -> Decimal:
        ahead = future()
        _, cover = ww_plan(ahead, self.order_cost, self.holding, start=t, early=False)
        qty = sum(ahead[: cover[0] + 1], ZERO)
        return qty if qty >= self.min_order_qty else self.min_order_qty


@dataclass(frozen=True, slots=True)
class SilverMeal:
    """Silver–Meal: extend the order period by period while the cost per period covered falls."""

    looks_ahead: ClassVar[bool] = True
    order_cost: Decimal | tuple[Decimal, ...]
    holding: Decimal
    min_order_qty: Decimal = ZERO

    def __post_init__(self):
        object.__setattr__(self, "order_cost", _order_cost(self.order_cost))
        object.__setattr__(self, "holding", _not_negative(self.holding, "holding"))
        object.__setattr__(self, "min_order_qty", dec(self.min_order_qty, field="min_order_qty"))

    def receipt(self, t: int, net: Decimal, future: Future | None) -> Decimal:
        ahead = future()
        last = silver_meal_cover(ahead, _cost_at(self.order_cost, t), self.holding)
        qty = sum(ahead[: last + 1], ZERO)
        return qty if qty >= self.min_order_qty else self.min_order_qty


def ww_plan(demand: Sequence[Decimal], order_cost, holding: Decimal, *, start: int = 0,
            early: bool = True) -> tuple[Decimal, list[int]]:
    """Wagner & Whitin (1958): (least cost, cover) where cover[i] is the last period an order
    placed in period i covers in the optimum from i on, or −1 when i orders nothing.

    Backward dynamic programme, O(n²): best[i] is the least cost of periods i..n−1 entering i with
    no stock; an order at i covering i..j costs K(i) + h·Σ(k−i)·d(k) + best[j+1]. Going backward
    makes every decision depend only on the periods ahead, so re-planning at the next order point
    finds the same plan. Ties keep no order, then the shorter cover (less stock carried). Costs are
    never negative, so once K(i) + holding reaches the best cost found no longer cover can win: the
    loop stops there, close to linear on real data. ``early`` lets a period without demand order
    for later ones (worth it only when set-up costs vary by period); netting cannot receive before
    a net requirement, so its rule plans without. ``start`` offsets the per-period set-up costs
    when demand[0] is period ``start`` of the horizon."""
    n = len(demand)
    best = [ZERO] * (n + 1)
    cover = [-1] * n
    for i in range(n - 1, -1, -1):
        least, last = (None, -1) if demand[i] else (best[i + 1], -1)
        if demand[i] or early:
            setup, held = _cost_at(order_cost, start + i), ZERO
            for j in range(i, n):
                if j > i:
                    held += holding * (j - i) * demand[j]
                if least is not None and setup + held >= least:
                    break
                cost = setup + held + best[j + 1]
                if least is None or cost < least:
                    least, last = cost, j
        best[i], cover[i] = least, last
    return best[0], cover


def silver_meal_cover(demand: Sequence[Decimal], setup: Decimal, holding: Decimal) -> int:
    """The last index the Silver–Meal order at demand[0] covers: stop before the period in which
    the average cost per period covered would rise (compared cross-multiplied, no division)."""
    periods, held, last = 1, ZERO, 0
    for j in range(1, len(demand)):
        more = held + holding * j * demand[j]
        if (setup + more) * periods > (setup + held) * (periods + 1):
            break
        periods, held, last = periods + 1, more, j
    return last


def lot_for_lot_futures(requirements: Sequence[Decimal], t: int, carry: Decimal,
                        horizon: int | None = None) -> list[Decimal]:
    """Lot-for-lot net requirements of buckets t.. (at most ``horizon``) with ``carry`` entering t."""
    ahead = []
    for need in requirements[t: None if horizon is None else t + horizon]:
        if need > carry:
            ahead.append(need - carry)
            carry = ZERO
        else:
            ahead.append(ZERO)
            carry -= need
    return ahead


def apply_rule(requirements: Sequence, rule: LotRule, *, on_hand=ZERO) -> list[Decimal]:
    """Planned receipts per bucket for a requirements array under ``rule``.

    This is netting with no scheduled receipts and no safety stock: ``on_hand`` and every lot's
    surplus carry forward and cover later buckets before anything new is ordered."""
    needs = decs(requirements, field="requirements")
    carry = dec(on_hand, field="on_hand")
    receipts = [ZERO] * len(needs)
    for t, need in enumerate(needs):
        if need > carry:
            ahead = partial(lot_for_lot_futures, needs, t, carry) if rule.looks_ahead else None
            qty = rule.receipt(t, need - carry, ahead)
            receipts[t] = qty
            carry += qty
        carry -= need
    return receipts


def lot_for_lot(net: Sequence, *, on_hand=ZERO, min_order_qty=ZERO) -> list[Decimal]:
    """Each bucket's requirement ordered in that bucket (after on hand and surpluses)."""
    return apply_rule(net, LotForLot(min_order_qty), on_hand=on_hand)


def fixed(net: Sequence, lot_size, *, on_hand=ZERO, min_order_qty=ZERO) -> list[Decimal]:
    """Fixed order quantity in multiples of ``lot_size``; the leftover of a lot covers later buckets."""
    return apply_rule(net, FixedMultiple(lot_size, min_order_qty), on_hand=on_hand)


def periodic(net: Sequence, periods: int, *, on_hand=ZERO, min_order_qty=ZERO) -> list[Decimal]:
    """Period order quantity: each order covers ``periods`` buckets of requirements."""
    return apply_rule(net, PeriodOrder(periods, min_order_qty), on_hand=on_hand)


def wagner_whitin(demand: Sequence, order_cost, holding, *, on_hand=ZERO) -> tuple[Decimal, list[Decimal]]:
    """(total cost, orders per period) of the exact Wagner–Whitin optimum; ``order_cost`` may vary
    by period, and then a period without demand may order for later ones. ``on_hand`` covers the
    first demands (its holding is in the cost). A minimum order quantity makes the optimum another
    problem: the `WagnerWhitin` rule raises each optimal order to it (netting carries the excess)."""
    setup, hold = _order_cost(order_cost), _not_negative(holding, "holding")
    needs = lot_for_lot_futures(decs(demand, field="demand"), 0, dec(on_hand, field="on_hand"))
    _, cover = ww_plan(needs, setup, hold)
    orders, i = [ZERO] * len(needs), 0
    while i < len(needs):
        if cover[i] < 0:
            i += 1
            continue
        orders[i] = sum(needs[i: cover[i] + 1], ZERO)
        i = cover[i] + 1
    return plan_cost(demand, orders, setup, hold, on_hand=on_hand), orders


def silver_meal(demand: Sequence, order_cost, holding, *, on_hand=ZERO,
                min_order_qty=ZERO) -> tuple[Decimal, list[Decimal]]:
    """(total cost, orders per period) of the Silver–Meal heuristic."""
    rule = SilverMeal(order_cost, holding, min_order_qty)
    orders = apply_rule(demand, rule, on_hand=on_hand)
    return plan_cost(demand, orders, rule.order_cost, rule.holding, on_hand=on_hand), orders


def plan_cost(demand: Sequence, orders: Sequence, order_cost, holding, *, on_hand=ZERO) -> Decimal:
    """Set-up cost of every order plus holding on each period's closing stock (leftover included).

    A plan that runs short is refused naming the period: a cost of an infeasible plan means nothing."""
    setup, hold = _order_cost(order_cost), dec(holding, field="holding")
    stock, total = dec(on_hand, field="on_hand"), ZERO
    for t, (need, qty) in enumerate(zip(decs(demand), decs(orders), strict=True)):
        stock += qty - need
        if stock < 0:
            raise ValueError(f"the plan runs short by {-stock} in period {t + 1}")
        if qty:
            total += _cost_at(setup, t)
        total += hold * stock
    return total


RULES = {"lot_for_lot": LotForLot, "fixed": FixedMultiple, "periodic": PeriodOrder,
         "wagner_whitin": WagnerWhitin, "silver_meal": SilverMeal}


def make_rule(name: str, **params) -> LotRule:
    """A rule from its stored name and parameters (what an item's planning fields hold)."""
    try:
        return RULES[name](**params)
    except KeyError:
        raise ValueError(f"unknown lot sizing rule {name!r}; known: {', '.join(RULES)}") from None
