"""`sihe collect [--host H --port P --client-id ID --retention-days D --once-seconds N --no-opcua]`:
the shop floor's telemetry collector (MQTT JSON and Sparkplug B, OPC UA subscriptions; see
`sihe.mes.ingest`). Runs until SIGTERM/SIGINT (it drains and flushes what it holds), or N seconds with
`--once-seconds`. Raw readings older than the retention are pruned once a minute (roll-ups stay)."""

import logging
import os
import signal
import threading
from urllib.parse import urlparse

from django.core.management.base import BaseCommand

from sihe.mes.ingest import collector


def _broker_default() -> tuple[str, int]:
    url = urlparse(os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883")
    return url.hostname or "127.0.0.1", url.port or 1883


class Command(BaseCommand):
    help = "Collect machine telemetry over MQTT (JSON, Sparkplug B) and OPC UA; rules pause work orders."

    def add_arguments(self, parser):
        host, port = _broker_default()
        parser.add_argument("--host", default=host, help="MQTT broker host (default from MQTT_URL)")
        parser.add_argument("--port", type=int, default=port)
        parser.add_argument("--client-id", default="sihe-collector", help="fixed: the broker keeps its session")
        parser.add_argument("--retention-days", type=float, default=30.0, help="raw readings kept (0: forever)")
        parser.add_argument("--once-seconds", type=float, default=None, help="stop after N seconds")
        parser.add_argument("--stats-every", type=float, default=5.0, help="seconds between stat lines")
        parser.add_argument("--no-opcua", action="store_true", help="do not subscribe to OPC UA servers")

    def handle(self, *args, host, port, client_id, retention_days, once_seconds, stats_every, no_opcua, **opts):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        stop = threading.Event()

        def on_signal(signum, _frame):
            self.stderr.write(f"sihe collect: {signal.Signals(signum).name}, draining and stopping")
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if once_seconds:
            timer = threading.Timer(once_seconds, stop.set)
            timer.daemon = True
            timer.start()
        self.stdout.write(f"sihe collect: {host}:{port} as {client_id!r}, retention "
                          f"{retention_days:g} days (Ctrl-C to stop)")
        done = collector.run(stop, host=host, port=port, client_id=client_id,
                             retention_days=retention_days or None, use_opcua=not no_opcua,
                             stats_every=stats_every, out=self.stdout)
        stats = done.processor.stats
        self.stdout.write(f"sihe collect: stopped · {stats.get('readings', 0):,} readings · "
                          f"{stats.get('alarms', 0)} alarms")
