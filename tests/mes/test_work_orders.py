"""The shop floor's acts and figures without brokers: dispatch, rules pausing a work order through the
telemetry processor, counts from machine counters, operators' hours into the order's cost and voucher,
OEE on the textbook case and from recorded states, the ISA-95 open interface."""

import datetime
from decimal import Decimal

import pytest

from sihe.core.actor import Actor
from sihe.core.errors import Conflict
from sihe.ledger.models import Voucher
from sihe.mes import oee, selectors, services, work_orders
from sihe.mes.models import Alarm, ClockEntry, MachineState, MinuteRollup, Reading, WorkOrder
from sihe.mes.telemetry import Processor, prune
from sihe.production import orders
from tests.production.conftest import make_plant

D = Decimal
pytestmark = pytest.mark.django_db


def who(name="lead"):
    return Actor.system(name)


@pytest.fixture
def floor(db, clock):
    clock.at(2026, 11, 20, hour=8)
    plant = make_plant()
    line = services.create_line(actor=who(), data={
        "code": "FL-1", "name": "灌装线1", "work_centre": "FILL-1", "ideal_cycle_seconds": "1",
        "machines": [{"code": "FILLER", "good_metric": "good", "scrap_metric": "scrap"}]})
    order = orders.create_order(product=plant["items"]["YOG"], qty="1000", warehouse=plant["wh"],
                                due_date=datetime.date(2026, 11, 25), actor=who())
    orders.release(order=order, actor=who())
    return {**plant, "line": line, "order": order}


def test_dispatch_makes_the_work_order_of_the_lines_operation_and_refuses_twice(floor):
    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    assert (wo.status, wo.line.code, wo.operation_seq, wo.qty) == ("dispatched", "FL-1", 10, D(1000))
    assert wo.number.startswith("WO202611-")
    work_orders.start(wo=wo, actor=who())
    with pytest.raises(Conflict) as refused:
        work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    assert refused.value.code == "already_dispatched"


def test_a_reading_over_a_pause_rule_pauses_the_running_work_order_with_the_reason(floor, clock):
    services.create_rule(actor=who(), data={"line": "FL-1", "metric": "temp", "kind": "threshold", "op": ">",
                                            "value": "85", "action": "pause"})
    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    work_orders.start(wo=wo, actor=who())
    processor = Processor()
    processor.take("FL-1", "FILLER", {"temp": 84.0}, clock.now())
    assert WorkOrder.objects.get(pk=wo.pk).status == "running"
    processor.take("FL-1", "FILLER", {"temp": 86.5}, clock.now())
    wo.refresh_from_db()
    assert wo.status == "paused" and "temp" in wo.pause_reason and "86.5" in wo.pause_reason
    alarm = Alarm.objects.get()
    assert (alarm.work_order_id, alarm.paused, alarm.value) == (wo.pk, True, 86.5)
    # still above: no second alarm; the board is red
    processor.take("FL-1", "FILLER", {"temp": 87.0}, clock.now())
    assert Alarm.objects.count() == 1
    assert selectors.board()[0]["red"] is True
    # a supervisor resumes with a note: the alarm is acknowledged, the timeline tells the story
    work_orders.resume(wo=wo, note="冷却水阀已更换", actor=who("supervisor"))
    out = selectors.work_order_out(work_orders.work_order(wo.pk))
    assert out["status"] == "running" and out["alarms"][0]["acknowledged_by"] == "supervisor"
    assert [e["type"] for e in out["timeline"]] == [
        "mes.work_order.dispatched", "mes.work_order.started", "mes.alarm.raised", "mes.work_order.paused",
        "mes.alarm.acknowledged", "mes.work_order.resumed"]
    assert out["timeline"][4]["note"] == "冷却水阀已更换" and out["timeline"][4]["by"] == "supervisor"
    assert selectors.board()[0]["red"] is False


