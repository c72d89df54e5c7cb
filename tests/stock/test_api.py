"""The stock and costing API: decimal strings, 422 naming the field, 409 insufficient_stock, permissions."""

from decimal import Decimal as D

import pytest

from sihe.catalog.models import Partner
from sihe.stock.models import Lot, StockLevel, StockMove
from tests.stock.conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as, wh):
    return api_as("manager")


def test_receipt_issue_levels_and_costing_by_api(api, wh):
    make_product("API-1", tracking="lot_expiry")
    # when two lots are received, one with a GS1 day-00 expiry
    r = api.post("/api/v1/stock/receipts", {"warehouse": "WH1", "reference": "PO-1", "lines": [
        {"sku": "API-1", "qty": "10", "unit_cost": "4.50", "lot": "B1", "expiry": "270300"},
        {"sku": "API-1", "qty": "6", "unit_cost": "6", "lot": "B2", "expiry": "2027-01-15", "location": "A-01-01-01"},
    ]})
    assert r.status_code == 201, r.json_body
    assert r.json_body["moves"][0] | {"id": 0} == {"id": 0, "sku": "API-1", "qty": "10", "lot": "B1",
                                                    "expiry": "2027-03-31", "location": "DOCK", "from_location": None,
                                                    "unit_cost": "4.5",
                                                    "value": "45.00"}
    # when 8 are issued: FEFO takes B2 (Jan) first, then B1, at the moving average (45 + 36) / 16 = 5.0625:
    # 6 × 5.0625 = 30.375 → 30.38; then (81 − 30.38) / 10 × 2 = 10.124 → 10.12
    r = api.post("/api/v1/stock/issues", {"warehouse": "WH1", "reference": "SO-1",
                                          "lines": [{"sku": "API-1", "qty": "8"}]})
    assert r.status_code == 201, r.json_body
    assert [(m["lot"], m["qty"], m["value"]) for m in r.json_body["moves"]] == [("B2", "6", "30.38"), ("B1", "2", "10.12")]
    # then levels by lot and the valuation agree
    r = api.get("/api/v1/stock/levels?sku=API-1&warehouse=WH1&group_by=lot")
    assert r.json_body["on_hand"] == "8" and r.json_body["available"] == "8"
    assert [(row["lot"], row["expiry"], row["on_hand"]) for row in r.json_body["rows"]] == [
        ("B1", "2027-03-31", "8")]
    r = api.get("/api/v1/costing/API-1")
    assert r.json_body == {"sku": "API-1", "method": "moving_average", "qty": "8", "value": "40.50",
                           "unit_cost": "5.0625", "recosting": []}  # no re-costing job open: the value is final


def test_bad_input_is_422_naming_the_field_and_changes_nothing(api, wh):
    make_product("API-2", tracking="lot_expiry")
    cases = [
        ({"warehouse": "WH1", "lines": [{"sku": "NOPE", "qty": "1", "unit_cost": "1"}]}, "lines[0].sku"),
        ({"warehouse": "WH1", "lines": [{"sku": "API-2", "qty": "-1", "unit_cost": "1", "lot": "X",
                                         "expiry": "2027-01-01"}]}, "lines[0].qty"),
        ({"warehouse": "WH1", "lines": [{"sku": "API-2", "qty": "1", "unit_cost": "1", "lot": "X"}]}, "lines[0].expiry"),
        ({"warehouse": "NOWH", "lines": [{"sku": "API-2", "qty": "1", "unit_cost": "1"}]}, "warehouse"),
        ({"warehouse": "WH1", "location": "Z-9", "lines": [{"sku": "API-2", "qty": "1", "unit_cost": "1"}]}, "location"),
        ({"warehouse": "WH1", "lines": [{"sku": "API-2", "qty": "abc", "unit_cost": "1"}]}, "lines[0].qty"),
        ({"warehouse": "WH1", "lines": [{"sku": "API-2", "qty": "1", "unit_cost": "-2", "lot": "X",
                                         "expiry": "2027-01-01"}]}, "lines[0].unit_cost"),
        ({"warehouse": "WH1", "lines": [{"sku": "API-2", "qty": "1", "unit_cost": "1", "lot": "X",
                                         "expiry": "271301"}]}, "lines[0].expiry"),
    ]
    for body, field in cases:
        r = api.post("/api/v1/stock/receipts", body)
        assert r.status_code == 422, (body, r.json_body)
        assert r.json_body["field"] == field, (body, r.json_body)
    r = api.post("/api/v1/stock/issues", {"warehouse": "WH1", "lines": [{"sku": "API-2", "qty": "1", "lot": "ZZ"}]})
    assert (r.status_code, r.json_body["field"]) == (422, "lines[0].lot")
    assert StockMove.objects.count() == 0 and Lot.objects.count() == 0


