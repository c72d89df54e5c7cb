"""Hub handlers of planning (wired in sihe.hub.wiring)."""

from sihe.core.actor import Actor
from sihe.core.errors import DomainError
from sihe.core.models import Event
from sihe.planning import runs
from sihe.planning.models import MrpRun


def on_mrp_requested(event: Event) -> None:
    """The worker runs a queued MRP run; a run already started (by `run_now`, or a redelivery) is left alone,
    and a run that fails on its input (a BOM cycle) is marked failed, not retried."""
    run = MrpRun.objects.filter(pk=event.payload.get("run"), status=MrpRun.Status.QUEUED).first()
    if run is None:
        return
    actor = Actor(user_id=None, username=event.actor.get("username") or "handler:planning.mrp", role="admin",
                  via="worker")
    try:
        runs.execute(run, actor=actor)
    except DomainError:
        pass  # recorded on the run (status failed, error) for the planner to read