def test_a_duration_rule_waits_its_seconds(floor, clock):
    services.create_rule(actor=who(), data={"line": "FL-1", "metric": "temp", "kind": "duration", "op": ">",
                                            "value": "85", "seconds": "10", "action": "alarm"})
    processor = Processor()
    start = clock.now()
    for second in range(0, 10):
        processor.take("FL-1", "FILLER", {"temp": 90.0}, start + datetime.timedelta(seconds=second))
    assert Alarm.objects.count() == 0
    processor.take("FL-1", "FILLER", {"temp": 90.0}, start + datetime.timedelta(seconds=10))
    assert Alarm.objects.count() == 1


def test_counters_become_the_work_orders_counts_and_readings_roll_up(floor, clock):
    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    work_orders.start(wo=wo, actor=who())
    processor = Processor()
    t0 = clock.now()
    for i, (good, scrap) in enumerate([(100, 1), (130, 1), (160, 3), (5, 0)]):  # the last: counter reset
        processor.take("FL-1", "FILLER", {"good": good, "scrap": scrap, "temp": 70 + i}, t0 + datetime.timedelta(seconds=20 * i))
    assert processor.flush() == 12
    wo.refresh_from_db()
    assert (wo.good, wo.scrap) == (D(65), D(2))  # 30 + 30 + 5 good (first reading is the baseline), 0 + 2 scrap
    assert Reading.objects.count() == 4  # one row per sample of the machine
    assert len(selectors.readings(machine=floor['line'].machines.get())) == 12
    temp = MinuteRollup.objects.get(metric="temp", minute=t0.replace(second=0, microsecond=0))
    assert (temp.n, temp.low, temp.high, temp.last) == (3, 70.0, 72.0, 72.0)
    assert prune(older_than=t0 + datetime.timedelta(minutes=5)) == 4
    assert MinuteRollup.objects.filter(metric="temp").count() == 2


def test_two_operators_hours_reach_the_orders_labour_cost_and_its_voucher(floor, clock):
    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    work_orders.start(wo=wo, actor=who())
    wang = services.create_operator(actor=who(), data={"badge": "E1001", "name": "王芳"})
    li = services.create_operator(actor=who(), data={"badge": "E1002", "name": "李强"})
    work_orders.clock_on(operator=wang, wo=wo, actor=who())
    clock.advance(minutes=30)
    work_orders.clock_on(operator=li, wo=wo, actor=who())
    clock.advance(minutes=90)
    work_orders.clock_off(operator=wang, actor=who())  # 120 min
    clock.advance(minutes=30)
    work_orders.clock_off(operator=li, actor=who())  # 120 min
    minutes = sorted(e.minutes for e in ClockEntry.objects.all())
    assert minutes == [D(120), D(120)]
    order = floor["order"]
    order.refresh_from_db()
    # 240 minutes at 60/h labour = 240.00; clocked hours carry no overhead (machine hours do)
    assert (order.labour_cost, order.overhead_cost) == (D("240.00"), D("0.00"))
    labour = Voucher.objects.filter(rule="production.labour", lines__project=order.number).distinct()
    assert sum((ln.debit for v in labour for ln in v.lines.all()), D(0)) == D("240.00")
    report = selectors.labour_report(since=datetime.date(2026, 11, 20), until=datetime.date(2026, 11, 20))
    assert {(r["name"], r["minutes"], r["labour_cost"]) for r in report} == {("王芳", "120", "120.00"),
                                                                              ("李强", "120", "120.00")}


def test_completing_reports_good_scrap_and_machine_hours_to_the_order(floor, clock):
    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    work_orders.start(wo=wo, actor=who())
    work_orders.add_counts(wo=wo, good=990, scrap=10, at=clock.now(), actor=who())
    clock.advance(minutes=60)
    work_orders.complete(wo=wo, actor=who())
    order = floor["order"]
    order.refresh_from_db()
    assert (order.good_qty, order.scrap_qty) == (D(990), D(10))
    assert order.overhead_cost == D("30.00") and order.labour_cost == D("0.00")  # 60 run minutes at 30/h
    assert WorkOrder.objects.get(pk=wo.pk).reported_good == D(990)


