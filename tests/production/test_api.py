"""Issue 14's API, as an outside check drives it: work centres, BOMs (cycle refused naming the path),
production orders and their acts, the order's cost figures."""

from sihe.production.models import Bom


def test_14_boms_through_the_api_and_a_cycle_refused_naming_the_path(plant, api_as):
    manager = api_as("manager")
    assert manager.post("/api/v1/work-centres", {"code": "MIX-1", "name": "配料罐", "warehouse": "FAC",
                                                  "labour_rate_per_hour": "48", "overhead_rate_per_hour": "20",
                                                  "minutes_per_day": 480}).status_code == 201
    # a premix (phantom kit of sugar and culture) and a yoghurt BOM that uses it
    kit = manager.post("/api/v1/products", {"sku": "PREMIX", "name": "预混料", "uom": "KG"})
    assert kit.status_code == 201
    phantom = manager.post("/api/v1/boms", {"product": "PREMIX", "quantity": "1", "kind": "phantom", "lines": [
        {"sku": "SUGAR", "qty": "0.9"}, {"sku": "CULTURE", "qty": "100"}]})
    assert phantom.status_code == 201, phantom.json_body
    made = manager.post("/api/v1/boms", {"product": "YOG-100G", "quantity": "100", "lines": [
        {"sku": "RAW-MILK", "qty": "15"}, {"sku": "PREMIX", "qty": "1"}, {"sku": "CUP-100", "qty": "100"}],
        "operations": [{"seq": 10, "work_centre": "MIX-1", "setup_minutes": "20", "minutes_per_unit": "0.1"}]})
    assert made.status_code == 201 and Bom.objects.get(pk=made.json_body["id"]).version == 2
    # a BOM that would make the premix from the yoghurt closes a loop: refused with the path
    loop = manager.post("/api/v1/boms", {"product": "PREMIX", "quantity": "1", "lines": [{"sku": "YOG-100G", "qty": "1"}]})
    assert (loop.status_code, loop.json_body["code"], loop.json_body["field"]) == (422, "bom_cycle", "lines")
    assert loop.json_body["path"] == ["PREMIX", "YOG-100G", "PREMIX"]
    # every problem of a bad BOM at once
    bad = manager.post("/api/v1/boms", {"product": "YOG-100G", "lines": [
        {"sku": "NOPE", "qty": "1"}, {"sku": "SUGAR", "qty": "-1"}, {"sku": "CUP-100", "qty": "1", "scrap_pct": "120"}]})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json_body["errors"]] == ["lines[0].sku", "lines[1].qty", "lines[2].scrap_pct"]
    # an order made by the new version: the kit exploded into sugar and culture
    order = manager.post("/api/v1/production-orders", {"sku": "YOG-100G", "qty": "200", "warehouse": "FAC",
                                                        "due_date": "2026-11-30", "bom": made.json_body["id"]})
    assert order.status_code == 201 and order.json_body["status"] == "draft"
    body = manager.get(f"/api/v1/production-orders/{order.json_body['id']}").json_body
    assert {ln["sku"]: ln["required"] for ln in body["lines"]} == {
        "RAW-MILK": "30", "SUGAR": "1.8", "CULTURE": "200", "CUP-100": "200"}


def test_14_an_order_through_the_api_with_its_figures(plant, api_as):
    manager, floor, warehouse = api_as("manager"), api_as("shopfloor"), api_as("warehouse")
    created = manager.post("/api/v1/production-orders", {"sku": "YOG-100G", "qty": "1000", "warehouse": "FAC",
                                                          "due_date": "2026-11-25"}).json_body
    path = f"/api/v1/production-orders/{created['id']}"
    assert created["number"].startswith("MO202611-")
    assert floor.post(f"{path}/release").json_body["allowed_actions"] == ["start", "finish", "cancel"]
    issued = floor.post(f"{path}/issue").json_body
    assert issued["status"] == "in_progress" and issued["materials_cost"] is None  # no costing.view on the floor
    floor.post(f"{path}/report", {"good": "980", "scrap": "20", "minutes": "240", "work_centre": "FILL-1",
                                  "operator": "李师傅", "report_id": "R-1"})
    again = floor.post(f"{path}/report", {"good": "980", "scrap": "20", "minutes": "240", "work_centre": "FILL-1",
                                          "report_id": "R-1"})
    assert again.json_body["good"] == "980"  # the same report id twice is one report
    over = floor.post(f"{path}/receive", {"qty": "981"})
    assert (over.status_code, over.json_body["code"]) == (422, "over_receipt")
    assert floor.post(f"{path}/receive", {"qty": "980"}).status_code == 200
    figures = manager.get(path).json_body
    assert {k: figures[k] for k in ("status", "materials_cost", "labour_cost", "overhead_cost", "good", "scrap",
                                    "unit_cost", "wip")} == {
        "status": "in_progress", "materials_cost": "898.20", "labour_cost": "240.00", "overhead_cost": "120.00",
        "good": "980", "scrap": "20", "unit_cost": "1.283878", "wip": "0.00"}
    closed = floor.post(f"{path}/close").json_body
    assert closed["status"] == "closed" and closed["allowed_actions"] == []
    assert warehouse.post(f"{path}/close").status_code == 403
    unknown = floor.post("/api/v1/production-orders/999999/release")
    assert unknown.status_code == 404
