"""The receiving API: ASN list/detail, scan (good and refused), inspections, putaway, rules."""

from decimal import Decimal

from sihe.ledger.models import Voucher
from sihe.stock.models import StockMove

from .conftest import GTIN_BOLT, GTIN_MILK

D = Decimal


def test_scan_endpoint_receives_and_answers_progress(api_as, make_asn, milk, bolt):
    asn = make_asn((milk, 100, "4.50"), (bolt, 10, "0.20"))
    api = api_as("warehouse")
    # when
    response = api.post(f"/api/v1/wms/receipts/{asn.pk}/scan",
                        {"barcode": f"]C101{'0' + GTIN_MILK}17491231" + "10LOT-9\x1d3712"})
    # then
    assert response.status_code == 201, response.json_body
    body = response.json_body
    assert (body["product"]["sku"], body["lot"], body["expiry"], body["qty"]) == ("MILK-1L", "LOT-9", "2049-12-31",
                                                                                 "12")
    assert body["line"]["received"] == "12" and body["line"]["expected"] == "100"
    assert body["status"] == "receiving"
    detail = api.get(f"/api/v1/wms/receipts/{asn.pk}").json_body
    assert [(ln["sku"], ln["received"], ln["open"]) for ln in detail["lines"]] == [("MILK-1L", "12", "88"),
                                                                                  ("BOLT-M8", "0", "10")]
    assert detail["scans"][0]["lot"] == "LOT-9"
    listing = api.get("/api/v1/wms/receipts?status=receiving").json_body
    assert listing["count"] == 1 and listing["items"][0]["received"] == "12"


def test_refused_scans_are_422_with_code_field_and_change_nothing(api_as, make_asn, milk, bolt):
    asn = make_asn((milk, 10, "4.50"))
    api = api_as("warehouse")
    for barcode, code in [(f"(01)0{GTIN_BOLT}", "wrong_product"), ("12345", "unreadable"),
                          ("(01)06901234567899(10)X", "bad_check_digit"),
                          (f"(01)0{GTIN_MILK}(17)200101(10)X", "expired"),
                          (f"(01)0{GTIN_MILK}(10)X", "expiry_required")]:
        response = api.post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": barcode})
        assert response.status_code == 422, (barcode, response.json_body)
        assert (response.json_body["code"], response.json_body["field"]) == (code, "barcode")
    over = api.post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)X",
                                                             "qty": "11"})
    assert (over.status_code, over.json_body["code"], over.json_body["field"]) == (422, "over_receipt", "qty")
    loc = api.post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": GTIN_MILK, "location": "NOPE"})
    assert (loc.status_code, loc.json_body["field"]) == (422, "location")
    assert StockMove.objects.count() == 0 and Voucher.objects.count() == 0
    assert api.post("/api/v1/wms/receipts/99999999999999999999/scan", {"barcode": "x"}).status_code in (404, 422)
    assert api.post("/api/v1/wms/receipts/999999/scan", {"barcode": "x"}).status_code == 404


def test_permissions(api_as, make_asn, bolt):
    asn = make_asn((bolt, 10, "0.20"))
    assert api_as("shopfloor").post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": GTIN_BOLT}).status_code == 403
    assert api_as("manager").get(f"/api/v1/wms/receipts/{asn.pk}").status_code == 200


def test_manual_asn_inspection_and_putaway_through_the_api(api_as, wh, supplier, milk, bolt):
    planner, worker = api_as("manager"), api_as("warehouse")
    created = planner.post("/api/v1/wms/receipts", {"warehouse": "SH", "supplier": "S001", "reference": "DN-1",
                                                     "lines": [{"sku": "MILK-1L", "qty": "20", "unit_cost": "4.5"},
                                                               {"sku": "BOLT-M8", "qty": "100",
                                                                "unit_cost": "0.2"}]})
    assert created.status_code == 201, created.json_body
    asn_id = created.json_body["id"]
    assert planner._call("put", "/api/v1/wms/inspection-rules/MILK-1L", {"active": True, "note": "必检"}).status_code == 200
    held = worker.post(f"/api/v1/wms/receipts/{asn_id}/scan", {"barcode": f"(01)0{GTIN_MILK}(17)491231(10)M1(30)20"})
    assert held.json_body["held"] is True and held.json_body["location"] == "QC-1"
    inspection_id = held.json_body["inspections"][0]
    pending = worker.get("/api/v1/wms/inspections?status=pending").json_body
    assert [(i["id"], i["qty"], i["lot"]) for i in pending] == [(inspection_id, "20", "M1")]
    released = worker.post(f"/api/v1/wms/inspections/{inspection_id}/release", {"note": "ok"})
    assert released.status_code == 200 and released.json_body["released_to"] == "DOCK-1"
    again = worker.post(f"/api/v1/wms/inspections/{inspection_id}/reject", {})
    assert again.status_code == 409
    worker.post(f"/api/v1/wms/receipts/{asn_id}/scan", {"barcode": GTIN_BOLT, "qty": "100"})
    dock = worker.get("/api/v1/wms/putaway?warehouse=SH").json_body
    assert sorted((r["sku"], r["lot"], r["qty"], r["suggested_bin"]) for r in dock) == [
        ("BOLT-M8", None, "100", "A-01-01-01"), ("MILK-1L", "M1", "20", "A-01-01-01")]
    put = worker.post("/api/v1/wms/putaway", {"warehouse": "SH", "barcode": f"(01)0{GTIN_MILK}(10)M1", "qty": "20",
                                               "bin": "A-01-01-01"})
    assert put.status_code == 201, put.json_body
    assert put.json_body["followed_suggestion"] is True
    bad = worker.post("/api/v1/wms/putaway", {"warehouse": "SH", "sku": "BOLT-M8", "qty": "1", "bin": "ZZZ"})
    assert (bad.status_code, bad.json_body["field"]) == (422, "bin")
    rule = planner.post("/api/v1/wms/putaway-rules", {"warehouse": "SH", "zone": "B", "sku": "BOLT-M8"})
    assert rule.status_code == 201
    assert worker.get("/api/v1/wms/putaway?warehouse=SH").json_body[0]["suggested_bin"] == "B-01-01-01"


def test_out_of_range_quantities_are_422_not_500(api_as, make_asn, bolt):
    # found while fuzzing by hand: 1e30 overflowed the quantity rounding (a 500)
    asn = make_asn((bolt, 10, "0.2"))
    worker, planner = api_as("warehouse"), api_as("manager")
    for qty in ["1e30", "99999999999999999999", "-1", "NaN", "Infinity", "1e-30"]:
        scan = worker.post(f"/api/v1/wms/receipts/{asn.pk}/scan", {"barcode": GTIN_BOLT, "qty": qty})
        put = worker.post("/api/v1/wms/putaway", {"warehouse": "SH", "sku": "BOLT-M8", "qty": qty, "bin": "A-01-01-01"})
        new = planner.post("/api/v1/wms/receipts", {"warehouse": "SH", "lines": [{"sku": "BOLT-M8", "qty": qty,
                                                                                   "unit_cost": "1"}]})
        assert (scan.status_code, put.status_code, new.status_code) == (422, 422, 422), qty
        assert scan.json_body["field"] == "qty" and new.json_body["field"] == "lines[0].qty"
    assert StockMove.objects.count() == 0