def test_oee_on_the_textbook_case():
    figures = oee.compute(oee.OeeFigures(planned_seconds=420 * 60, breakdown_seconds=47 * 60, ideal_cycle_seconds=1.0,
                                         total=19271, good=18848))
    assert (figures["availability"], figures["performance"], figures["quality"], figures["oee"]) == (
        0.8881, 0.8611, 0.9780, 0.7479)
    assert figures["losses"]["breakdowns"] == 2820 and figures["losses"]["production_rejects"] == 423


def test_oee_from_the_lines_states_counts_and_planned_stops(floor, clock):
    line = floor["line"]
    wo = work_orders.dispatch(order=floor["order"], line=line, actor=who())
    work_orders.start(wo=wo, actor=who())
    t0 = clock.at(2026, 11, 20, hour=8)
    machine = line.machines.get()
    MachineState.objects.create(machine=machine, state="running", start=t0, end=t0 + datetime.timedelta(hours=1))
    MachineState.objects.create(machine=machine, state="down", start=t0 + datetime.timedelta(hours=1),
                                end=t0 + datetime.timedelta(hours=1, minutes=30))
    MachineState.objects.create(machine=machine, state="running", start=t0 + datetime.timedelta(hours=1, minutes=30))
    services.add_planned_stop(line=line, start=t0 + datetime.timedelta(hours=3), end=t0 + datetime.timedelta(hours=4),
                              reason="午休", actor=who())
    work_orders.add_counts(wo=wo, good=9000, scrap=0, at=t0 + datetime.timedelta(minutes=30), actor=who())
    work_orders.add_counts(wo=wo, good=5000, scrap=400, at=t0 + datetime.timedelta(hours=2), actor=who())
    out = selectors.oee_for(line=line, since=t0, until=t0 + datetime.timedelta(hours=5))
    # planned 5 h − 1 h stop = 14,400 s; down 1,800 s → run 12,600 s; ideal 1 s × 14,400 units
    assert out["planned_seconds"] == 14400 and out["run_seconds"] == 12600
    assert (out["availability"], out["performance"], out["quality"]) == (0.875, round(14400 / 12600, 4),
                                                                          round(14000 / 14400, 4))
    assert out["losses"]["breakdowns"] == 1800


def test_performance_reports_are_taken_once_per_id(floor):
    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    from sihe.api.mes import ProductionResponseIn
    from sihe.mes import isa95

    response = ProductionResponseIn.model_validate({
        "ID": "EXT-1", "ProductionRequestID": wo.number,
        "SegmentResponse": [{"MaterialProducedActual": [
            {"MaterialDefinitionID": "YOG-100G", "Quantity": {"QuantityString": "500"}},
            {"MaterialDefinitionID": "YOG-100G", "Quantity": {"QuantityString": "5"}, "MaterialUse": "Scrap"}],
            "EquipmentActual": [{"EquipmentID": "FL-1", "Quantity": {"QuantityString": "2"}}],
            "PersonnelActual": [{"PersonID": "E9", "Quantity": {"QuantityString": "1.5"}}]}]})
    first = isa95.take_response(response, actor=who(), field="r")
    again = isa95.take_response(response, actor=who(), field="r")
    assert first["taken"] is True and again["taken"] is False
    order = floor["order"]
    order.refresh_from_db()
    assert (order.good_qty, order.scrap_qty, order.overhead_cost, order.labour_cost) == (
        D(500), D(5), D("60.00"), D("90.00"))


def test_a_cancelled_production_order_takes_its_work_orders_off_the_line(floor):
    from sihe.hub.dispatcher import run_handlers

    wo = work_orders.dispatch(order=floor["order"], line=floor["line"], actor=who())
    orders.cancel(order=floor["order"], actor=who())
    run_handlers()
    wo.refresh_from_db()
    assert wo.status == "cancelled"
    assert selectors.board()[0]["queued"] == []
