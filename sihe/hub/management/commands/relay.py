"""`sihe relay [--drain] [--batch N] [--interval S]`: publish the event log to NATS JetStream (sihe.hub.relay)."""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sihe.hub.relay import Relay, position


class Command(BaseCommand):
    help = "Relay the event log to NATS JetStream, at least once, deduplicated by event id."

    def add_arguments(self, parser):
        parser.add_argument("--drain", action="store_true", help="relay everything logged so far, then exit")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")

    def handle(self, *args, drain=False, batch=500, interval=0.5, **opts):
        stopping = threading.Event()
        if not drain:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stopping.set())
        relay = Relay(batch=max(1, batch))
        relay.connect()
        self.stdout.write(f"sihe relay: {relay.target.url} stream {relay.target.stream}, "
                          f"from event {position(relay.target) + 1}")
        self.stdout.flush()
        sent = 0
        try:
            while not stopping.is_set():
                done = relay.step()
                sent += done
                if done:
                    continue
                if drain:
                    break
                close_old_connections()
                stopping.wait(interval)
        finally:
            relay.close()
        self.stdout.write(f"sihe relay: {sent} events published, position {position(relay.target)}")
