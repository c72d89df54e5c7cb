"""Demo packaging line: PK-1 包装线1 on the demo factory's work centre FILL-1, with its filler FILL-1 (counters
"good" and "scrap", a "temp" sensor), the rule "temp above 85 for 10 s pauses the work order", two operators
with badges, and the demo's released production order dispatched to the line.

A step of `sihe demo` after `production.demo.load_factory`; idempotent by the line's code; services only.
"""

from collections.abc import Callable

from sihe.core.actor import Actor
from sihe.mes import services, work_orders
from sihe.mes.models import Line, Operator
from sihe.production.demo import SOURCE
from sihe.production.models import ProductionOrder, WorkCentre
from sihe.production.transitions import WORKING

LINE = "PK-1"
OPERATORS = [("E1001", "李师傅"), ("E1002", "王芳")]


def load_line(*, actor: Actor, advance: Callable[[int], None] = lambda n: None) -> int:
    """Returns how many things it made; does nothing without the demo factory's work centre."""
    if Line.objects.filter(code=LINE).exists() or not WorkCentre.objects.filter(code="FILL-1").exists():
        advance(3)
        return 0
    line = services.create_line(actor=actor, data={
        "code": LINE, "name": "包装线1", "work_centre": "FILL-1", "ideal_cycle_seconds": "0.5",
        "machines": [{"code": "FILL-1", "name": "灌装机", "good_metric": "good", "scrap_metric": "scrap"}]})
    services.create_rule(actor=actor, data={"line": LINE, "metric": "temp", "kind": "duration", "op": ">",
                                            "value": "85", "seconds": "10", "action": "pause"})
    created = 2
    advance(1)
    for badge, name in OPERATORS:
        if not Operator.objects.filter(badge=badge).exists():
            services.create_operator(actor=actor, data={"badge": badge, "name": name})
            created += 1
    advance(1)
    order = (ProductionOrder.objects.filter(source=SOURCE, status__in=sorted(WORKING), work_orders__isnull=True)
             .order_by("due_date", "pk").first())
    if order is not None:
        work_orders.dispatch(order=order, line=line, actor=actor)
        created += 1
    advance(1)
    return created
