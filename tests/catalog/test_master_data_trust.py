"""Issue 11, items 2–4: what stock relies on cannot change under it; a new warehouse can receive at once;
units match case-insensitively; low-stock rules, alternate units, units and categories can be set."""

from decimal import Decimal as D

import pytest

from sihe.catalog.models import Category, Location, Product, Uom
from sihe.core.models import AuditEntry
from sihe.stock.models import ProductUnit, StockLevel, StockRule


@pytest.fixture
def manager(api_as):
    return api_as("manager")


@pytest.fixture
def warehouse_api(api_as):
    return api_as("warehouse")


def _product(api, sku="TEA-1", **extra):
    body = {"sku": sku, "name": "绿茶", "uom": "PCS", **extra}
    response = api.post("/api/v1/products", body)
    assert response.status_code == 201, response.json_body
    return response.json_body


def _warehouse(api, code="WX"):
    response = api.post("/api/v1/warehouses", {"code": code, "name": "无锡仓"})
    assert response.status_code == 201, response.json_body
    return response.json_body


def test_11_2_costing_uom_and_tracking_are_fixed_once_the_product_has_moves(manager, warehouse_api):
    # given a product whose fields may still change while it has no moves
    _product(manager)
    _warehouse(manager)
    assert manager.patch("/api/v1/products/TEA-1", {"costing_method": "fifo"}).status_code == 200
    # when it receives stock
    received = warehouse_api.post("/api/v1/stock/receipts", {"warehouse": "WX", "lines": [
        {"sku": "TEA-1", "qty": "10", "unit_cost": "3.50"}]})
    assert received.status_code == 201, received.json_body
    audit_rows = AuditEntry.objects.count()
    # then each of the three is refused with 409 product_in_use naming the field, and nothing changes
    for field, value in (("costing_method", "moving_average"), ("uom", "BOX"), ("tracking", "lot")):
        response = manager.patch("/api/v1/products/TEA-1", {field: value})
        assert response.status_code == 409, field
        assert (response.json_body["code"], response.json_body["field"]) == ("product_in_use", field)
    product = Product.objects.select_related("uom").get(sku="TEA-1")
    assert (product.costing_method, product.uom.code, product.tracking) == ("fifo", "PCS", "none")
    assert AuditEntry.objects.count() == audit_rows
    # and the other fields still change (and the same value is no change at all)
    assert manager.patch("/api/v1/products/TEA-1", {"name": "龙井绿茶", "costing_method": "fifo"}).status_code == 200


def test_11_3_a_new_warehouse_receives_without_naming_a_location(manager, warehouse_api):
    # given a warehouse created through the API with no bins
    _product(manager)
    _warehouse(manager)
    dock = Location.objects.get(warehouse__code="WX")
    assert (dock.code, dock.kind, dock.zone.code) == ("R-01", "dock", "R")
    # when goods are received without a location
    response = warehouse_api.post("/api/v1/stock/receipts", {"warehouse": "WX", "lines": [
        {"sku": "TEA-1", "qty": "4", "unit_cost": "2"}]})
    # then they land on the receiving dock
    assert response.status_code == 201, response.json_body
    assert response.json_body["moves"][0]["location"] == "R-01"
    assert StockLevel.objects.get(product__sku="TEA-1", warehouse__code="WX").on_hand == D(4)


def test_11_3_unit_codes_match_case_insensitively(manager, warehouse_api):
    created = _product(manager, uom="pcs")
    assert created["uom"] == "PCS"
    _warehouse(manager)
    assert manager.put("/api/v1/products/TEA-1/units", {"unit": "box", "factor": "12"}).status_code == 200
    response = warehouse_api.post("/api/v1/stock/receipts", {"warehouse": "WX", "lines": [
        {"sku": "TEA-1", "qty": "2", "unit": "Box", "unit_cost": "1"}, {"sku": "TEA-1", "qty": "1", "unit": "pcs", "unit_cost": "1"}]})
    assert response.status_code == 201, response.json_body
    assert StockLevel.objects.get(product__sku="TEA-1").on_hand == D(25)


