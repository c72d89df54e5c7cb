"""`sihe collect`: MQTT and OPC UA in, one worker thread out.

    stop = threading.Event()
    run(stop, host="127.0.0.1", port=1883, client_id="sihe-collector")

Paho's network thread and the OPC UA asyncio thread only put messages in the inbox; one worker thread
owns the Processor and the database connection: it takes each message (rules at once: a breach pauses
the work order within milliseconds), flushes readings every FLUSH_SECONDS, ticks every TICK_SECONDS,
prunes raw readings older than the retention once a minute, and prints a stat line every few seconds.
"""

import datetime
import logging
import queue
import sys
import threading
import time

from django.db import close_old_connections, connection

from sihe.core import clock
from sihe.mes import telemetry
from sihe.mes.ingest import opcua
from sihe.mes.ingest.mqtt import Handler, MqttSource

log = logging.getLogger("sihe.mes.collect")
FLUSH_SECONDS = 0.2
TICK_SECONDS = 0.5
PRUNE_SECONDS = 60.0
INBOX_SIZE = 20_000


class Collector:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 1883, client_id: str = "sihe-collector",
                 retention_days: float | None = None, use_opcua: bool = True, stats_every: float = 5.0,
                 out=None, processor: telemetry.Processor | None = None, topics=None):
        self.inbox: queue.Queue = queue.Queue(maxsize=INBOX_SIZE)
        self.processor = processor or telemetry.Processor()
        self.mqtt = MqttSource(self.inbox, host=host, port=port, client_id=client_id, topics=topics)
        self.handler = Handler(self.processor, self.mqtt.publish)
        self.use_opcua = use_opcua
        self.opcua: opcua.OpcuaSource | None = None
        self.retention_days = retention_days
        self.stats_every = stats_every
        self.out = out
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self._started = threading.Event()
        self.errors = 0

    @property
    def ready(self) -> bool:
        return self.mqtt.ready.is_set() and (self.opcua is None or self.opcua.ready.is_set())

    def wait_ready(self, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready:
                return True
            time.sleep(0.02)
        return False

    def start(self) -> "Collector":
        self._worker = threading.Thread(target=self._work, name="sihe-collector", daemon=True)
        self._worker.start()
        self._started.wait(30)
        self.mqtt.start()
        if self.opcua is not None:
            self.opcua.start()
        return self

    def stop(self) -> None:
        """Stop the sources, then let the worker drain the inbox, flush and close its connection."""
        self.mqtt.stop()
        if self.opcua is not None:
            self.opcua.stop()
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(timeout=60)

    # -- the worker thread ----------------------------------------------------------------------

    def _work(self) -> None:
        try:
            if self.use_opcua:
                self.opcua = opcua.OpcuaSource(self.inbox, opcua.targets())
            self.processor.reload_rules(force=True)
        finally:
            self._started.set()
        now = time.monotonic()
        last_flush = last_tick = last_stat = now
        last_prune = now - PRUNE_SECONDS + 5  # the first prune a few seconds after starting
        last_readings = 0
        try:
            while not (self._stopping.is_set() and self.inbox.empty()):
                try:
                    item = self.inbox.get(timeout=0.05)
                except queue.Empty:
                    item = None
                while item is not None:
                    self._handle(item)
                    if time.monotonic() - last_flush >= FLUSH_SECONDS:
                        break
                    try:
                        item = self.inbox.get_nowait()
                    except queue.Empty:
                        item = None
                now = time.monotonic()
                if now - last_flush >= FLUSH_SECONDS:
                    self._guard(self.processor.flush)
                    last_flush = now
                if now - last_tick >= TICK_SECONDS:
                    self._guard(self.processor.tick)
                    last_tick = now
                if self.retention_days and now - last_prune >= PRUNE_SECONDS:
                    older = clock.now() - datetime.timedelta(days=self.retention_days)
                    self._guard(lambda older=older: telemetry.prune(older_than=older))
                    last_prune = now
                    close_old_connections()
                if self.stats_every and now - last_stat >= self.stats_every:
                    readings = self.processor.stats.get("readings", 0)
                    self.print_stats((readings - last_readings) / (now - last_stat))
                    last_stat, last_readings = now, readings
            self._guard(self.processor.flush)
        finally:
            connection.close()

    def _handle(self, item) -> None:
        kind = item[0]
        if kind == "mqtt":
            self._guard(lambda: self.handler.handle(item[1], item[2]))
        elif kind == "take":
            self._guard(lambda: self.processor.take(*item[1:]))
        elif kind == "count":
            self.processor.count(item[1])

    def _guard(self, work):
        try:
            return work()
        except Exception:  # one bad message or a database hiccup does not stop the collector
            self.errors += 1
            self.processor.count("error")
            log.exception("collector: %s failed", getattr(work, "__name__", "work"))
            if connection.in_atomic_block is False and not connection.is_usable():
                connection.close()
            return None

    def print_stats(self, rate: float) -> None:
        if self.out is None:
            return
        stats = self.processor.stats
        refused = " ".join(f"{k}={v}" for k, v in sorted(stats.items()) if k not in ("readings", "alarms") and v)
        self.out.write(f"{clock.now():%H:%M:%S} collect · {rate:,.0f} readings/s · {stats.get('readings', 0):,} "
                       f"readings · {stats.get('alarms', 0)} alarms · inbox {self.inbox.qsize()}"
                       f"{' · ' + refused if refused else ''}\n")
        self.out.flush()


def run(stop_event: threading.Event, *, host: str = "127.0.0.1", port: int = 1883,
        client_id: str = "sihe-collector", retention_days: float | None = None, use_opcua: bool = True,
        stats_every: float = 5.0, out=None) -> Collector:
    """Collect until `stop_event` is set; returns the stopped Collector (its processor has the stats)."""
    collector = Collector(host=host, port=port, client_id=client_id, retention_days=retention_days,
                          use_opcua=use_opcua, stats_every=stats_every, out=out or sys.stdout).start()
    try:
        while not stop_event.wait(0.5):
            pass
    finally:
        collector.stop()
    return collector