def test_reservation_409_and_release_by_api(api, wh):
    make_product("API-3")
    api.post("/api/v1/stock/receipts", {"warehouse": "WH1", "lines": [{"sku": "API-3", "qty": "5", "unit_cost": "1"}]})
    r = api.post("/api/v1/stock/reservations", {"warehouse": "WH1", "sku": "API-3", "qty": "4", "reference": "SO-7"})
    assert r.status_code == 201 and r.json_body["lines"] == [{"lot": None, "expiry": None, "location": "DOCK", "qty": "4"}]
    r2 = api.post("/api/v1/stock/reservations", {"warehouse": "WH1", "sku": "API-3", "qty": "2", "reference": "SO-8"})
    assert r2.status_code == 409
    assert r2.json_body["code"] == "insufficient_stock" and r2.json_body["available"] == "1"
    levels = api.get("/api/v1/stock/levels?sku=API-3").json_body
    assert (levels["on_hand"], levels["reserved"], levels["available"]) == ("5", "4", "1")
    r = api.delete(f"/api/v1/stock/reservations/{r.json_body['id']}")
    assert r.status_code == 200 and r.json_body["state"] == "released"
    assert api.get("/api/v1/stock/levels?sku=API-3").json_body["available"] == "5"
    assert api.delete("/api/v1/stock/reservations?reference=SO-7").status_code == 404


def test_customer_shelf_life_applies_to_reservations(api, wh):
    make_product("API-4", tracking="lot_expiry")
    Partner.objects.create(code="C1", name="客户", kind="customer", min_shelf_life_days=100)
    api.post("/api/v1/stock/receipts", {"warehouse": "WH1", "date": "2026-11-25", "lines": [
        {"sku": "API-4", "qty": "3", "unit_cost": "1", "lot": "S", "expiry": "2027-01-01"},
        {"sku": "API-4", "qty": "3", "unit_cost": "1", "lot": "L", "expiry": "2027-12-01"}]})
    r = api.post("/api/v1/stock/reservations", {"warehouse": "WH1", "sku": "API-4", "qty": "4", "reference": "SO-9",
                                                "customer": "C1", "ship_date": "2026-11-25"})
    assert r.status_code == 409 and r.json_body["code"] == "insufficient_shelf_life"
    assert r.json_body["available"] == "3" and r.json_body["ineligible_lots"] == ["S"]
    assert StockLevel.objects.get(product__sku="API-4").reserved == 0


def test_units_transfers_and_adjustments_by_api(api, wh, actor):
    from sihe.catalog.models import Uom
    from sihe.stock.services import set_unit

    p = make_product("API-5")
    set_unit(product=p, uom=Uom.objects.get(code="BOX"), factor=D(12), actor=actor)
    r = api.post("/api/v1/stock/receipts", {"warehouse": "WH1", "lines": [
        {"sku": "API-5", "qty": "2", "unit": "BOX", "unit_cost": "60"}]})  # 60 per box → 5 per piece
    assert r.json_body["moves"][0]["qty"] == "24" and r.json_body["moves"][0]["value"] == "120.00"
    r = api.post("/api/v1/stock/transfers", {"warehouse": "WH1", "to_location": "A-01-01-01",
                                             "lines": [{"sku": "API-5", "qty": "1", "unit": "BOX"}]})
    assert r.status_code == 201 and r.json_body["moves"][0]["from_location"] == "DOCK"
    assert r.json_body["moves"][0]["location"] == "A-01-01-01"
    r = api.post("/api/v1/stock/adjustments", {"warehouse": "WH1", "lines": [
        {"sku": "API-5", "qty": "-2", "location": "A-01-01-01"}, {"sku": "API-5", "qty": "1", "location": "DOCK"}]})
    assert r.status_code == 201, r.json_body
    assert [(m["qty"], m["value"]) for m in r.json_body["moves"]] == [("2", "10.00"), ("1", "5.00")]
    rows = api.get("/api/v1/stock/levels?sku=API-5&group_by=location").json_body["rows"]
    assert [(row["location"], row["on_hand"]) for row in rows] == [("A-01-01-01", "10"), ("DOCK", "13")]
    assert api.get("/api/v1/costing/API-5").json_body["value"] == "115.00"


def test_permissions(api_as, wh):
    make_product("API-6")
    r = api_as("shopfloor").post("/api/v1/stock/receipts", {"warehouse": "WH1", "lines": [
        {"sku": "API-6", "qty": "1", "unit_cost": "1"}]})
    assert r.status_code == 403
    assert api_as("warehouse").get("/api/v1/costing/API-6").status_code == 403
    assert api_as("accountant").get("/api/v1/costing/API-6").status_code == 200
    assert api_as("service").post("/api/v1/stock/reservations", {"warehouse": "WH1", "sku": "API-6", "qty": "1",
                                                                  "reference": "X"}).status_code == 409
