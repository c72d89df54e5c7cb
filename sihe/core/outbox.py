"""`emit()`: append an event to the log inside the act's own transaction (transactional outbox)."""

from django.db import connection

from sihe.core import batch, clock, sqlrows
from sihe.core.actor import Actor
from sihe.core.models import Event


def emit(
    event_type: str,
    *,
    aggregate_type: str,
    aggregate_id,
    payload: dict,
    actor: Actor,
    version: int = 1,
) -> Event:
    # An event written outside a transaction could be delivered for an act that then rolled back.
    assert connection.in_atomic_block, f"emit({event_type}) must run inside the act's transaction"
    event = Event(
        type=event_type,
        version=version,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        occurred_at=clock.now(),
        actor=actor.as_dict(),
        payload=payload,
    )
    if not batch.add("events", event):  # an act that collects writes its events together at its end
        sqlrows.insert_rows([event])
    return event
