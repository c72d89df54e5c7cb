"""Property tests over random move sequences (hypothesis).

- quants = Σ moves (`sihe stock check` finds nothing), nothing negative unless the warehouse allows it;
- value on hand = Σ layers = the last layer's running value;
- moving average and FIFO equal independent reference implementations written here, including
  backdated receipts (the reference simply processes the moves in date order).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.costing.models import ValuationLayer
from sihe.stock import selectors
from sihe.stock.models import Quant, StockLevel
from tests.stock.conftest import inl, make_product, make_warehouse, outl

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 1, 1)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])

op = st.tuples(
    st.sampled_from(["in", "in", "out", "out", "back"]),
    st.integers(min_value=1, max_value=30),  # qty
    st.integers(min_value=0, max_value=5000),  # unit cost in fen
    st.integers(min_value=1, max_value=10),  # days back for a backdated receipt
)


def r2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def reference_moving_average(ops):
    qty, value, costs = Decimal(0), Decimal(0), []
    for kind, q, unit in ops:
        if kind == "in":
            qty, value = qty + q, value + r2(unit * q)
        else:
            cost = r2(value / qty * q)
            qty, value = qty - q, value - cost
            costs.append(cost)
    return qty, value, costs


def reference_fifo(ops):
    layers, costs = [], []
    for kind, q, unit in ops:
        if kind == "in":
            layers.append([q, r2(unit * q)])
            continue
        need, cost = q, Decimal(0)
        while need:
            lq, lv = layers[0]
            take = min(need, lq)
            part = r2(lv * take / lq)
            layers[0] = [lq - take, lv - part]
            if layers[0][0] == 0:
                layers.pop(0)
            cost, need = cost + part, need - take
        costs.append(cost)
    return sum((x[0] for x in layers), Decimal(0)), sum((x[1] for x in layers), Decimal(0)), costs


def run(ops, method: str, *, allow_negative: bool = False):
    """Apply the ops through the services; return what the reference should process, in date order."""
    actor = Actor.system("prop")
    wh = make_warehouse("PROP", allow_negative=allow_negative)
    p = make_product("PROP-1", method=method)
    on_hand, day, done = Decimal(0), 0, []
    for seq, (kind, q, fen, back) in enumerate(ops):
        qty, unit = Decimal(q), Decimal(fen) / 100
        if kind == "out":
            if not allow_negative:
                qty = min(qty, on_hand)
            if qty <= 0:
                continue
            day += 1
            costing.issue(warehouse=wh, lines=[outl(p, qty)], actor=actor, date=START + datetime.timedelta(days=day))
            on_hand -= qty
            done.append((day, seq, "out", qty, None))
        else:
            date_day = max(day - back, 0) if kind == "back" else day + 1
            day = max(day, date_day)
            costing.receive(warehouse=wh, lines=[inl(p, qty, unit)], actor=actor,
                            date=START + datetime.timedelta(days=date_day))
            on_hand += qty
            done.append((date_day, seq, "in", qty, unit))
    done.sort(key=lambda x: (x[0], x[1]))
    return wh, p, on_hand, [(k, q, u) for _d, _s, k, q, u in done]


def check_invariants(wh, p, on_hand, *, allow_negative: bool):
    assert selectors.quant_differences() == []
    level = StockLevel.objects.filter(product=p, warehouse=wh).first()
    assert (level.on_hand if level else 0) == on_hand
    if not allow_negative:
        assert not Quant.objects.filter(qty__lt=0).exists()
    layers = list(ValuationLayer.objects.filter(product=p, warehouse=wh).order_by("date", "id"))
    value = costing.valuation(product=p, warehouse=wh)
    assert value["qty"] == on_hand
    if layers:
        assert value["value"] == sum((la.value for la in layers), Decimal(0)) == layers[-1].running_value
        assert layers[-1].running_qty == on_hand
    return layers


def in_savepoint(fn):
    sid = transaction.savepoint()
    try:
        fn()
    finally:
        transaction.savepoint_rollback(sid)


@SETTINGS
@given(ops=st.lists(op, min_size=1, max_size=9))
def test_moving_average_equals_the_reference(db, ops):
    def body():
        wh, p, on_hand, ordered = run(ops, "moving_average")
        layers = check_invariants(wh, p, on_hand, allow_negative=False)
        qty, value, costs = reference_moving_average(ordered)
        assert qty == on_hand
        assert costing.valuation(product=p, warehouse=wh)["value"] == value
        assert [-la.value for la in layers if la.kind == "out"] == costs

    in_savepoint(body)


@SETTINGS
@given(ops=st.lists(op, min_size=1, max_size=9))
def test_fifo_equals_the_reference(db, ops):
    def body():
        wh, p, on_hand, ordered = run(ops, "fifo")
        layers = check_invariants(wh, p, on_hand, allow_negative=False)
        qty, value, costs = reference_fifo(ordered)
        assert qty == on_hand
        assert costing.valuation(product=p, warehouse=wh)["value"] == value
        assert [-la.value for la in layers if la.kind == "out"] == costs

    in_savepoint(body)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=10), method=st.sampled_from(["moving_average", "fifo"]))
def test_negative_stock_where_allowed_keeps_the_invariants(db, ops, method):
    def body():
        wh, p, on_hand, _ordered = run(ops, method, allow_negative=True)
        check_invariants(wh, p, on_hand, allow_negative=True)

    in_savepoint(body)
