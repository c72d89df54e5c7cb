"""The outbound API end to end as a warehouse client would call it: wave → pick list → scans →
check → pack → label → ship, with the refusals as 4xx naming field and reason."""

from decimal import Decimal as D

import pytest

from sihe.ledger.models import Voucher
from sihe.wms.models import Shipment
from tests.wms_outbound.conftest import MILK_GTIN, gs1, ship_order

pytestmark = pytest.mark.django_db


def test_wave_to_ship_over_the_api(stocked, actor, api_as):
    wh, milk, widget = stocked["wh"], stocked["milk"], stocked["widget"]
    shipment = ship_order(wh, [(milk, 3), (widget, 1)], number="API-1", actor=actor, mrsl=30)
    api = api_as("warehouse")
    # when the planner releases a wave over the API
    r = api.post("/api/v1/wms/waves", {"warehouse": wh.code, "by_zone": False, "carrier": "SF"})
    assert r.status_code == 201, r.json_body
    wave = r.json_body
    assert (wave["state"], [s["number"] for s in wave["shipments"]], len(wave["picklists"])) == (
        "released", [shipment.number], 1)
    assert api.get(f"/api/v1/wms/waves/{wave['id']}").json_body["number"] == wave["number"]
    assert api.get("/api/v1/wms/waves?state=released").json_body["count"] == 1
    # then the pick list has its stops in route order, the length and the map
    pl = api.get(wave["picklists"][0]["url"]).json_body
    assert [(s["location"], s["sku"], s["lot"], s["qty"]) for s in pl["items"]] == [
        ("A-01-03-L", "MILK-1L", "L2", "3"), ("B-04-09-L", "WID-1", None, "1")]
    # traverse aisle 1 (12 m) and aisle 4 (12 m), 12 m across at the back and at the front: 48 m
    # (returning in each would be 2 × 4.5 + 2 × 10.5 + 24 = 54 m)
    assert (pl["method"], pl["length"]) == ("optimal", "48.00")
    svg = api.get(pl["svg_url"])
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<polyline" in svg.content
    scan = f"/api/v1/wms/picklists/{pl['id']}/scan"
    # a refusal is a 422 naming the field and the reason
    r = api.post(scan, {"barcode": "B-04-09-L"})
    assert r.status_code == 200 and r.json_body["kind"] == "bin"
    r = api.post(scan, {"barcode": gs1(MILK_GTIN, "L3")})
    assert (r.status_code, r.json_body["code"], r.json_body["field"], r.json_body["expected_location"]) == (
        422, "younger_lot", "barcode", "A-01-03-L")
    r = api.post(scan, {"barcode": "WID-1", "qty": "2"})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (422, "over_pick", "qty")
    r = api.post(scan, {"barcode": "WID-1", "qty": "abc"})
    assert (r.status_code, r.json_body["field"]) == (422, "qty")
    r = api.post(scan, {"barcode": "WID-1"})
    assert (r.status_code, r.json_body["qty"], r.json_body["next_stop"]["location"]) == (200, "1", "A-01-03-L")
    api.post(scan, {"barcode": "A-01-03-L"})
    r = api.post(scan, {"barcode": f"(01)0{MILK_GTIN}(10)L2", "qty": 3})
    assert (r.json_body["picklist_state"], r.json_body["finished_shipments"]) == ("done", [shipment.number])
    # 复核 by shipment number, pack, label, ship
    check = f"/api/v1/wms/shipments/{shipment.number}/check"
    r = api.post(check, {"barcode": "6901234567885", "qty": "2"})
    assert (r.status_code, r.json_body["code"]) == (422, "over_count")
    api.post(check, {"barcode": "6901234567885"})
    r = api.post(check, {"barcode": gs1(MILK_GTIN, "L2"), "qty": "3"})
    assert r.json_body["complete"] is True
    r = api.post(f"/api/v1/wms/shipments/{shipment.pk}/pack", {})
    assert r.status_code == 200, r.json_body
    parcels = r.json_body["parcels"]
    assert [(p["carrier"], p["weight"]) for p in parcels] == [("SF", "9.15")]
    label = api.get(r.json_body["label_url"])
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF") and label.content.count(b"/Type /Page\n") + \
        label.content.count(b"/Type /Page ") >= 1
    r = api.post(f"/api/v1/wms/shipments/{shipment.pk}/ship", {})
    assert r.status_code == 200, r.json_body
    assert (r.json_body["state"], r.json_body["carrier"], r.json_body["cost"]) == ("shipped", "SF", "54.00")
    assert r.json_body["tracking_no"] == parcels[0]["tracking_no"]
    assert Shipment.objects.get(pk=shipment.pk).state == "shipped"
    assert Voucher.objects.filter(rule="stock.issue").count() >= 1
    # shipping again is a 409
    assert api.post(f"/api/v1/wms/shipments/{shipment.pk}/ship", {}).status_code == 409
    assert api.get(f"/api/v1/wms/waves/{wave['id']}").json_body["state"] == "done"


def test_permissions_and_not_found(stocked, api_as):
    assert api_as("service").post("/api/v1/wms/waves", {"warehouse": "OUT"}).status_code == 403
    api = api_as("warehouse")
    assert api.get("/api/v1/wms/waves/999999").status_code == 404
    assert api.get("/api/v1/wms/picklists/999999").status_code == 404
    assert api.get("/api/v1/wms/shipments/NOPE/label.pdf").status_code == 404
    r = api.post("/api/v1/wms/waves", {"warehouse": "NOPE"})
    assert (r.status_code, r.json_body["field"]) == (422, "warehouse")
    r = api.post("/api/v1/wms/waves", {"warehouse": "OUT"})
    assert (r.status_code, r.json_body["code"]) == (422, "nothing_to_pick")
    assert D(1) == 1


def test_wave_list_reads_in_a_fixed_number_of_queries(stocked, actor, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sihe.wms.outbound import services

    wh, widget = stocked["wh"], stocked["widget"]
    api = api_as("warehouse")
    api.get("/api/v1/wms/waves")  # the token and the user are cached after the first call

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/wms/waves").status_code == 200
        return len(ctx.captured_queries)

    ship_order(wh, [(widget, 1)], number="QC-0", actor=actor)
    services.create_wave(warehouse=wh, actor=actor)
    one = queries()
    for n in range(1, 4):
        ship_order(wh, [(widget, 1)], number=f"QC-{n}", actor=actor)
        services.create_wave(warehouse=wh, actor=actor)
    assert queries() == one
