"""Sparkplug B 3.0 host-side session state, pure (no MQTT, no database): give it each message's topic and
payload, it answers what to take and what to publish.

    session = Session(count=processor.count)
    outcome = session.handle("spBv1.0/sihe/DDATA/PK-1/FILLER", raw)
    for line, machine, metrics, ts in outcome.readings: processor.take(line, machine, metrics, ts)
    for topic, payload in outcome.publish: client.publish(topic, payload, qos=0)

Per edge node (group, node): NBIRTH opens a session (bdSeq, seq 0, node metric aliases) and forgets the
devices; DBIRTH opens a device (its alias → name map); NDEATH closes the node when its bdSeq is the
birth's (a stale death of an older session is counted and ignored); DDEATH closes a device. Every
message of a node but NDEATH carries seq 0..255, one more than the last (wrapping): a gap is counted
(`sequence_gap`) and a rebirth is asked (NCMD `Node Control/Rebirth` = true), the message itself is
still taken. Data (NDATA/DDATA, and a DBIRTH) of a node or device without a BIRTH is refused and
counted (`before_birth`), and a rebirth is asked (at most once per REBIRTH_EVERY_SECONDS per node).

Mapping: line code = edge node id, machine code = device id (node-level metrics: machine = node id).
Numeric metrics (ints, floats, booleans) become readings at the metric's timestamp (else the payload's);
others are counted (`not_numeric`), as are nulls (`null_metric`) and unknown aliases (`unknown_alias`).
"""

import datetime
import time
from dataclasses import dataclass, field

import pysparkplug as spb

NAMESPACE = "spBv1.0"
REBIRTH_METRIC = "Node Control/Rebirth"
REBIRTH_EVERY_SECONDS = 5.0
BD_SEQ = "bdSeq"
NUMERIC = {spb.DataType.INT8, spb.DataType.INT16, spb.DataType.INT32, spb.DataType.INT64, spb.DataType.UINT8,
           spb.DataType.UINT16, spb.DataType.UINT32, spb.DataType.UINT64, spb.DataType.FLOAT,
           spb.DataType.DOUBLE, spb.DataType.BOOLEAN}
MessageType = spb.MessageType


@dataclass
class Outcome:
    readings: list = field(default_factory=list)  # (line, machine, {metric: value}, ts)
    publish: list = field(default_factory=list)  # (topic, payload bytes)


@dataclass
class _Device:
    birth: spb.DBirth


@dataclass
class _Node:
    birth: spb.NBirth | None = None
    bd_seq: int | None = None
    seq: int | None = None
    devices: dict = field(default_factory=dict)  # device id → _Device
    rebirth_asked: float | None = None  # monotonic time of the last rebirth request


def _ts(ms) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


