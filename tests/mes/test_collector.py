"""The collector against the real Mosquitto (127.0.0.1:1883): JSON readings, a pause within the
reading's processing, refusals counted, and a persistent session that loses nothing the broker kept.

Each test uses its own client ids, line codes and topics (uuid), so parallel runs on other databases
do not take each other's messages (their collectors see an unknown line and count it)."""

import datetime
import json
import time
import uuid
from decimal import Decimal

import paho.mqtt.client as paho
import pytest

from sihe.catalog.models import Location, Product, Uom, Warehouse, Zone
from sihe.core import clock
from sihe.core.actor import Actor
from sihe.costing import services as costing
from sihe.mes import selectors, services, work_orders
from sihe.mes.ingest.collector import Collector
from sihe.mes.models import CollectorStat, Machine, WorkOrder
from sihe.production import boms, orders
from sihe.stock.services import InLine

HOST, PORT = "127.0.0.1", 1883
pytestmark = [pytest.mark.wall_clock, pytest.mark.django_db(transaction=True)]


def tag() -> str:
    return uuid.uuid4().hex[:10]


def make_plant():
    """A packaging plant on the real clock (no expiring components): cups packed from film and boxes."""
    wh = Warehouse.objects.create(code="PKF", name="包装工厂", province="浙江省", city="嘉兴市")
    zone = Zone.objects.create(warehouse=wh, code="A", name="A")
    Location.objects.create(warehouse=wh, zone=zone, code="A-01-01-01", kind="bin", aisle=1)
    pcs = Uom.objects.get(code="PCS")
    items = {"PACK": Product.objects.create(sku="PACK-6", name="六联包", uom=pcs),
             "FILM": Product.objects.create(sku="FILM", name="收缩膜", uom=pcs)}
    actor = Actor.system("plant")
    costing.receive(warehouse=wh, actor=actor, date=clock.today(), reference="PO-RAW",
                    lines=[InLine(product=items["FILM"], qty=Decimal(100000), unit_cost=Decimal("0.10"))])
    boms.create_work_centre(actor=actor, data={
        "code": "PACK-1", "name": "包装线1", "warehouse": "PKF", "labour_rate_per_hour": "60",
        "overhead_rate_per_hour": "30", "minutes_per_day": 960})
    boms.create_bom(actor=actor, data={
        "product": "PACK-6", "quantity": "1", "valid_from": "2020-01-01", "lines": [{"sku": "FILM", "qty": "1"}],
        "operations": [{"seq": 10, "work_centre": "PACK-1", "setup_minutes": "0", "minutes_per_unit": "0.01"}]})
    return {"wh": wh, "items": items}


def make_floor(*, line_code: str, rules=(), machines=("FILLER",), opcua_endpoint: str = "", start: bool = True):
    """Plant, a released production order, a line of FILL-1 with its rules and machines, and the order's work
    order dispatched to the line (and started)."""
    plant = make_plant()
    actor = Actor.system("test")
    order = orders.create_order(product=plant["items"]["PACK"], qty=100, warehouse=plant["wh"],
                                due_date=clock.today() + datetime.timedelta(days=3), actor=actor)
    orders.release(order=order, actor=actor)
    line = services.create_line(actor=actor, data={
        "code": line_code, "name": "包装线", "work_centre": "PACK-1", "opcua_endpoint": opcua_endpoint,
        "machines": [{"code": m, "good_metric": "good", "scrap_metric": "scrap"} for m in machines]})
    for rule in rules:
        services.create_rule(actor=actor, data={"line": line_code, **rule})
    wo = work_orders.dispatch(order=order, line=line, actor=actor)
    if start:
        wo = work_orders.start(wo=wo, actor=Actor.system("test"))
    return line, wo


def stored(machine, metric: str = "") -> list[tuple]:
    """The raw readings kept for a machine: (ts, metric, value)."""
    return selectors.readings(machine=machine, metric=metric)


def publisher(client_id: str) -> paho.Client:
    client = paho.Client(client_id=client_id, clean_session=True)
    client.connect(HOST, PORT)
    client.loop_start()
    return client


def publish(client: paho.Client, topic: str, body, qos: int = 1) -> None:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    client.publish(topic, payload, qos=qos).wait_for_publish(timeout=5)


