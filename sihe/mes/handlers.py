"""Hub handlers of the shop floor (wired in sihe.hub.wiring)."""

from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.mes import work_orders
from sihe.mes.models import WorkOrder


def on_production_order_cancelled(event: Event) -> None:
    """A cancelled production order takes its work orders off the lines' queues (those not started;
    production refuses to cancel an order once work is reported)."""
    actor = Actor(user_id=None, username=event.actor.get("username") or "handler:mes", role="admin", via="worker")
    for wo in WorkOrder.objects.filter(production_order_id=event.payload.get("order"),
                                       status__in=[WorkOrder.Status.PLANNED, WorkOrder.Status.DISPATCHED]):
        work_orders.cancel(wo=wo, actor=actor)
