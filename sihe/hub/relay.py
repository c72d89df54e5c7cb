"""The event log to the outside at scale: an outbox relay to NATS JetStream.

`sihe relay` reads the log in id order from where it stopped (a `HubCursor` named `nats:<stream>`),
publishes each event to the subject `<prefix>.<event type>` (e.g. `sihe.events.stock.received`) with
the header `Nats-Msg-Id: sihe-<event id>`, waits for JetStream's acknowledgements of the whole batch,
and only then moves the cursor. Delivery is at least once: killed between the acks and the cursor
update, it publishes that batch again, and JetStream drops the repeats by their message id (the
stream's duplicate window is an hour). A batch goes out in log order on one connection, so the stream
keeps the log's order.

Settings: NATS_URL (nats://127.0.0.1:4222), SIHE_NATS_STREAM (SIHE_EVENTS), SIHE_NATS_SUBJECT
(sihe.events). docs/design/event-hub.md has a consumer example.
"""

import asyncio
import json
import os
from dataclasses import dataclass

from django.db import transaction

from sihe.core.models import Event
from sihe.hub.models import HubCursor

DUPLICATE_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Target:
    url: str
    stream: str
    prefix: str

    @classmethod
    def from_env(cls) -> "Target":
        return cls(url=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"),
                   stream=os.environ.get("SIHE_NATS_STREAM", "SIHE_EVENTS"),
                   prefix=os.environ.get("SIHE_NATS_SUBJECT", "sihe.events"))

    @property
    def cursor_name(self) -> str:
        return f"nats:{self.stream}"[:40]


def subject_of(target: Target, event_type: str) -> str:
    # subject tokens may not hold spaces or wildcards; event types are dotted words already
    clean = "".join(c if c.isalnum() or c in "._-" else "_" for c in event_type)
    return f"{target.prefix}.{clean}"


def message_of(event: Event) -> bytes:
    return json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def position(target: Target) -> int:
    return HubCursor.objects.filter(name=target.cursor_name).values_list("last_event_id", flat=True).first() or 0


def _advance(target: Target, last_id: int) -> None:
    with transaction.atomic():
        cursor, _ = HubCursor.objects.select_for_update().get_or_create(name=target.cursor_name)
        if cursor.last_event_id < last_id:
            cursor.last_event_id = last_id
            cursor.save(update_fields=["last_event_id", "updated_at"])


class Relay:
    """One connection to NATS; `step()` relays one batch and returns how many events it sent."""

    def __init__(self, target: Target | None = None, *, batch: int = 500):
        self.target = target or Target.from_env()
        self.batch = batch
        self.loop = asyncio.new_event_loop()
        self.nc = self.js = None

    def connect(self) -> None:
        import nats
        from nats.js.api import StreamConfig

        async def go():
            self.nc = await nats.connect(self.target.url, max_reconnect_attempts=-1)
            self.js = self.nc.jetstream()
            config = StreamConfig(name=self.target.stream, subjects=[f"{self.target.prefix}.>"],
                                  duplicate_window=DUPLICATE_WINDOW_SECONDS)
            try:
                await self.js.add_stream(config)
            except Exception:  # noqa: BLE001 - it exists: keep its data, update what may change
                await self.js.update_stream(config)

        self.loop.run_until_complete(go())

    def step(self) -> int:
        after = position(self.target)
        events = list(Event.objects.filter(id__gt=after).order_by("id")[: self.batch])
        if not events:
            return 0

        async def publish_all():
            # started in order on one connection: the stream stores them in the log's order
            await asyncio.gather(*(self.js.publish(
                subject_of(self.target, e.type), message_of(e),
                headers={"Nats-Msg-Id": f"sihe-{e.id}", "Sihe-Event-Type": e.type,
                         "Sihe-Aggregate": f"{e.aggregate_type}:{e.aggregate_id}"[:200]}) for e in events))

        self.loop.run_until_complete(publish_all())
        _advance(self.target, events[-1].id)
        return len(events)

    def close(self) -> None:
        if self.nc is not None:
            self.loop.run_until_complete(self.nc.close())
        self.loop.close()
