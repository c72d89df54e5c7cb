"""The MQTT side of `sihe collect`: one paho client (fixed client id, `clean_session=False`, QoS 1) that
hands every message to the collector's inbox; the parsing and the Processor work happen on the
collector's worker thread (`Handler`), never on paho's network thread.

Topics: Sparkplug B `spBv1.0/#` (see `sparkplug.py`) and plain JSON `sihe/<line>/<machine>/telemetry`
with `{"ts": ISO-8601 or epoch ms, "metrics": {name: number}}`. A message that cannot be read is refused
and counted by reason (`bad_topic`, `bad_json`, `bad_metrics`, `bad_ts`); a metric that is not a number
is dropped and counted (`not_numeric`); the rest of the message is taken.

Persistent session: the broker keeps the QoS 1 messages published while the collector is away and
delivers them when it connects again with the same client id. paho 1.6 acknowledges a message when
`on_message` returns, i.e. when it is in the inbox: a collector killed hard loses what was in the inbox
(at most ~0.2 s of readings); a collector stopped (SIGINT/SIGTERM) drains and flushes it first.
"""

import datetime
import json
import logging
import math
import queue
import threading
import time

import paho.mqtt.client as paho

from sihe.core import clock
from sihe.mes.ingest.sparkplug import NAMESPACE, Session

log = logging.getLogger("sihe.mes.collect")

SPARKPLUG_TOPIC = f"{NAMESPACE}/#"
JSON_TOPIC = "sihe/+/+/telemetry"
TOPICS = [(SPARKPLUG_TOPIC, 1), (JSON_TOPIC, 1)]
# epoch milliseconds Sihe accepts as a reading's time: 2001-09-09 … 2286-11-20
MS_RANGE = (10**12, 10**13)


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_ts(value) -> datetime.datetime:
    if value is None:
        return clock.now()
    if isinstance(value, bool):
        raise Refused("bad_ts")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not MS_RANGE[0] <= value < MS_RANGE[1]:
            raise Refused("bad_ts")
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise Refused("bad_ts") from None
        return clock.local(moment)  # a time without zone is Beijing time
    raise Refused("bad_ts")


def parse_json(topic: str, payload: bytes, count) -> tuple[str, str, dict, datetime.datetime]:
    """(line, machine, {metric: float}, ts) of a JSON telemetry message; raises Refused(reason)."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != "sihe" or parts[3] != "telemetry" or not parts[1] or not parts[2]:
        raise Refused("bad_topic")
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refused("bad_json") from None
    if not isinstance(body, dict) or not isinstance(body.get("metrics"), dict):
        raise Refused("bad_metrics")
    ts = parse_ts(body.get("ts"))
    metrics = {}
    for name, value in body["metrics"].items():
        if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                or not name or len(name) > 60):
            count("not_numeric")
            continue
        metrics[name] = float(value)
    return parts[1], parts[2], metrics, ts


class Handler:
    """Runs on the worker thread: a message from the inbox → Sparkplug session / JSON → Processor."""

    def __init__(self, processor, publish):
        self.processor = processor
        self.publish = publish
        self.session = Session(count=processor.count)

    def handle(self, topic: str, payload: bytes) -> None:
        if topic.startswith(NAMESPACE + "/"):
            outcome = self.session.handle(topic, payload)
            for line, machine, metrics, ts in outcome.readings:
                self.processor.take(line, machine, metrics, ts)
            for cmd_topic, cmd in outcome.publish:
                self.publish(cmd_topic, cmd, qos=0)
            return
        try:
            line, machine, metrics, ts = parse_json(topic, payload, self.processor.count)
        except Refused as refused:
            self.processor.count(refused.reason)
            return
        if metrics:
            self.processor.take(line, machine, metrics, ts)


class MqttSource:
    """The paho client. Messages go to `inbox` as ("mqtt", topic, payload); `ready` is set once the
    subscriptions are acknowledged (again after each reconnect)."""

    def __init__(self, inbox: queue.Queue, *, host: str = "127.0.0.1", port: int = 1883, client_id: str,
                 keepalive: int = 30, topics=None):
        self.inbox = inbox
        self.ready = threading.Event()
        self.topics = topics or TOPICS
        self._stopping = threading.Event()
        self.client = paho.Client(client_id=client_id, clean_session=False, protocol=paho.MQTTv311)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.host, self.port, self.keepalive = host, port, keepalive

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=self.keepalive)
        self.client.loop_start()

    def stop(self) -> None:
        """Stop taking messages (DISCONNECT; the broker keeps the session and queues for it)."""
        self._stopping.set()
        self.client.disconnect()
        self.client.loop_stop()

    def publish(self, topic: str, payload: bytes, qos: int = 0) -> None:
        self.client.publish(topic, payload, qos=qos)

    def _on_connect(self, client, _userdata, flags, rc):
        if rc != 0:
            log.warning("MQTT connect refused: %s", paho.connack_string(rc))
            return
        log.info("MQTT connected to %s:%s (session present: %s)", self.host, self.port,
                 flags.get("session present"))
        client.subscribe(self.topics)

    def _on_subscribe(self, _client, _userdata, _mid, _granted):
        self.ready.set()

    def _on_disconnect(self, _client, _userdata, rc):
        self.ready.clear()
        if rc != 0 and not self._stopping.is_set():
            log.warning("MQTT connection lost (%s); reconnecting", rc)

    def _on_message(self, _client, _userdata, message):
        item = ("mqtt", message.topic, message.payload)
        while True:  # a full inbox holds paho back, and with it the broker (which keeps the QoS 1 messages)
            try:
                self.inbox.put(item, timeout=0.5)
                return
            except queue.Full:
                if self._stopping.is_set():
                    return
                time.sleep(0)