def forget_session(client_id: str) -> None:
    """Connect once with clean_session=True: the broker drops the persistent session of a test's collector."""
    client = paho.Client(client_id=client_id, clean_session=True)
    client.connect(HOST, PORT)
    client.loop_start()
    time.sleep(0.1)
    client.disconnect()
    client.loop_stop()


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def collector_factory():
    started: list[Collector] = []
    ids: set[str] = set()

    def make(client_id: str | None = None, **kw) -> Collector:
        client_id = client_id or f"sihe-test-{tag()}"
        ids.add(client_id)
        collector = Collector(host=HOST, port=PORT, client_id=client_id, stats_every=0, **kw).start()
        started.append(collector)
        assert collector.wait_ready(10), "the collector did not subscribe"
        return collector

    yield make
    for collector in started:
        collector.stop()
    for client_id in ids:
        forget_session(client_id)


def test_15_a_json_reading_over_a_threshold_pauses_the_running_work_order(collector_factory):
    code = f"T{tag()}"
    line, wo = make_floor(line_code=code, rules=[{"metric": "temp", "kind": "threshold", "op": ">",
                                                   "value": "85", "action": "pause"}])
    collector = collector_factory()
    client = publisher(f"pub-{tag()}")
    topic = f"sihe/{code}/FILLER/telemetry"
    publish(client, topic, {"ts": int(clock.now().timestamp() * 1000), "metrics": {"temp": 80.5, "good": 10, "speed": 120}})
    publish(client, topic, {"ts": clock.now().isoformat(), "metrics": {"temp": 86.2}})
    paused = wait_for(lambda: WorkOrder.objects.filter(pk=wo.pk, status="paused").first())
    client.loop_stop()
    assert paused is not None and paused.status == "paused"
    assert "temp" in paused.pause_reason and "86.2" in paused.pause_reason
    alarm = paused.alarms.get()
    assert (alarm.metric, alarm.value, alarm.paused) == ("temp", 86.2, True)
    machine = Machine.objects.get(line=line, code="FILLER")
    assert wait_for(lambda: len(stored(machine)) == 4)
    assert collector.processor.stats["alarms"] == 1


def test_15_malformed_json_and_non_numeric_metrics_are_refused_and_counted(collector_factory):
    code = f"T{tag()}"
    line, _wo = make_floor(line_code=code, start=False)
    collector = collector_factory()
    client = publisher(f"pub-{tag()}")
    topic = f"sihe/{code}/FILLER/telemetry"
    publish(client, topic, b"{not json")
    publish(client, topic, {"metrics": [1, 2]})
    publish(client, topic, {"ts": "yesterday", "metrics": {"temp": 1}})
    publish(client, topic, {"ts": int(clock.now().timestamp() * 1000), "metrics": {"temp": "hot", "speed": True, "good": 5}})
    publish(client, topic, {"metrics": {"temp": 70}})
    stats = collector.processor.stats
    assert wait_for(lambda: stats["readings"] == 2)
    client.loop_stop()
    assert {k: stats[k] for k in ("bad_json", "bad_metrics", "bad_ts", "not_numeric")} == {
        "bad_json": 1, "bad_metrics": 1, "bad_ts": 1, "not_numeric": 2}
    assert wait_for(lambda: CollectorStat.objects.filter(name="bad_json", count=1).exists())
    machine = Machine.objects.get(line=line, code="FILLER")
    assert sorted(name for _ts, name, _value in stored(machine)) == ["good", "temp"]


def test_15_a_restarted_collector_receives_the_qos1_readings_the_broker_kept(collector_factory):
    code = f"T{tag()}"
    line, _wo = make_floor(line_code=code, start=False)
    machine = Machine.objects.get(line=line, code="FILLER")
    client_id = f"sihe-test-{tag()}"
    first = collector_factory(client_id)
    client = publisher(f"pub-{tag()}")
    topic = f"sihe/{code}/FILLER/telemetry"
    for i in range(5):
        publish(client, topic, {"metrics": {"temp": 60 + i}})
    assert wait_for(lambda: len(stored(machine)) == 5)
    first.stop()
    for i in range(20):  # while nobody listens: the broker keeps them for the session
        publish(client, topic, {"metrics": {"temp": 70 + i, "speed": 100 + i}})
    second = collector_factory(client_id)
    assert wait_for(lambda: len(stored(machine)) == 45)
    client.loop_stop()
    assert second.processor.stats["readings"] == 40
    values = sorted(value for _ts, _name, value in stored(machine, "temp"))
    assert values == [60, 61, 62, 63, 64, *range(70, 90)]
