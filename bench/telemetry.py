"""Benchmark of telemetry ingest over the real Mosquitto (127.0.0.1:1883), rules evaluated and readings stored.

In the same run, with the same publisher (a subprocess sending QoS 1 JSON messages of --metrics metrics
each, as fast as it can, to `sihe/<line>/M<i>/telemetry`):
1. the ceiling: a bare paho subscriber (a subprocess, QoS 1, same topics) counting messages — readings/s
   the broker and a Python MQTT client deliver with nothing done to them;
2. the collector (`sihe.mes.ingest.collector.Collector`, in this process): readings/s taken through the
   rules and stored (readings, per-minute roll-ups), from its first message to the last flush; meanwhile
   every 0.25 s a reading over a pause rule goes to a second line, and publish-to-pause latency
   (reading's ts → the work order paused, committed) is recorded; the work order is resumed each time.
Prints the figures and the ratio collector/ceiling (aims: ≥ 50 % and ≥ 10,000 readings/s).

    .venv/bin/python bench/telemetry.py            # SQLite in var/bench-telemetry/ (fresh each run)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sihe_bench_telemetry .venv/bin/python bench/telemetry.py
    options: --messages 4000 --metrics 25 --machines 10
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST, PORT = "127.0.0.1", 1883


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--metrics", type=int, default=25, help="metrics per message (a reading is one)")
    parser.add_argument("--machines", type=int, default=10)
    parser.add_argument("--line", default="")
    parser.add_argument("--role", choices=["main", "publish", "bare"], default="main")
    return parser.parse_args()


ARGS = parse_args()


def publish_all() -> None:
    import paho.mqtt.client as paho

    client = paho.Client(client_id=f"bench-pub-{uuid.uuid4().hex[:8]}", clean_session=True)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(HOST, PORT)
    client.loop_start()
    names = [f"m{j:02d}" for j in range(ARGS.metrics)]
    started = time.perf_counter()
    info = None
    for i in range(ARGS.messages):
        metrics = {name: 50.0 + (i + j) % 20 for j, name in enumerate(names)}
        body = json.dumps({"ts": int(time.time() * 1000), "metrics": metrics})
        info = client.publish(f"sihe/{ARGS.line}/M{i % ARGS.machines}/telemetry", body, qos=1)
    info.wait_for_publish(timeout=120)
    print(json.dumps({"published": ARGS.messages, "seconds": time.perf_counter() - started}), flush=True)
    client.disconnect()
    client.loop_stop()


def bare() -> None:
    import threading

    import paho.mqtt.client as paho

    got = {"n": 0, "first": None, "last": None}
    done, ready = threading.Event(), threading.Event()

    def on_message(_c, _u, _m):
        now = time.perf_counter()
        got["first"] = got["first"] or now
        got["last"] = now
        got["n"] += 1
        if got["n"] >= ARGS.messages:
            done.set()

    client = paho.Client(client_id=f"bench-bare-{uuid.uuid4().hex[:8]}", clean_session=True)
    client.on_message = on_message
    client.on_subscribe = lambda *_a: ready.set()
    client.connect(HOST, PORT)
    client.subscribe(f"sihe/{ARGS.line}/+/telemetry", qos=1)
    client.loop_start()
    ready.wait(10)
    print("ready", flush=True)
    while not done.wait(0.2):  # the broker drops what a slow subscriber's queue cannot hold: stop when idle
        if got["last"] and time.perf_counter() - got["last"] > 1.5:
            break
    client.loop_stop()
    print(json.dumps({"messages": got["n"], "seconds": (got["last"] or 0) - (got["first"] or 0)}), flush=True)


if ARGS.role == "publish":
    publish_all()
    sys.exit(0)
if ARGS.role == "bare":
    bare()
    sys.exit(0)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sihe.settings")
os.environ.setdefault("SIHE_PG_STATEMENT_TIMEOUT_MS", "0")
if not os.environ.get("DATABASE_URL"):
    var = ROOT / "var" / "bench-telemetry"
    var.mkdir(parents=True, exist_ok=True)
    for stale in var.glob("sihe.sqlite3*"):
        stale.unlink()
    os.environ["SIHE_VAR_DIR"] = str(var)

import django  # noqa: E402

django.setup()

import paho.mqtt.client as paho  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from sihe.core.actor import Actor  # noqa: E402
from sihe.mes import work_orders  # noqa: E402
from sihe.mes.ingest.collector import Collector  # noqa: E402
from sihe.mes.models import Reading, WorkOrder  # noqa: E402
from tests.mes.test_collector import forget_session, make_floor  # noqa: E402


def machine() -> str:
    cpu = platform.machine()
    for row in Path("/proc/cpuinfo").read_text().splitlines():
        if row.startswith("model name"):
            cpu = row.split(":", 1)[1].strip()
            break
    return (f"{platform.node()} · {cpu} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
            f"{connection.vendor} · load average {os.getloadavg()[0]:.1f}")


def child(role: str, line: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--role", role, "--line", line, "--messages",
                             str(ARGS.messages), "--metrics", str(ARGS.metrics), "--machines", str(ARGS.machines)],
                            stdout=subprocess.PIPE, text=True)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")


def main():
    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6]
    load_line, latency_line = f"BL{tag}", f"BP{tag}"
    readings = ARGS.messages * ARGS.metrics
    print(f"bench/telemetry · {machine()}")
    print(f"{ARGS.messages} messages × {ARGS.metrics} metrics = {readings:,} readings over {ARGS.machines} machines")

    # 1. the ceiling: a bare subscriber
    sub = child("bare", load_line)
    assert sub.stdout.readline().strip() == "ready"
    pub = child("publish", load_line)
    pub_out = json.loads(pub.stdout.readline())
    pub.wait()
    bare_out = json.loads(sub.stdout.readline())
    sub.wait()
    ceiling = bare_out["messages"] * ARGS.metrics / bare_out["seconds"]
    print(f"publisher alone: {ARGS.messages / pub_out['seconds']:,.0f} messages/s")
    print(f"ceiling (bare paho subscriber): {bare_out['messages']:,} of {ARGS.messages:,} messages in {bare_out['seconds']:.2f}s = "
          f"{ceiling:,.0f} readings/s")

    # 2. the collector
    make_floor(line_code=load_line, machines=[f"M{i}" for i in range(ARGS.machines)], start=False)
    from sihe.mes.models import Line

    Line.objects.filter(code=latency_line).delete()
    _line, wo = _latency_floor(latency_line)
    client_id = f"bench-collector-{tag}"
    collector = Collector(host=HOST, port=PORT, client_id=client_id, stats_every=0, use_opcua=False).start()
    assert collector.wait_ready(10)
    probe = paho.Client(client_id=f"bench-probe-{tag}", clean_session=True)
    probe.connect(HOST, PORT)
    probe.loop_start()
    pub = child("publish", load_line)
    stats = collector.processor.stats
    first = None
    samples = 0
    next_probe = time.monotonic()
    last_change, seen = time.monotonic(), 0
    while True:
        now = time.monotonic()
        taken = stats.get("readings", 0)
        if taken != seen:
            seen, last_change, last_at = taken, now, time.perf_counter()
        if first is None and taken:
            first = time.perf_counter()
        if pub.poll() is not None and now - last_change > 2 and not collector.processor._buffer:
            break
        if now >= next_probe and pub.poll() is None:
            wo.refresh_from_db()
            if wo.status == "running":
                for temp in (70.0, 90.0):  # clear, then breach
                    probe.publish(f"sihe/{latency_line}/OVEN/telemetry",
                                  json.dumps({"ts": int(time.time() * 1000), "metrics": {"temp": temp}}), qos=1)
                samples += 1
            elif wo.status == "paused":
                work_orders.resume(wo=wo, note="bench", actor=Actor.system("bench"))
            next_probe = now + 0.25
        time.sleep(0.005)
    readings = stats.get("readings", 0) - samples * 2
    elapsed = last_at - first
    pub.wait()
    collector.stop()
    probe.loop_stop()
    forget_session(client_id)
    stored = sum(len(values) for values in Reading.objects.filter(machine__line__code=load_line)
                 .values_list("values", flat=True).iterator())
    rate = readings / elapsed
    lat = [(acted - breach.reading.ts).total_seconds() * 1000 for breach, acted in collector.processor.breaches]
    print(f"collector: {readings:,} of {ARGS.messages * ARGS.metrics:,} readings (the broker drops what a slow "
          f"subscriber's queue cannot hold) taken through the rules in {elapsed:.2f}s = {rate:,.0f} readings/s "
          f"({stored:,} stored, one row per message)")
    print(f"publish-to-pause latency over {len(lat)} pauses under that load: p50 {pct(lat, 50):.1f} ms · "
          f"p99 {pct(lat, 99):.1f} ms · max {max(lat, default=float('nan')):.1f} ms")
    print(f"ratio collector / ceiling: {rate / ceiling:.0%} (aim ≥ 50 %) · {rate:,.0f} readings/s (aim ≥ 10,000)")
    print(f"paused and resumed {WorkOrder.objects.get(pk=wo.pk).alarms.count()} times; errors {collector.errors}")


def _latency_floor(code):
    from sihe.mes import services

    line, wo = None, None
    actor = Actor.system("bench")
    from sihe.production import orders
    from sihe.production.models import ProductionOrder

    base = ProductionOrder.objects.order_by("id").first()
    order = orders.create_order(product=base.product, qty=10, warehouse=base.warehouse, due_date=base.due_date,
                                actor=actor)
    orders.release(order=order, actor=actor)
    line = services.create_line(actor=actor, data={"code": code, "name": "latency", "work_centre": "PACK-1",
                                                   "machines": [{"code": "OVEN"}]})
    services.create_rule(actor=actor, data={"line": code, "metric": "temp", "kind": "threshold", "op": ">",
                                            "value": "85", "action": "pause"})
    wo = work_orders.start(wo=work_orders.dispatch(order=order, line=line, actor=actor), actor=actor)
    return line, wo


main()