def rebirth_request(group: str, node: str, *, now_ms: int | None = None) -> tuple[str, bytes]:
    """The NCMD asking an edge node to publish its NBIRTH and DBIRTHs again."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    payload = spb.NCmd(timestamp=now_ms, metrics=(spb.Metric(timestamp=now_ms, name=REBIRTH_METRIC,
                                                             datatype=spb.DataType.BOOLEAN, value=True),))
    return f"{NAMESPACE}/{group}/NCMD/{node}", payload.encode(include_dtypes=True)


class Session:
    def __init__(self, *, count=None, monotonic=time.monotonic):
        self._count = count if count is not None else (lambda name, n=1: None)
        self._monotonic = monotonic
        self.nodes: dict[tuple[str, str], _Node] = {}

    def count(self, name: str, n: int = 1) -> None:
        self._count(name, n)

    # -- the entry point ------------------------------------------------------------------------

    def handle(self, topic: str, raw: bytes) -> Outcome:
        out = Outcome()
        try:
            parsed = spb.Topic.from_str(topic)
        except (ValueError, IndexError):
            self.count("bad_topic")
            return out
        kind = parsed.message_type
        if kind in (MessageType.STATE, MessageType.NCMD, MessageType.DCMD):
            return out  # host state and commands (ours included) are not machine data
        group, node_id, device_id = parsed.group_id, parsed.edge_node_id, parsed.device_id
        if not group or not node_id or (kind in (MessageType.DBIRTH, MessageType.DDATA, MessageType.DDEATH)
                                        and not device_id):
            self.count("bad_topic")
            return out
        node = self.nodes.setdefault((group, node_id), _Node())
        try:
            handler = {MessageType.NBIRTH: self._nbirth, MessageType.NDEATH: self._ndeath,
                       MessageType.DBIRTH: self._dbirth, MessageType.DDEATH: self._ddeath,
                       MessageType.NDATA: self._ndata, MessageType.DDATA: self._ddata}[kind]
        except KeyError:
            self.count("bad_topic")
            return out
        try:
            handler(out, group, node_id, device_id, node, raw)
        except (ValueError, KeyError, TypeError, IndexError, NotImplementedError) as error:
            # protobuf's DecodeError is a ValueError; pysparkplug raises NotImplementedError for a metric
            # data type it does not decode (DataSet, Template …): a refused payload, counted, not a crash
            self.count("bad_payload")
            del error
        return out

    # -- births and deaths ----------------------------------------------------------------------

    def _nbirth(self, out, group, node_id, _device, node, raw):
        birth = spb.NBirth.decode(raw)
        bd_seq = next((m.value for m in birth.metrics if m.name == BD_SEQ), None)
        node.birth, node.bd_seq, node.devices, node.rebirth_asked = birth, bd_seq, {}, None
        node.seq = birth.seq if birth.seq is not None else 0
        self._take(out, node_id, node_id, birth, birth)

    def _ndeath(self, out, _group, _node_id, _device, node, raw):
        death = spb.NDeath.decode(raw)
        if node.birth is not None and node.bd_seq is not None and death.bd_seq_metric.value != node.bd_seq:
            self.count("stale_death")  # the will of an older session, arriving after the new birth
            return
        node.birth, node.seq, node.devices = None, None, {}

    def _dbirth(self, out, group, node_id, device_id, node, raw):
        if node.birth is None:
            self._before_birth(out, group, node_id, node)
            return
        birth = spb.DBirth.decode(raw)
        self._sequence(out, group, node_id, node, birth.seq)
        node.devices[device_id] = _Device(birth=birth)
        self._take(out, node_id, device_id, birth, birth)

    def _ddeath(self, out, group, node_id, device_id, node, raw):
        if node.birth is None:
            return
        death = spb.DDeath.decode(raw)
        self._sequence(out, group, node_id, node, death.seq)
        node.devices.pop(device_id, None)

    # -- data -----------------------------------------------------------------------------------

    def _ndata(self, out, group, node_id, _device, node, raw):
        if node.birth is None:
            self._before_birth(out, group, node_id, node)
            return
        data = self._decode(spb.NData, raw, node.birth)
        self._sequence(out, group, node_id, node, data.seq)
        self._take(out, node_id, node_id, data, node.birth)

    def _ddata(self, out, group, node_id, device_id, node, raw):
        device = node.devices.get(device_id) if node.birth is not None else None
        if device is None:
            self._before_birth(out, group, node_id, node)
            return
        data = self._decode(spb.DData, raw, device.birth)
        self._sequence(out, group, node_id, node, data.seq)
        self._take(out, node_id, device_id, data, device.birth)

    def _decode(self, cls, raw, birth):
        try:
            return cls.decode(raw, birth=birth)
        except KeyError:  # an alias the birth did not declare: decode without names, count those metrics
            return cls.decode(raw)

    def _take(self, out, line, machine, payload, birth):
        metrics = {}
        for metric in payload.metrics:
            name = metric.name
            if not name and metric.alias is not None:
                try:
                    name = birth.get_name(metric.alias)
                except KeyError:
                    self.count("unknown_alias")
                    continue
            if not name or name == BD_SEQ or name.startswith("Node Control/"):
                continue
            if metric.is_null or metric.value is None:
                self.count("null_metric")
                continue
            datatype = metric.datatype
            if datatype == spb.DataType.UNKNOWN:
                try:
                    datatype = birth.get_dtype(name)
                except KeyError:
                    datatype = spb.DataType.UNKNOWN
            if datatype not in NUMERIC or not isinstance(metric.value, (int, float, bool)):
                self.count("not_numeric")
                continue
            ts = metric.timestamp if metric.timestamp is not None else payload.timestamp
            metrics.setdefault(ts, {})[name] = float(metric.value)
        for ts, values in metrics.items():
            out.readings.append((line, machine, values, _ts(ts)))

    # -- sequence and rebirth -------------------------------------------------------------------

    def _sequence(self, out, group, node_id, node, seq):
        expected = (node.seq + 1) % 256 if node.seq is not None else None
        node.seq = seq
        if expected is not None and seq != expected:
            self.count("sequence_gap")
            self._rebirth(out, group, node_id, node, force=True)

    def _before_birth(self, out, group, node_id, node):
        self.count("before_birth")
        self._rebirth(out, group, node_id, node)

    def _rebirth(self, out, group, node_id, node, *, force: bool = False):
        now = self._monotonic()
        if not force and node.rebirth_asked is not None and now - node.rebirth_asked < REBIRTH_EVERY_SECONDS:
            return
        node.rebirth_asked = now
        self.count("rebirth_requested")
        out.publish.append(rebirth_request(group, node_id))
