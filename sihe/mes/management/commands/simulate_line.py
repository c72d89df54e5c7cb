"""`sihe simulate-line [--line PK-1 --seconds N --rate R --opcua --host H --port P]`: plays a packaging line.

Every 1/R second it publishes, for each machine of the line, `sihe/<line>/<machine>/telemetry` (QoS 1)
with temp, speed and the machine's good and scrap counters rising; after ~20 s the temperature goes
above 85 for 15 s (so a rule like "temp > 85 for 10 s" fires), then back. With `--opcua` it also runs
an asyncua server (opc.tcp://127.0.0.1:4840/sihe/) with the same metrics as nodes
`ns=2;s=<line>.<machine>.<metric>`, and prints them (add them as the machines' signals to collect them).
"""

import asyncio
import json
import math
import random
import threading
import time

import paho.mqtt.client as paho
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sihe.core.actor import Actor
from sihe.mes import work_orders
from sihe.mes.management.commands.collect import _broker_default
from sihe.mes.models import Line, WorkOrder

EXCURSION_AT, EXCURSION_SECONDS = 20.0, 15.0


def temperature(elapsed: float, rng: random.Random) -> float:
    if EXCURSION_AT <= elapsed < EXCURSION_AT + EXCURSION_SECONDS:
        return 87.0 + rng.uniform(0, 2)
    return 72.0 + 3 * math.sin(elapsed / 15) + rng.uniform(-0.5, 0.5)


class Command(BaseCommand):
    help = "Play a packaging line: JSON telemetry over MQTT (and OPC UA nodes with --opcua)."

    def add_arguments(self, parser):
        host, port = _broker_default()
        parser.add_argument("--line", default="PK-1")
        parser.add_argument("--seconds", type=float, default=0, help="stop after N seconds (0: until Ctrl-C)")
        parser.add_argument("--rate", type=float, default=1.0, help="messages per machine per second")
        parser.add_argument("--opcua", action="store_true", help="also serve the metrics over OPC UA")
        parser.add_argument("--opcua-port", type=int, default=4840)
        parser.add_argument("--host", default=host)
        parser.add_argument("--port", type=int, default=port)

    def handle(self, *args, line, seconds, rate, opcua, opcua_port, host, port, **opts):
        found = Line.objects.filter(code=line).first()
        if found is None:
            raise CommandError(f"no line {line} (create it, or load the demo)")
        machines = list(found.machines.order_by("code")) or []
        if not machines:
            raise CommandError(f"line {line} has no machines")
        self._start_work(found)
        rng = random.Random(7)
        counters = {m.code: [0, 0] for m in machines}
        values: dict[tuple[str, str], float] = {}
        client = paho.Client(client_id=f"sihe-simulate-{line}", clean_session=True)
        client.connect(host, port)
        client.loop_start()
        stop = threading.Event()
        if opcua:
            names = [(m.code, metric) for m in machines for metric in ("temp", "speed", "good", "scrap")]
            threading.Thread(target=lambda: asyncio.run(self._serve(line, names, values, opcua_port, stop)),
                             daemon=True).start()
        self.stdout.write(f"simulate-line {line}: {len(machines)} machine(s) → {host}:{port}, "
                          f"excursion above 85 at {EXCURSION_AT:g}s for {EXCURSION_SECONDS:g}s")
        start = time.monotonic()
        sent = 0
        try:
            while not seconds or time.monotonic() - start < seconds:
                elapsed = time.monotonic() - start
                for m in machines:
                    c = counters[m.code]
                    c[0] += rng.randint(8, 12)
                    c[1] += 1 if rng.random() < 0.2 else 0
                    metrics = {"temp": round(temperature(elapsed, rng), 2), "speed": 120 + rng.randint(-5, 5),
                               m.good_metric or "good": c[0], m.scrap_metric or "scrap": c[1]}
                    for name, value in metrics.items():
                        values[(m.code, name)] = float(value)
                    client.publish(f"sihe/{line}/{m.code}/telemetry",
                                   json.dumps({"ts": int(time.time() * 1000), "metrics": metrics}), qos=1)
                    sent += 1
                if int(elapsed) % 5 == 0 and elapsed - int(elapsed) < 1 / rate:
                    self.stdout.write(f"{elapsed:5.0f}s · {sent} messages · temp {metrics['temp']}")
                time.sleep(max(0.0, start + (sent / len(machines)) / rate - time.monotonic()))
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            client.loop_stop()
            client.disconnect()
        self.stdout.write(f"simulate-line {line}: {sent} messages")

    def _start_work(self, line: Line) -> None:
        """The line works on something: the first dispatched work order starts when none is on the line."""
        if work_orders.running_on(line) is not None:
            return
        queued = WorkOrder.objects.filter(line=line, status=WorkOrder.Status.DISPATCHED).order_by("dispatched_at", "id")
        if queued.first() is None:
            self.stdout.write(f"line {line.code}: no work order dispatched — counts are stored but go to no order")
            return
        with transaction.atomic(durable=True):
            wo = work_orders.start(wo=queued.first(), actor=Actor.system("simulate-line"))
        self.stdout.write(f"line {line.code}: started {wo.number}")

    async def _serve(self, line, names, values, port, stop):
        from asyncua import Server, ua

        server = Server()
        await server.init()
        url = f"opc.tcp://127.0.0.1:{port}/sihe/"
        server.set_endpoint(url)
        idx = await server.register_namespace("urn:sihe:simulate-line")
        nodes = {}
        for machine, metric in names:
            node = await server.nodes.objects.add_variable(ua.NodeId(f"{line}.{machine}.{metric}", idx),
                                                           f"{machine}.{metric}", 0.0)
            nodes[(machine, metric)] = node
        async with server:
            self.stdout.write(f"OPC UA {url}: " + ", ".join(n.nodeid.to_string() for n in nodes.values()))
            while not stop.is_set():
                for key, node in nodes.items():
                    if key in values:
                        await node.write_value(values[key])
                await asyncio.sleep(0.5)
