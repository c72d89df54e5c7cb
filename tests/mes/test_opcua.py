"""OPC UA: an asyncua server started by the test; the collector subscribes to the Signal node (a real
subscription), and the node's changes feed a duration rule that raises an alarm."""

import asyncio
import socket
import threading

import pytest
from asyncua import Server, ua

from sihe.core.actor import Actor
from sihe.mes import selectors, services
from sihe.mes.models import Alarm, Machine
from tests.mes.test_collector import collector_factory, make_floor, tag, wait_for

__all__ = ["collector_factory"]
pytestmark = [pytest.mark.wall_clock, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemperatureServer:
    """An OPC UA server on its own thread with one variable; `values` are written one every `every` s."""

    def __init__(self, port: int, node: str):
        self.url = f"opc.tcp://127.0.0.1:{port}/sihe/"
        self.node = node
        self.started = threading.Event()
        self.go = threading.Event()
        self.stop = threading.Event()
        self.values: list[float] = []
        self.every = 0.3
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self):
        server = Server()
        await server.init()
        server.set_endpoint(self.url)
        idx = await server.register_namespace("urn:sihe:test")
        machine = await server.nodes.objects.add_object(idx, "FILLER")
        var = await machine.add_variable(ua.NodeId(self.node, idx), "temp", 20.0)
        self.node_id = var.nodeid.to_string()
        async with server:
            self.started.set()
            while not self.go.is_set() and not self.stop.is_set():
                await asyncio.sleep(0.05)
            for value in self.values:
                if self.stop.is_set():
                    break
                await var.write_value(value)
                await asyncio.sleep(self.every)
            while not self.stop.is_set():
                await asyncio.sleep(0.05)


@pytest.fixture
def opc_server():
    server = TemperatureServer(free_port(), f"PK.FILLER.temp.{tag()}")
    server.thread.start()
    assert server.started.wait(20), "the OPC UA server did not start"
    yield server
    server.stop.set()
    server.thread.join(timeout=10)


def test_15_an_opcua_node_change_arrives_by_subscription_and_feeds_a_duration_rule(opc_server, collector_factory):
    code = f"U{tag()}"
    line, wo = make_floor(line_code=code, opcua_endpoint=opc_server.url, rules=[
        {"metric": "temp", "kind": "duration", "op": ">", "value": "85", "seconds": "1", "action": "alarm"}])
    machine = Machine.objects.get(line=line, code="FILLER")
    services.add_signal(machine=machine, metric="temp", node_id=opc_server.node_id, actor=Actor.system("test"))
    collector = collector_factory()  # subscribes to MQTT and, having read the signals, to the OPC UA node
    assert collector.opcua is not None and collector.opcua.ready.is_set()
    opc_server.values = [80.0, 86.0, 86.5, 87.0, 87.5, 88.0, 88.5, 89.0, 84.0]
    opc_server.go.set()
    alarm = wait_for(lambda: Alarm.objects.filter(line=line, metric="temp").first(), timeout=15)
    assert alarm is not None and alarm.work_order_id == wo.pk and not alarm.paused
    assert alarm.value > 85 and "temp > 85" in alarm.message
    assert wait_for(lambda: 84.0 in temperatures(machine), timeout=10)
    temps = temperatures(machine)
    assert temps[-9:] == opc_server.values and collector.processor.stats["alarms"] == 1


def temperatures(machine) -> list[float]:
    return [value for _ts, _name, value in selectors.readings(machine=machine, metric="temp")]
