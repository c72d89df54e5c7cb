"""Issue 14, MRP on the books: a run reads forecasts, stock, open orders and BOMs, plans every level, and a
planner confirms its proposals into a draft purchase order or production order. Figures worked by hand
below (the yoghurt plant of tests/production/conftest.py, weekly buckets from Monday 2026-12-07)."""

import datetime
from decimal import Decimal

import pytest

from sihe.catalog.models import Partner
from sihe.planning.models import MrpRun, Proposal
from sihe.production.models import ProductionOrder
from sihe.purchasing import services as purchasing
from sihe.purchasing.models import PurchaseOrder
from tests.production.conftest import make_plant

D = Decimal
RUN = {"start": "2026-12-07", "buckets": 4, "bucket_days": 7}


@pytest.fixture
def planned(db, clock):
    clock.at(2026, 12, 2)
    plant = make_plant()
    supplier = Partner.objects.create(code="S-RUYE", name="嘉兴乳业", kind="supplier")
    # an open purchase order for 400 lids due in week 3 (a draft counts: it was planned already)
    purchasing.create_order(supplier=supplier, warehouse=plant["wh"], actor=plant["actor"],
                            expected_date=datetime.date(2026, 12, 22),
                            lines=[purchasing.OrderLine(product=plant["items"]["LID"], qty="400", price="0.05")])
    return plant


def _plan_fields(manager, sku, **fields):
    reply = manager.patch(f"/api/v1/products/{sku}", fields)
    assert reply.status_code == 200, reply.json_body


def test_14_a_three_level_run_on_the_books_with_proposals_pegging_and_a_past_due_release(planned, api_as):
    manager = api_as("manager")
    _plan_fields(manager, "YOG-100G", make_or_buy="make", lead_time_days=7)
    _plan_fields(manager, "RAW-MILK", make_or_buy="buy", lead_time_days=2, main_supplier="S-RUYE")
    _plan_fields(manager, "CUP-100", lead_time_days=14, lot_sizing="fixed", lot_size="5000")
    _plan_fields(manager, "LID-100", lead_time_days=0, safety_stock="100")
    # 3,000 cups expected on Monday of week 4 (2026-12-28); a figure set twice is replaced, not added
    assert manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2026-12-28", "qty": "2000"}).status_code == 201
    forecast = manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2026-12-28", "qty": "3000"})
    assert forecast.status_code == 201 and forecast.json_body["qty"] == "3000"

    reply = manager.post("/api/v1/mrp/runs", RUN)
    assert reply.status_code == 201, reply.json_body
    run = reply.json_body
    assert run["status"] == "done"
    items = {i["sku"]: i for i in run["items"]}
    # level 0: yoghurt, made in one week: 3,000 received in week 4, released in week 3
    yog = items["YOG-100G"]
    assert (yog["llc"], yog["gross"], yog["planned_receipts"], yog["planned_releases"]) == (
        0, ["0", "0", "0", "3000"], ["0", "0", "0", "3000"], ["0", "0", "3000", "0"])
    # level 1: milk 3000 × 15/100 × 1.02 = 459 kg in week 3; 200 kg on hand → 259 net, bought a week ahead
    milk = items["RAW-MILK"]
    assert (milk["llc"], milk["gross"][2], milk["projected"], milk["net"][2]) == (
        1, "459", ["200", "200", "0", "0"], "259")
    assert milk["planned_releases"] == ["0", "259", "0", "0"]
    # cups: 3000 × 1.01 = 3030, 2000 on hand → 1030 short, ordered in lots of 5000, two weeks ahead
    cup = items["CUP-100"]
    assert (cup["gross"][2], cup["net"][2], cup["planned_receipts"][2], cup["planned_releases"][0]) == (
        "3030", "1030", "5000", "5000")
    assert cup["projected"] == ["2000", "2000", "3970", "3970"]
    # lids: 3000 needed, 2000 on hand + 400 on the open PO in week 3, 100 safety stock → 700 more, no lead time
    lid = items["LID-100"]
    assert (lid["scheduled"], lid["net"][2], lid["planned_releases"]) == (
        ["0", "0", "400", "0"], "700", ["0", "0", "700", "0"])
    # sugar (30 kg of 50) and culture (300 g of 500) are covered: no proposal
    proposals = {(p["sku"], p["kind"]): p for p in run["proposals"]}
    assert set(proposals) == {("YOG-100G", "production"), ("RAW-MILK", "purchase"), ("CUP-100", "purchase"),
                              ("LID-100", "purchase")}
    milk_order = proposals[("RAW-MILK", "purchase")]
    assert (milk_order["qty"], milk_order["release_date"], milk_order["due_date"]) == ("259", "2026-12-14", "2026-12-21")
    assert milk_order["pegs"] == [{"kind": "planned_order", "item": "YOG-100G", "bucket": 4, "qty": "259"}]
    assert proposals[("YOG-100G", "production")]["pegs"] == [
        {"kind": "independent", "item": "YOG-100G", "bucket": 4, "qty": "3000"}]
    assert run["exceptions"] == []
    # the same run read back
    again = manager.get(f"/api/v1/mrp/runs/{run['id']}").json_body
    assert again["items"] == run["items"] and again["proposals"] == run["proposals"]


