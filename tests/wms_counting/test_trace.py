"""Lot traceability: from a lot to its receipt (supplier, PO, ASN), bins, shipments, orders and
customers; from an order back to its lots."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_lot_leads_to_its_supplier_bins_orders_and_customers(story, api_as):
    response = api_as("service").get("/api/v1/trace/lots/J-7?sku=JAM")
    assert response.status_code == 200, response.json_body
    [trace] = response.json_body["lots"]
    [receipt] = trace["receipts"]
    assert (receipt["supplier"], receipt["supplier_name"], receipt["po"], receipt["asn"], receipt["qty"],
            receipt["location"]) == ("SUP-JAM", "甜蜜果酱厂", "PO-2026-0077", "ASN-77", "20", "B-01")
    assert trace["bins"] == ["CW:B-01", "CW:A-01"]
    assert [(m["kind"], m["qty"], m["from"], m["to"]) for m in trace["moves"]] == [
        ("receipt", "20", "supplier", "CW:B-01"), ("transfer", "12", "CW:B-01", "CW:A-01"),
        ("issue", "5", "CW:A-01", "customer"), ("issue", "4", "CW:A-01", "customer")]
    assert [(s["number"], s["order"], s["customer"], s["picked"], s["shipped"]) for s in trace["shipments"]] == [
        ("SH-1", "SO-1001", "华东超市", "5", "5"), ("SH-2", "SO-1002", "西湖便利店", "4", "4")]
    assert trace["orders"] == ["SO-1001", "SO-1002"]
    assert trace["customers"] == ["华东超市", "西湖便利店"]
    assert [(s["location"], s["qty"]) for s in trace["on_hand"]] == [("A-01", "3"), ("B-01", "8")]


def test_a_lot_number_shared_by_two_products_returns_both_unless_the_sku_is_given(story, api_as):
    body = api_as("manager").get("/api/v1/trace/lots/J-7").json_body
    assert [t["sku"] for t in body["lots"]] == ["HONEY", "JAM"]
    assert api_as("manager").get("/api/v1/trace/lots/J-7?sku=HONEY").json_body["lots"][0]["shipments"] == []


def test_an_order_leads_back_to_its_lots(story, api_as):
    body = api_as("service").get("/api/v1/trace/orders/SO-1002").json_body
    assert body["customer"] == "西湖便利店"
    assert [(r["shipment"], r["sku"], r["lot"], r["qty"], r["location"]) for r in body["lots"]] == [
        ("SH-2", "JAM", "J-7", "4", "A-01")]


def test_unknown_lots_and_orders_are_404_and_permission_is_checked(story, api_as):
    missing = api_as("manager").get("/api/v1/trace/lots/NOPE")
    assert missing.status_code == 404 and missing.json_body["field"] == "lot"
    assert api_as("manager").get("/api/v1/trace/lots/J-7?sku=MILK").status_code == 404
    assert api_as("manager").get("/api/v1/trace/orders/SO-404").status_code == 404
    assert api_as("shopfloor").get("/api/v1/trace/lots/J-7").status_code == 403
