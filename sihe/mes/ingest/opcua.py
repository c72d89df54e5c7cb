"""The OPC UA side of `sihe collect`: for each active line with an `opcua_endpoint`, an asyncua client
with one subscription (`create_subscription` + `subscribe_data_change`, not polling) on the Signal nodes
of its machines. Each data change goes to the collector's inbox as ("take", line, machine, {metric:
value}, ts) and is taken on the worker thread like an MQTT reading. A lost server is reconnected (asyncua's
auto-reconnect, and a fresh connect when the first one fails)."""

import asyncio
import datetime
import logging
import queue
import threading
from dataclasses import dataclass

from asyncua import Client, ua

from sihe.mes.models import Line, Signal

log = logging.getLogger("sihe.mes.collect")
PUBLISHING_MS = 100
RETRY_SECONDS = 2.0


@dataclass(frozen=True)
class Target:
    node_id: str
    line: str
    machine: str
    metric: str


def targets() -> dict[str, list[Target]]:
    """endpoint → the signals to subscribe to (read from the database by the caller's thread)."""
    out: dict[str, list[Target]] = {}
    signals = (Signal.objects.filter(machine__line__active=True).exclude(machine__line__opcua_endpoint="")
               .select_related("machine__line").order_by("machine__line__code", "machine__code", "metric"))
    for signal in signals:
        line: Line = signal.machine.line
        out.setdefault(line.opcua_endpoint, []).append(
            Target(signal.node_id, line.code, signal.machine.code, signal.metric))
    return out


def _utc(moment) -> datetime.datetime:
    if moment is None:
        return datetime.datetime.now(datetime.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


class _Changes:
    def __init__(self, source: "OpcuaSource", by_node: dict):
        self.source, self.by_node = source, by_node

    def datachange_notification(self, node, val, data):
        target = self.by_node.get(node.nodeid)
        if target is None:
            return
        if isinstance(val, bool):
            val = float(val)
        if not isinstance(val, (int, float)):
            self.source.put(("count", "not_numeric"))
            return
        value = data.monitored_item.Value
        ts = _utc(value.SourceTimestamp or value.ServerTimestamp)
        self.source.put(("take", target.line, target.machine, {target.metric: float(val)}, ts))


class OpcuaSource:
    """Runs its own asyncio loop on a thread of its own; `ready` is set when every endpoint is subscribed."""

    def __init__(self, inbox: queue.Queue, endpoints: dict[str, list[Target]]):
        self.inbox = inbox
        self.endpoints = endpoints
        self.ready = threading.Event()
        self._subscribed: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if not endpoints:
            self.ready.set()

    def put(self, item) -> None:
        try:
            self.inbox.put(item, timeout=1)
        except queue.Full:
            pass  # the worker is far behind; a data change is dropped, the next one carries the value

    def start(self) -> None:
        if not self.endpoints:
            return
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="sihe-opcua", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    async def _main(self) -> None:
        await asyncio.gather(*(self._endpoint(url, signals) for url, signals in self.endpoints.items()))

    async def _endpoint(self, url: str, signals: list[Target]) -> None:
        while not self._stop.is_set():
            client = Client(url, auto_reconnect=True)
            try:
                await client.connect()
                by_node = {}
                for target in signals:
                    try:
                        by_node[ua.NodeId.from_string(target.node_id)] = target
                    except (ValueError, ua.UaError):
                        log.warning("OPC UA: bad node id %r of %s/%s", target.node_id, target.line, target.machine)
                        self.put(("count", "bad_node_id"))
                subscription = await client.create_subscription(PUBLISHING_MS, _Changes(self, by_node))
                nodes = [client.get_node(node_id) for node_id in by_node]
                results = await subscription.subscribe_data_change(nodes)
                for node, result in zip(nodes, results, strict=True):
                    if isinstance(result, ua.StatusCode):
                        log.warning("OPC UA %s: cannot subscribe to %s (%s)", url, node.nodeid, result)
                        self.put(("count", "opcua_bad_node"))
                log.info("OPC UA %s: subscribed to %d node(s)", url, len(nodes))
                self._subscribed.add(url)
                if self._subscribed >= set(self.endpoints):
                    self.ready.set()
                while not self._stop.is_set():
                    await asyncio.sleep(0.2)
            except (TimeoutError, OSError, ua.UaError, ConnectionError) as error:
                log.warning("OPC UA %s: %s; retrying in %ss", url, error or type(error).__name__, RETRY_SECONDS)
                self.put(("count", "opcua_error"))
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                try:
                    await client.disconnect()
                except Exception:  # noqa: BLE001 - a half-open client has nothing to close
                    pass