def test_14_a_release_before_the_first_bucket_is_an_exception_not_an_error(planned, api_as):
    manager = api_as("manager")
    _plan_fields(manager, "YOG-100G", make_or_buy="make", lead_time_days=14)
    manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2026-12-08", "qty": "500"})
    run = manager.post("/api/v1/mrp/runs", RUN).json_body
    assert run["status"] == "done"
    assert {"sku": "YOG-100G", "code": "past_due_release", "bucket": -1} in run["exceptions"]
    yog = next(p for p in run["proposals"] if p["sku"] == "YOG-100G")
    assert (yog["qty"], yog["release_date"], yog["due_date"]) == ("500", "2026-11-23", "2026-12-07")


def test_14_confirming_proposals_makes_draft_documents_once(planned, api_as):
    manager = api_as("manager")
    _plan_fields(manager, "YOG-100G", make_or_buy="make", lead_time_days=7)
    _plan_fields(manager, "RAW-MILK", lead_time_days=2, main_supplier="S-RUYE")
    manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2026-12-28", "qty": "3000"})
    run = manager.post("/api/v1/mrp/runs", RUN).json_body
    ids = {p["sku"]: p["id"] for p in run["proposals"]}
    made = manager.post(f"/api/v1/mrp/proposals/{ids['YOG-100G']}/confirm")
    assert made.status_code == 200, made.json_body
    order = ProductionOrder.objects.get(pk=made.json_body["id"])
    assert (made.json_body["document"], order.status, order.qty, str(order.due_date)) == (
        "production_order", "draft", D(3000), "2026-12-28")
    bought = manager.post(f"/api/v1/mrp/proposals/{ids['RAW-MILK']}/confirm").json_body
    po = PurchaseOrder.objects.get(pk=bought["id"])
    line = po.lines.get()
    assert (bought["document"], po.status, po.supplier.code, line.product.sku, line.qty) == (
        "purchase_order", "draft", "S-RUYE", "RAW-MILK", D(259))
    # twice: refused, naming the document it became
    again = manager.post(f"/api/v1/mrp/proposals/{ids['YOG-100G']}/confirm")
    assert (again.status_code, again.json_body["code"]) == (409, "already_confirmed")
    assert again.json_body["document_id"] == order.pk
    # no main supplier for cups: the planner is told what to set
    cups = manager.post(f"/api/v1/mrp/proposals/{ids['CUP-100']}/confirm")
    assert (cups.status_code, cups.json_body["code"], cups.json_body["field"]) == (422, "no_main_supplier", "sku")
    assert Proposal.objects.get(pk=ids["CUP-100"]).status == "open"
    # the next run sees the draft orders as scheduled receipts and proposes nothing new for them
    rerun = manager.post("/api/v1/mrp/runs", RUN).json_body
    skus = {p["sku"] for p in rerun["proposals"]}
    assert "YOG-100G" not in skus and "RAW-MILK" not in skus
    items = {i["sku"]: i for i in rerun["items"]}
    assert items["YOG-100G"]["scheduled"] == ["0", "0", "0", "3000"]
    # the draft production order's components are demand of its release week
    assert items["RAW-MILK"]["gross"][2] == "459"


def test_14_bad_input_is_refused_naming_the_field(planned, api_as):
    manager, floor = api_as("manager"), api_as("shopfloor")
    assert manager.post("/api/v1/forecasts", {"sku": "NOPE", "date": "2026-12-28", "qty": "1"}).json_body["field"] == "sku"
    bad = manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2026-12-28", "qty": "-5"})
    assert (bad.status_code, bad.json_body["field"]) == (422, "qty")
    far = manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2099-01-01", "qty": "5"})
    assert (far.status_code, far.json_body["code"]) == (422, "date_too_far_ahead")
    assert manager.post("/api/v1/mrp/runs", {**RUN, "buckets": 0}).status_code == 422
    assert manager.post("/api/v1/mrp/runs", {**RUN, "warehouse": "NOPE"}).json_body["field"] == "warehouse"
    assert floor.post("/api/v1/mrp/runs", RUN).status_code == 403
    assert manager.get("/api/v1/mrp/runs/999999").status_code == 404
    assert manager.post("/api/v1/mrp/proposals/999999/confirm").status_code == 404
    assert MrpRun.objects.count() == 0


def test_14_a_background_run_is_done_by_the_worker(planned, api_as):
    from django.core.management import call_command

    manager = api_as("manager")
    manager.post("/api/v1/forecasts", {"sku": "SUGAR", "date": "2026-12-15", "qty": "80"})
    queued = manager.post("/api/v1/mrp/runs", {**RUN, "background": True})
    assert (queued.status_code, queued.json_body["status"]) == (202, "queued")
    call_command("worker", drain=True, quiet=True)
    run = manager.get(f"/api/v1/mrp/runs/{queued.json_body['id']}").json_body
    assert (run["status"], run["progress"]) == ("done", 100)
    sugar = {i["sku"]: i for i in run["items"]}["SUGAR"]
    assert sugar["net"] == ["0", "30", "0", "0"]


def test_14_a_component_switched_off_is_still_planned_while_a_bom_uses_it(planned, api_as):
    from sihe.catalog.models import Product

    manager = api_as("manager")
    _plan_fields(manager, "YOG-100G", make_or_buy="make", lead_time_days=7)
    manager.post("/api/v1/forecasts", {"sku": "YOG-100G", "date": "2026-12-28", "qty": "3000"})
    Product.objects.filter(sku="LID-100").update(active=False)
    run = manager.post("/api/v1/mrp/runs", RUN)
    assert run.status_code == 201, run.json_body
    lid = {i["sku"]: i for i in run.json_body["items"]}["LID-100"]
    assert lid["gross"][2] == "3000"
