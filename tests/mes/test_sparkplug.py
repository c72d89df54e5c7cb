"""Sparkplug B 3.0: the session state alone (pure), then through the real Mosquitto and the collector."""

import queue

import paho.mqtt.client as paho
import pysparkplug as spb
import pytest

from sihe.core import clock
from sihe.mes import selectors
from sihe.mes.ingest.sparkplug import REBIRTH_METRIC, Session
from sihe.mes.models import Machine
from tests.mes.test_collector import (
    HOST,
    PORT,
    collector_factory,
    make_floor,
    publish,
    publisher,
    tag,
    wait_for,
)

__all__ = ["collector_factory"]  # the fixture, shared
D = spb.DataType


def metric(name, value, datatype=D.DOUBLE, alias=None, ts=None):
    return spb.Metric(timestamp=ts, name=name, datatype=datatype, value=value, alias=alias)


def nbirth(seq=0, bd_seq=0, ms=None):
    ms = ms or int(clock.now().timestamp() * 1000)
    return spb.NBirth(timestamp=ms, seq=seq, metrics=(metric("bdSeq", bd_seq, D.UINT64),
                                                      metric("Node Control/Rebirth", False, D.BOOLEAN),
                                                      metric("line_speed", 120.0))).encode()


def dbirth(seq, ms=None):
    ms = ms or int(clock.now().timestamp() * 1000)
    return spb.DBirth(timestamp=ms, seq=seq, metrics=(metric("temp", 20.0, alias=1), metric("good", 0, D.UINT32, 2),
                                                      metric("mode", "auto", D.STRING, 3))).encode()


def ddata(seq, temp, good=None, ms=None):
    ms = ms or int(clock.now().timestamp() * 1000)
    metrics = [spb.Metric(timestamp=ms, name=None, alias=1, datatype=D.DOUBLE, value=temp)]
    if good is not None:
        metrics.append(spb.Metric(timestamp=ms, name=None, alias=2, datatype=D.UINT32, value=good))
    return spb.DData(timestamp=ms, seq=seq, metrics=tuple(metrics)).encode()


def ndeath(bd_seq):
    return spb.NDeath(timestamp=int(clock.now().timestamp() * 1000), bd_seq_metric=metric("bdSeq", bd_seq, D.UINT64)).encode()


class Counts(dict):
    def __call__(self, name, n=1):
        self[name] = self.get(name, 0) + n


def test_15_session_births_aliases_sequence_and_deaths():
    counts = Counts()
    session = Session(count=counts)
    base = "spBv1.0/sihe/{}/PK-1"
    assert session.handle(base.format("DDATA") + "/FILLER", ddata(1, 80.0)).readings == []
    refused = session.handle(base.format("NDATA"), ddata(1, 80.0))
    assert counts == {"before_birth": 2, "rebirth_requested": 1}  # one rebirth request per few seconds
    assert refused.publish == []

    born = session.handle(base.format("NBIRTH"), nbirth(bd_seq=7))
    assert [(r[0], r[1], r[2]) for r in born.readings] == [("PK-1", "PK-1", {"line_speed": 120.0})]
    device = session.handle(base.format("DBIRTH") + "/FILLER", dbirth(1))
    assert device.readings[0][2] == {"temp": 20.0, "good": 0.0} and counts["not_numeric"] == 1
    seq = 1
    for i in range(300):  # seq wraps 255 → 0 without a gap
        seq = (seq + 1) % 256
        out = session.handle(base.format("DDATA") + "/FILLER", ddata(seq, 70.0 + i % 5, good=i))
        assert out.publish == []
    assert "sequence_gap" not in counts
    assert out.readings[0][:3] == ("PK-1", "FILLER", {"temp": 74.0, "good": 299.0})

    gap = session.handle(base.format("DDATA") + "/FILLER", ddata((seq + 3) % 256, 90.0))
    assert counts["sequence_gap"] == 1 and gap.readings[0][2] == {"temp": 90.0}  # still taken
    [(topic, payload)] = gap.publish
    assert topic == "spBv1.0/sihe/NCMD/PK-1"
    [command] = spb.NCmd.decode(payload).metrics
    assert (command.name, command.value) == (REBIRTH_METRIC, True)

    session.handle(base.format("NDEATH"), ndeath(6))  # an older session's will: ignored
    assert counts["stale_death"] == 1
    assert session.handle(base.format("DDATA") + "/FILLER", ddata((seq + 4) % 256, 91.0)).readings
    session.handle(base.format("NDEATH"), ndeath(7))
    assert session.handle(base.format("DDATA") + "/FILLER", ddata(0, 92.0)).readings == []
    assert counts["before_birth"] == 3
    session.handle("spBv1.0/sihe/DDATA/PK-1/FILLER", b"\xff\xffnot protobuf")
    session.handle("spBv1.0/sihe/BOGUS/PK-1", b"")
    assert counts["bad_topic"] == 1 and counts["before_birth"] == 4


