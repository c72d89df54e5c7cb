"""Hub handlers of costing (wired in sihe.hub.wiring)."""

from django.db import transaction

from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.costing import recosting
from sihe.costing.models import RecostJob


def on_recost_requested(event: Event) -> None:
    """The worker re-costs a queued job. The handler runs inside the hub's transaction (its receipt); the job
    runs right after that commits, each chunk in its own transaction, so its progress shows as it goes. A job
    already done or failed is left alone; a running one (a worker stopped mid-way) goes on from its cursor."""
    job_id = event.payload.get("job")
    if not RecostJob.objects.filter(pk=job_id, status__in=RecostJob.OPEN).exists():
        return
    actor = Actor(user_id=None, username=event.actor.get("username") or "handler:costing.recost", role="admin",
                  via="worker")
    transaction.on_commit(lambda: recosting.run(job_id, actor=actor), robust=True)
