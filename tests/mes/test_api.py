"""The shop floor's API under the names other programs call: lines, rules, dispatch, the work order's
acts, OEE, the ISA-95 schedule and performance reports; bad input is a 422 naming the field."""

import datetime

import pytest

from sihe.core.actor import Actor
from sihe.mes.models import Alarm, WorkOrder
from sihe.mes.telemetry import Processor
from sihe.production import orders
from tests.production.conftest import make_plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(db, clock):
    clock.at(2026, 11, 20, hour=8)
    plant = make_plant()
    order = orders.create_order(product=plant["items"]["YOG"], qty="1000", warehouse=plant["wh"],
                                due_date=datetime.date(2026, 11, 25), actor=Actor.system("t"))
    orders.release(order=order, actor=Actor.system("t"))
    return order


def test_line_rule_dispatch_start_pause_resume_complete(released, api_as, clock):
    manager, floor = api_as("manager"), api_as("shopfloor")
    r = manager.post("/api/v1/mes/lines", {"code": "FL-1", "name": "灌装线1", "work_centre": "FILL-1",
                                           "machines": [{"code": "FILLER", "good_metric": "good"}]})
    assert r.status_code == 201, r.json_body
    r = manager.post("/api/v1/mes/rules", {"line": "FL-1", "metric": "temp", "kind": "duration", "op": ">",
                                           "value": 85, "seconds": 10, "action": "pause"})
    assert r.status_code == 201, r.json_body
    r = floor.post(f"/api/v1/production-orders/{released.pk}/dispatch", {"line": "FL-1"})
    assert r.status_code == 201, r.json_body
    wo_id = r.json_body["work_order_id"]
    assert floor.post(f"/api/v1/mes/work-orders/{wo_id}/start").json_body["status"] == "running"
    processor = Processor()
    t0 = clock.now()
    for second in range(12):
        processor.take("FL-1", "FILLER", {"temp": 88.0, "good": 100 + second}, t0 + datetime.timedelta(seconds=second))
    processor.flush()
    body = floor.get(f"/api/v1/mes/work-orders/{wo_id}").json_body
    assert body["status"] == "paused" and "temp" in body["pause_reason"]
    assert body["good"] == "11" and body["scrap"] == "0"
    assert [a["kind"] for a in body["alarms"]] == ["duration"]
    # the warehouse may not resume; resuming needs a note; the team lead (shopfloor) resumes with one
    assert api_as("warehouse").post(f"/api/v1/mes/work-orders/{wo_id}/resume", {"note": "x"}).status_code == 403
    missing = floor.post(f"/api/v1/mes/work-orders/{wo_id}/resume", {})
    assert missing.status_code == 422 and missing.json_body["field"].endswith("note")
    body = floor.post(f"/api/v1/mes/work-orders/{wo_id}/resume", {"note": "已清理加热器"}).json_body
    assert body["status"] == "running" and body["pause_reason"] == ""
    assert Alarm.objects.get().acknowledged_at is not None
    # a person pauses with a reason, or without a body (the reason then says who)
    body = floor.post(f"/api/v1/mes/work-orders/{wo_id}/pause", {"reason": "换膜"}).json_body
    assert (body["status"], body["pause_reason"]) == ("paused", "换膜")
    floor.post(f"/api/v1/mes/work-orders/{wo_id}/resume", {"note": "换膜完成"})
    body = floor.post(f"/api/v1/mes/work-orders/{wo_id}/pause").json_body
    assert body["status"] == "paused" and body["pause_reason"]
    floor.post(f"/api/v1/mes/work-orders/{wo_id}/resume", {"note": "继续"})
    clock.advance(minutes=30)
    body = floor.post(f"/api/v1/mes/work-orders/{wo_id}/complete").json_body
    assert body["status"] == "done" and body["reported_good"] == "11"
    again = floor.post(f"/api/v1/mes/work-orders/{wo_id}/start")
    assert again.status_code == 409 and again.json_body["code"] == "invalid_transition"


def test_bad_input_names_the_field(released, api_as):
    manager = api_as("manager")
    cases = [
        ({"code": "A/B", "name": "x", "work_centre": "FILL-1"}, "/api/v1/mes/lines", "code"),
        ({"code": "L9", "name": "x", "work_centre": "NOPE"}, "/api/v1/mes/lines", "work_centre"),
        ({"line": "NOPE", "metric": "t", "kind": "threshold", "value": 1}, "/api/v1/mes/rules", "line"),
    ]
    for body, path, field in cases:
        r = manager.post(path, body)
        assert r.status_code == 422 and r.json_body["field"] == field, (body, r.json_body)
    manager.post("/api/v1/mes/lines", {"code": "FL-1", "name": "灌装线1", "work_centre": "FILL-1"})
    r = manager.post("/api/v1/mes/rules", {"line": "FL-1", "metric": "temp", "kind": "duration", "value": 1})
    assert r.status_code == 422 and r.json_body["field"] == "seconds"
    r = manager.post("/api/v1/mes/rules", {"line": "FL-1", "metric": "temp", "kind": "hot", "value": 1})
    assert r.status_code == 422
    r = manager.post(f"/api/v1/production-orders/{released.pk}/dispatch", {"line": "NOPE"})
    assert r.status_code == 422 and r.json_body["field"] == "line"
    assert manager.get("/api/v1/mes/oee?line=FL-1&from=yesterday").json_body["field"] == "from"
    assert WorkOrder.objects.count() == 0


def test_oee_schedule_and_performance(released, api_as):
    manager, floor = api_as("manager"), api_as("shopfloor")
    manager.post("/api/v1/mes/lines", {"code": "FL-1", "name": "灌装线1", "work_centre": "FILL-1",
                                       "ideal_cycle_seconds": "1"})
    wo_id = floor.post(f"/api/v1/production-orders/{released.pk}/dispatch", {"line": "FL-1"}).json_body["work_order_id"]
    schedule = floor.get("/api/v1/mes/schedule?line=FL-1").json_body["ProductionSchedule"]
    request = schedule["ProductionRequest"][0]
    number = request["ID"]
    assert request["SegmentRequirement"][0]["MaterialProducedRequirement"][0]["MaterialDefinitionID"] == "YOG-100G"
    report = {"ProductionPerformance": {"ID": "MES-77", "ProductionResponse": [{
        "ID": "MES-77-1", "ProductionRequestID": number, "SegmentResponse": [{
            "MaterialProducedActual": [{"MaterialDefinitionID": "YOG-100G", "Quantity": {"QuantityString": "300"}}],
            "EquipmentActual": [{"EquipmentID": "FL-1", "Quantity": {"QuantityString": "1"}}]}]}]}}
    first = floor.post("/api/v1/mes/performance", report)
    assert first.status_code == 200 and first.json_body["responses"][0]["taken"] is True
    assert floor.post("/api/v1/mes/performance", report).json_body["responses"][0]["taken"] is False
    released.refresh_from_db()
    assert released.good_qty == 300
    bad = floor.post("/api/v1/mes/performance", {"ProductionPerformance": {"ProductionResponse": [{"ID": "x"}]}})
    assert bad.status_code == 422 and bad.json_body["field"].startswith("ProductionPerformance.ProductionResponse[0]")
    figures = floor.get("/api/v1/mes/oee?line=FL-1&from=2026-11-20&to=2026-11-20").json_body
    assert set(figures) >= {"availability", "performance", "quality", "oee", "losses"}
    assert floor.get(f"/api/v1/mes/work-orders/{wo_id}").json_body["good"] == "300"
