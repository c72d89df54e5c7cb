"""`sihe push-stock [--drain] [--interval SECONDS] [--batch N]`: push each channel's ATP to its shop.

Takes what the hub handler `oms.stock_push.enqueue` queued (run `sihe worker` next to it), within each
channel's rate limit, retried with backoff (sihe/oms/stockpush.py). Without `--drain` it polls forever and
stops cleanly on SIGTERM or SIGINT; with `--drain` it exits, status 0, when nothing is due any more
(retries scheduled for later stay scheduled).
"""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils import timezone

from sihe.oms import stockpush


class Command(BaseCommand):
    help = "Push the available-to-promise of every channel to its shop (the stock pusher)."

    def add_arguments(self, parser):
        parser.add_argument("--drain", action="store_true", help="push everything due, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", type=int, default=50, help="rows claimed per round")
        parser.add_argument("--quiet", action="store_true", help="print only the summary")

    def handle(self, *args, drain=False, interval=1.0, batch=50, quiet=False, **opts):
        echo = None if quiet else self._echo
        if drain:
            totals = stockpush.drain(limit=max(1, batch), echo=echo)
            self._summary(totals)
            return
        self.stopping = threading.Event()
        self._install_signals()
        self.stdout.write(f"sihe push-stock: polling every {interval:g}s (Ctrl-C to stop)")
        totals = stockpush.Round()
        while not self.stopping.is_set():
            try:
                result = stockpush.push_due(limit=max(1, batch))
            except Exception as exc:
                self.stderr.write(f"push round failed: {type(exc).__name__}: {exc}")
                connections.close_all()
                self.stopping.wait(max(interval, 1.0))
                continue
            for line in result.lines:
                if echo:
                    echo(line)
            totals.pushed, totals.failed, totals.gave_up = (totals.pushed + result.pushed, totals.failed + result.failed,
                                                            totals.gave_up + result.gave_up)
            if result.work:
                continue
            close_old_connections()
            self.stopping.wait(max(0.01, min(result.wait_seconds, interval)) if result.waiting else interval)
        self._summary(totals)

    def _summary(self, totals: stockpush.Round) -> None:
        self.stdout.write(f"sihe push-stock: {totals.pushed} pushed, {totals.failed} failed (will retry), "
                          f"{totals.gave_up} given up")

    def _echo(self, line: str) -> None:
        self.stdout.write(f"{timezone.localtime().strftime('%H:%M:%S')} {line}")
        self.stdout.flush()

    def _install_signals(self) -> None:
        def stop(signum, frame):
            if self.stopping.is_set():
                raise KeyboardInterrupt
            self.stderr.write(f"sihe push-stock: {signal.Signals(signum).name}, stopping after the current push")
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
