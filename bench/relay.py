"""Benchmark of the outbox relay to NATS JetStream (the server at 127.0.0.1:4222).

Logs N events, then relays them with `sihe.hub.relay.Relay` (read a batch from the log, publish it with
message ids, wait for the acks, move the cursor) and prints events/s beside a bare JetStream publisher
measured in the same run: the same N messages of the same size, published in the same batches with the
same headers, and no database. The ratio is the relay's cost over the broker's own.

    .venv/bin/python bench/relay.py --events 20000                 # SQLite in var/bench-relay/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_bench_relay .venv/bin/python bench/relay.py
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SIHE_VAR_DIR"] = str(ROOT / "var" / "bench-relay")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from sihe.core.models import Event  # noqa: E402
from sihe.hub.relay import Relay, Target, message_of, subject_of  # noqa: E402


def log_events(n: int) -> list[Event]:
    rows = [Event(type="stock.received", aggregate_type="warehouse", aggregate_id=f"WH-{i % 3}",
                  occurred_at=django.utils.timezone.now(), actor={"username": "bench"},
                  payload={"sku": f"SKU-{i % 500}", "qty": "12", "n": i}) for i in range(n)]
    with transaction.atomic():
        Event.objects.bulk_create(rows, batch_size=2000)
    return list(Event.objects.order_by("-id")[:n])[::-1]


def bare(target: Target, events: list[Event], batch: int) -> float:
    import nats
    from nats.js.api import StreamConfig

    async def go():
        nc = await nats.connect(target.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=target.stream, subjects=[f"{target.prefix}.>"], duplicate_window=3600))
        bodies = [(subject_of(target, e.type), message_of(e), e.id) for e in events]
        started = time.perf_counter()
        for k in range(0, len(bodies), batch):
            await asyncio.gather(*(js.publish(s, b, headers={"Nats-Msg-Id": f"bare-{i}", "Sihe-Event-Type": "x"})
                                   for s, b, i in bodies[k:k + batch]))
        elapsed = time.perf_counter() - started
        await js.delete_stream(target.stream)
        await nc.close()
        return elapsed

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6].upper()
    events = log_events(args.events)
    ceiling = bare(Target(url=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"), stream=f"BENCH_BARE_{tag}",
                          prefix=f"benchbare.{tag.lower()}"), events, args.batch)
    target = Target(url=os.environ.get("NATS_URL", "nats://127.0.0.1:4222"), stream=f"BENCH_RELAY_{tag}",
                    prefix=f"benchrelay.{tag.lower()}")
    from sihe.hub.models import HubCursor

    HubCursor.objects.update_or_create(name=target.cursor_name, defaults={"last_event_id": events[0].id - 1})
    relay = Relay(target, batch=args.batch)
    relay.connect()
    started = time.perf_counter()
    sent = 0
    while sent < len(events):
        done = relay.step()
        if not done:
            break
        sent += done
    elapsed = time.perf_counter() - started
    relay.loop.run_until_complete(relay.js.delete_stream(target.stream))
    relay.close()
    load = os.getloadavg()[0]
    print(f"database: {connection.vendor} · events: {args.events} · batch {args.batch} · load {load:.2f} · "
          f"{os.cpu_count()} CPUs")
    print("| publisher | events/s | seconds |\n|---|---|---|")
    print(f"| bare JetStream publisher (ceiling) | {args.events / ceiling:,.0f} | {ceiling:.2f} |")
    print(f"| sihe relay (log → JetStream, acks, cursor) | {sent / elapsed:,.0f} | {elapsed:.2f} |")
    print(f"relay / ceiling: {ceiling / elapsed:.1%}")


if __name__ == "__main__":
    main()