def test_11_4_low_stock_rules_through_the_api_reach_the_low_stock_list(manager, warehouse_api, make_user, client):
    _product(manager)
    _warehouse(manager)
    warehouse_api.post("/api/v1/stock/receipts", {"warehouse": "WX", "lines": [{"sku": "TEA-1", "qty": "5", "unit_cost": "1"}]})
    # when a rule asks for at least 8 (refill to 20)
    response = warehouse_api.put("/api/v1/stock/rules", {"sku": "TEA-1", "warehouse": "WX", "min_qty": "8", "max_qty": "20"})
    assert response.status_code == 200, response.json_body
    assert response.json_body == {"sku": "TEA-1", "warehouse": "WX", "min_qty": "8", "max_qty": "20", "available": "5",
                                  "low": True}
    # then the low-stock page lists it with the suggested order 15
    client.force_login(make_user("warehouse", "wh_page"))
    page = client.get("/stock/low/").content.decode()
    assert "TEA-1" in page and ">15<" in page
    listed = warehouse_api.get("/api/v1/stock/rules?warehouse=WX").json_body
    assert [r["sku"] for r in listed] == ["TEA-1"]
    # bad input is refused naming the field, and changes nothing
    bad = warehouse_api.put("/api/v1/stock/rules", {"sku": "TEA-1", "warehouse": "WX", "min_qty": "9", "max_qty": "3"})
    assert (bad.status_code, bad.json_body["field"]) == (422, "max_qty")
    negative = warehouse_api.put("/api/v1/stock/rules", {"sku": "TEA-1", "warehouse": "WX", "min_qty": "-1"})
    assert (negative.status_code, negative.json_body["field"]) == (422, "min_qty")
    unknown = warehouse_api.put("/api/v1/stock/rules", {"sku": "NOPE", "warehouse": "WX", "min_qty": "1"})
    assert (unknown.status_code, unknown.json_body["field"]) == (422, "sku")
    assert StockRule.objects.get().min_qty == D(8)
    # removing the rule takes it off the list
    assert warehouse_api.delete("/api/v1/stock/rules/WX/TEA-1").status_code == 204
    assert not StockLevel.objects.get(product__sku="TEA-1").low
    assert "TEA-1" not in client.get("/stock/low/").content.decode()


def test_11_4_rules_and_units_on_the_pages(manager, make_user, client):
    _product(manager)
    _warehouse(manager)
    client.force_login(make_user("manager", "mgr_page"))
    # a rule set on /stock/rules/
    response = client.post("/stock/rules/", {"sku": "TEA-1", "warehouse": "WX", "min_qty": "3", "max_qty": "",
                                             "action": "set"})
    assert response.status_code == 302
    assert StockRule.objects.get().min_qty == D(3)
    assert 'data-rule="TEA-1/WX"' in client.get("/stock/rules/").content.decode()
    refused = client.post("/stock/rules/", {"sku": "TEA-1", "warehouse": "WX", "min_qty": "abc", "action": "set"})
    assert refused.status_code == 422 and 'data-error="min_qty"' in refused.content.decode()
    # an alternate unit set on the product's stock page
    assert client.post("/stock/product/TEA-1/units/", {"unit": "BOX", "factor": "24"}).status_code == 302
    assert ProductUnit.objects.get().factor == D(24)
    assert 'data-unit="BOX"' in client.get("/stock/product/TEA-1/").content.decode()
    zero = client.post("/stock/product/TEA-1/units/", {"unit": "BOX", "factor": "0"})
    assert zero.status_code == 422 and ProductUnit.objects.get().factor == D(24)
    # a warehouse worker may read the rules but not change them
    client.force_login(make_user("warehouse", "wh2"))
    assert client.post("/stock/product/TEA-1/units/", {"unit": "BOX", "factor": "6"}).status_code == 403


def test_11_4_units_and_categories_have_an_api_and_pages(manager, make_user, client):
    created = manager.post("/api/v1/units", {"code": "ctn", "name": "纸箱", "precision": 0})
    assert created.status_code == 201 and created.json_body["code"] == "CTN"
    duplicate = manager.post("/api/v1/units", {"code": "Ctn", "name": "箱"})
    assert (duplicate.status_code, duplicate.json_body["field"]) == (409, "code")
    assert manager.post("/api/v1/categories", {"code": "TEA", "name": "茶叶"}).status_code == 201
    assert manager.post("/api/v1/categories", {"code": "GREEN", "name": "绿茶", "parent": "TEA"}).status_code == 201
    loop = manager.patch("/api/v1/categories/TEA", {"parent": "GREEN"})
    assert (loop.status_code, loop.json_body["field"]) == (422, "parent")
    # an unknown category is refused rather than created silently
    unknown = manager.post("/api/v1/products", {"sku": "X-1", "name": "x", "category": "TYPO"})
    assert (unknown.status_code, unknown.json_body["field"]) == (422, "category")
    assert not Category.objects.filter(code="TYPO").exists()
    assert manager.post("/api/v1/products", {"sku": "X-1", "name": "x", "uom": "ctn", "category": "GREEN"}).status_code == 201
    client.force_login(make_user("manager", "mgr_md"))
    assert "CTN" in client.get("/units/").content.decode()
    assert "绿茶" in client.get("/categories/").content.decode()
    assert client.post("/categories/new/", {"code": "BLACK", "name": "红茶", "parent": "TEA"}).status_code == 302
    assert Category.objects.get(code="BLACK").parent.code == "TEA"
    assert Uom.objects.filter(code="CTN").count() == 1
