"""`sihe worker [--drain] [--interval SECONDS] [--batch N] [--threads N]`: deliver the event log.

Runs the in-process handlers, fans new events out to webhook subscriptions and POSTs what is
due, printing each delivery. Without `--drain` it polls forever and exits cleanly on SIGTERM or
SIGINT (after the POST in progress). With `--drain` it stops, exit status 0, when a round finds
nothing left that is due (retries scheduled for later stay scheduled).
"""

import signal
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils import timezone

from sihe.core import idempotency
from sihe.hub import dispatcher

HOUSEKEEPING_SECONDS = 600


class Command(BaseCommand):
    help = "Deliver events to in-process handlers and webhooks (the outbox worker)."

    def add_arguments(self, parser):
        parser.add_argument("--drain", action="store_true", help="deliver everything due, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", type=int, default=20, help="deliveries claimed per round")
        parser.add_argument("--threads", type=int, default=4, help="POSTs sent at the same time")
        parser.add_argument("--quiet", action="store_true", help="print only the summary")

    def handle(self, *args, drain=False, interval=1.0, batch=20, threads=4, quiet=False, **opts):
        self.stopping = threading.Event()
        echo = None if quiet else self._echo
        totals = dispatcher.Round()
        if not drain:
            self._install_signals()
            self.stdout.write(f"sihe worker: polling every {interval:g}s (Ctrl-C to stop)")
        while not self.stopping.is_set():
            try:
                result = dispatcher.step(limit=max(1, batch), threads=max(1, threads), echo=echo)
            except Exception as exc:
                if drain:
                    raise
                # The database went away or was locked: say so, reconnect on the next round.
                self.stderr.write(f"worker round failed: {type(exc).__name__}: {exc}")
                connections.close_all()
                self.stopping.wait(max(interval, 1.0))
                continue
            for name in ("handled", "fanned_out", "delivered", "failed", "dead"):
                setattr(totals, name, getattr(totals, name) + getattr(result, name))
            if result.work:
                continue
            if drain:
                break
            self._housekeeping()
            close_old_connections()
            self.stopping.wait(interval)
        self.stdout.write(
            f"sihe worker: {totals.delivered} delivered, {totals.failed} failed (will retry), "
            f"{totals.dead} dead, {totals.handled} events passed to in-process handlers"
            + (", stopped" if self.stopping.is_set() else "")
        )

    def _housekeeping(self) -> None:
        """Once in a while when idle: forget expired Idempotency-Key records."""
        now = time.monotonic()
        if now - getattr(self, "_last_housekeeping", 0.0) < HOUSEKEEPING_SECONDS:
            return
        self._last_housekeeping = now
        forgotten = idempotency.forget_expired()
        if forgotten:
            self.stdout.write(f"sihe worker: forgot {forgotten} expired idempotency records")

    def _echo(self, line: str) -> None:
        stamp = timezone.localtime().strftime("%H:%M:%S")
        self.stdout.write(f"{stamp} {line}")
        self.stdout.flush()

    def _install_signals(self) -> None:
        def stop(signum, frame):
            if self.stopping.is_set():
                raise KeyboardInterrupt  # a second Ctrl-C stops at once
            self.stderr.write(f"sihe worker: {signal.Signals(signum).name}, stopping after the current delivery")
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
