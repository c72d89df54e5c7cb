"""Issue 12: the API under attack and faults — line limits, crashed requests' Idempotency-Keys,
errors as JSON whatever goes wrong."""

import datetime

from sihe.catalog.models import Product
from sihe.core.models import IdempotencyRecord
from sihe.stock.models import StockMove
from tests.stock.conftest import make_product, make_warehouse

MILK = {"sku": "MILK-1L", "name": "全脂牛奶 1L", "uom": "PCS"}


def test_12_2_more_lines_than_the_limit_is_too_many_lines(api_as):
    make_warehouse("LIM")
    make_product("LIM-1")
    lines = [{"sku": "LIM-1", "qty": "1", "unit_cost": "1"}] * 501
    response = api_as("warehouse").post("/api/v1/stock/receipts", {"warehouse": "LIM", "lines": lines})
    assert (response.status_code, response.json_body["code"], response.json_body["field"]) == (
        422, "too_many_lines", "lines")
    assert StockMove.objects.count() == 0
    assert api_as("warehouse").post("/api/v1/stock/receipts", {"warehouse": "LIM", "lines": lines[:500]}).status_code == 201


def test_12_4_a_crashed_request_frees_its_idempotency_key_when_the_lease_ends(api_as, clock):
    api = api_as("manager")
    # given a request that took the key and died (a killed worker leaves the record in progress)
    first = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-crash"})
    record = IdempotencyRecord.objects.get(key="k-crash")
    Product.objects.all().delete()
    IdempotencyRecord.objects.filter(pk=record.pk).update(completed=False, status_code=None, response_body=None)
    assert first.status_code == 201
    # when the same request comes again within the lease: still in progress
    again = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-crash"})
    assert (again.status_code, again.json_body["code"]) == (409, "idempotency_in_progress")
    # then after the lease it runs (once) and is replayed from then on
    clock.advance(seconds=121)
    retried = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-crash"})
    assert retried.status_code == 201 and Product.objects.count() == 1
    replayed = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-crash"})
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"


def test_12_4_completed_keys_expire_and_the_worker_forgets_them(api_as, clock):
    from sihe.core.idempotency import forget_expired

    api = api_as("manager")
    assert api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-old"}).status_code == 201
    clock.advance(hours=25)
    # a day later the key is a new request: here it meets the existing SKU (409), not a replay of 201
    later = api.post("/api/v1/products", MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-old"})
    assert later.status_code == 409 and "Idempotent-Replayed" not in later
    clock.advance(hours=25)
    assert forget_expired() == 1 and IdempotencyRecord.objects.count() == 0


def test_12_6_a_long_path_with_an_idempotency_key_is_json(api_as):
    response = api_as("manager").post("/api/v1/products/" + "x" * 600, MILK, headers={"HTTP_IDEMPOTENCY_KEY": "k-long"})
    assert response.status_code in (404, 405) and response.json_body is not None
    assert set(response.json_body) >= {"code", "message"}


def test_12_6_a_thousand_deep_json_is_422(api_as):
    body = "[" * 1000 + "]" * 1000
    response = api_as("manager").client.post("/api/v1/products", data=body, content_type="application/json",
                                              **api_as("manager").headers)
    assert 400 <= response.status_code < 500 and response.json()["code"]


def test_12_6_a_body_over_the_limit_is_413_json(api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = '{"sku": "' + "x" * 4096 + '"}'
    api = api_as("manager")
    response = api.client.post("/api/v1/products", data=body, content_type="application/json", **api.headers)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    keyed = api.client.post("/api/v1/products", data=body, content_type="application/json", **api.headers,
                            HTTP_IDEMPOTENCY_KEY="k-big")
    assert keyed.status_code == 413 and keyed.json()["code"] == "too_large"


def test_12_6_odd_input_is_refused_naming_the_field(api_as):
    make_warehouse("ODD")
    make_product("ODD-1")
    warehouse, manager = api_as("warehouse"), api_as("manager")
    huge = warehouse.post("/api/v1/stock/receipts", {"warehouse": "ODD", "lines": [
        {"sku": "ODD-1", "qty": "1", "unit_cost": "1e30"}]})
    assert (huge.status_code, huge.json_body["field"]) == (422, "lines[0].unit_cost")
    wide = warehouse.post("/api/v1/stock/receipts", {"warehouse": "ODD", "lines": [
        {"sku": "ODD-1", "qty": "１２", "unit_cost": "1"}]})
    assert (wide.status_code, wide.json_body["field"]) == (422, "lines[0].qty")
    zone = manager.post("/api/v1/locations", {"code": "A-05-01-01", "warehouse": "ODD", "zone": ""})
    assert zone.status_code in (201, 422) and zone.json_body is not None
    vt = manager.post("/api/v1/products", {"sku": "VT-1", "name": "bad\u000bname"})
    assert (vt.status_code, vt.json_body["field"]) == (422, "name")
    assert StockMove.objects.count() == 0


def test_12_1_business_dates_are_parsed_not_guessed():
    from sihe.core.dates import check_business_date

    today = datetime.date(2026, 12, 2)
    assert check_business_date(datetime.date(2026, 12, 31), today=today) == datetime.date(2026, 12, 31)


def test_12_7_audit_events_and_issued_invoices_are_append_only_in_the_database(actor, db):
    import pytest
    from django.db import DatabaseError, connection, transaction

    from sihe.catalog import services as catalog
    from sihe.core.models import AuditEntry, Event

    with transaction.atomic():
        catalog.create_category(data={"code": "AO", "name": "只追加"}, actor=actor)
    for model in (AuditEntry, Event):
        row = model.objects.order_by("id").first()
        with pytest.raises(DatabaseError), transaction.atomic():
            model.objects.filter(pk=row.pk).update(**({"username": "mallory"} if model is AuditEntry else
                                                       {"type": "forged"}))
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError), transaction.atomic():
                model.objects.filter(pk=row.pk).delete()
        assert model.objects.filter(pk=row.pk).exists()


def test_12_8_order_costs_and_vouchers_follow_costing_and_ledger_view(api_as):
    """Issue 12.8: GET /orders/{id} showed COGS amounts to warehouse and service."""
    from sihe.oms import services
    from tests.oms.world import build, dealer_order

    world = build(stock={"SH": 5, "GZ": 0})
    order = services.receive_order(channel_code="dealer", body=dealer_order("LP-1", 1), actor=world["actor"]).order
    services.ship_order(order=order, carrier="SF", tracking_no="SF-LP", actor=world["actor"])
    for role, sees in (("warehouse", False), ("service", False), ("manager", True), ("accountant", True)):
        body = api_as(role).get(f"/api/v1/orders/{order.pk}").json_body
        costs = [body["shipments"][0]["cost"], *(ln["cost"] for ln in body["shipments"][0]["lines"])]
        assert all(c is not None for c in costs) if sees else all(c is None for c in costs), role
        assert bool(body["vouchers"]) is sees, role