@pytest.mark.wall_clock
@pytest.mark.django_db(transaction=True)
def test_15_sparkplug_over_mosquitto_data_before_birth_refused_and_a_gap_asks_for_rebirth(collector_factory):
    code = f"S{tag()}"
    group = f"g{tag()}"
    line, wo = make_floor(line_code=code, rules=[{"metric": "temp", "kind": "threshold", "op": ">", "value": "85",
                                                  "action": "pause"}])
    collector = collector_factory()
    commands: queue.Queue = queue.Queue()
    listener = paho.Client(client_id=f"ncmd-{tag()}", clean_session=True)
    listener.on_message = lambda _c, _u, message: commands.put((message.topic, message.payload))
    listener.on_subscribe = lambda *_args: commands.put(("subscribed", b""))
    listener.connect(HOST, PORT)
    listener.subscribe(f"spBv1.0/{group}/NCMD/#", qos=1)
    listener.loop_start()
    assert commands.get(timeout=5)[0] == "subscribed"

    edge = publisher(f"edge-{tag()}")
    node = f"spBv1.0/{group}/{{}}/{code}"
    stats = collector.processor.stats
    publish(edge, node.format("DDATA") + "/FILLER", ddata(1, 80.0))  # nobody was born yet
    assert wait_for(lambda: stats["before_birth"] == 1)
    topic, payload = commands.get(timeout=5)
    assert topic == f"spBv1.0/{group}/NCMD/{code}"
    assert [(m.name, m.value) for m in spb.NCmd.decode(payload).metrics] == [(REBIRTH_METRIC, True)]

    publish(edge, node.format("NBIRTH"), nbirth(bd_seq=1))
    publish(edge, node.format("DBIRTH") + "/FILLER", dbirth(1))
    publish(edge, node.format("DDATA") + "/FILLER", ddata(2, 81.0, good=10))
    publish(edge, node.format("DDATA") + "/FILLER", ddata(5, 82.0, good=12))  # 3 and 4 never came
    assert wait_for(lambda: stats["sequence_gap"] == 1)
    topic, payload = commands.get(timeout=5)
    assert topic == f"spBv1.0/{group}/NCMD/{code}"
    assert spb.NCmd.decode(payload).metrics[0].name == REBIRTH_METRIC

    publish(edge, node.format("DDATA") + "/FILLER", ddata(6, 88.5))  # the rule still runs on Sparkplug data
    assert wait_for(lambda: type(wo).objects.get(pk=wo.pk).status == "paused")
    listener.loop_stop()
    edge.loop_stop()
    assert "temp" in type(wo).objects.get(pk=wo.pk).pause_reason
    filler = Machine.objects.get(line=line, code="FILLER")
    assert wait_for(lambda: len(selectors.readings(machine=filler, metric="temp")) == 4)
    assert stats["before_birth"] == 1 and sum(len(selectors.readings(machine=m, metric="line_speed"))
                                             for m in Machine.objects.filter(line=line)) == 1
