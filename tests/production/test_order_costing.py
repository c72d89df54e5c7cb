"""Issue 14: a production order that costs itself — components at stock cost to 4001, minutes at the
work centre's rates, the finished goods received at cost ÷ good units (scrap raises it), the residue
closed to 5401 — checked to the fen, with the trial balance and stock = ledger."""

import datetime
from decimal import Decimal as D

import pytest

from sihe.core.errors import DomainError
from sihe.costing.checks import inventory_matches_ledger
from sihe.ledger import reports
from sihe.ledger.models import Voucher
from sihe.production import orders
from sihe.production.models import ProductionOrder
from sihe.stock.models import Lot, Reservation, StockLevel


def net(code: str, period="2026-11", project: str | None = None) -> D:
    account = reports.account_by_code(code)
    if project is None:
        return sum((v for k, v in reports.net_at_end(period).items() if k[0] == account.pk), D(0))
    rows = reports.net_at_end(period, by=("project",))
    return rows.get((account.pk, project), D(0))


def rule_totals(order) -> dict[str, D]:
    totals: dict[str, D] = {}
    for voucher in Voucher.objects.filter(lines__project=order.number).distinct().prefetch_related("lines"):
        totals[voucher.rule] = totals.get(voucher.rule, D(0)) + sum((ln.debit for ln in voucher.lines.all()), D(0))
    return totals


def test_14_a_yoghurt_order_costs_itself_to_the_fen_with_scrap(plant):
    wh, items, centre, actor = plant["wh"], plant["items"], plant["centre"], plant["actor"]
    # given an order for 1,000 cups
    order = orders.create_order(product=items["YOG"], qty="1000", warehouse=wh, due_date=datetime.date(2026, 11, 25),
                                actor=actor)
    lines = {ln.component.sku: ln.required_qty for ln in order.lines.select_related("component")}
    assert lines == {"RAW-MILK": D(153), "SUGAR": D(10), "CULTURE": D(100), "CUP-100": D(1010), "LID-100": D(1000)}
    # when it is released, its components are reserved under its number
    orders.release(order=order, actor=actor)
    assert sum(r.qty for r in Reservation.objects.filter(reference=order.number, state="active")) == D(2273)
    # and the components are issued: 153 × 4.00 + 10 × 6.50 + 100 × 0.50 + 1010 × 0.12 + 1000 × 0.05 = 898.20
    orders.issue(order=order, actor=actor)
    order.refresh_from_db()
    assert (order.status, order.materials_cost) == ("in_progress", D("898.20"))
    # 980 good and 20 scrap in 240 minutes: labour 4 h × 60 = 240.00, overhead 4 h × 30 = 120.00
    orders.report(order=order, actor=actor, good="980", scrap="20", minutes="240", work_centre=centre, operator="李师傅")
    order.refresh_from_db()
    assert (order.labour_cost, order.overhead_cost, order.good_qty, order.scrap_qty) == (
        D("240.00"), D("120.00"), D(980), D(20))
    # the good units carry the scrap: 1,258.20 ÷ 980 = 1.283878 a cup (1.2582 without scrap)
    first = orders.receive(order=order, actor=actor, qty="500")
    second = orders.receive(order=order, actor=actor, qty="480")
    assert (first["unit_cost"], first["value"], second["value"]) == ("1.283878", "641.94", "616.26")
    lot = Lot.objects.get(product=items["YOG"], number=order.number)
    assert (lot.production_date, lot.expiry_date) == (datetime.date(2026, 11, 20), datetime.date(2026, 12, 11))
    # 15 more minutes of clean-up after the last receipt: 15.00 + 7.50 stay on the order until it closes
    orders.report(order=order, actor=actor, good="0", minutes="15", work_centre=centre)
    order.refresh_from_db()
    assert order.wip == D("22.50") and net("4001", project=order.number) == D("22.50")
    closed = orders.close(order=order, actor=actor)
    assert (closed.status, closed.variance, closed.wip) == ("closed", D("22.50"), D("0.00"))
    # then the books: 4001 clear, every rule's amount, 1405 up by 1,258.20 − 898.20, trial balance and stock = ledger
    assert net("4001") == D("0.00")
    assert rule_totals(order) == {"production.consume": D("898.20"), "production.labour": D("255.00"),
                                  "production.overhead": D("127.50"), "production.output": D("1258.20"),
                                  "production.variance": D("22.50")}
    assert net("2211") == D("-255.00") and net("4101") == D("-127.50") and net("5401") == D("22.50")
    assert StockLevel.objects.get(product=items["YOG"], warehouse=wh).on_hand == D(980)
    ok, detail = inventory_matches_ledger("2026-11")
    assert ok, detail
    assert reports.trial_balance("2026-11")["totals"]["balanced"] is True


def test_14_issuing_more_than_reserved_and_receiving_more_than_made(plant):
    wh, items, centre, actor = plant["wh"], plant["items"], plant["centre"], plant["actor"]
    order = orders.create_order(product=items["YOG"], qty="100", warehouse=wh, due_date=datetime.date(2026, 11, 25),
                                actor=actor)
    with pytest.raises(DomainError) as refused:
        orders.issue(order=order, actor=actor)
    assert refused.value.code == "not_released"
    orders.release(order=order, actor=actor)
    # more than reserved is taken from the free stock (超领): 20 cups more than the 101 reserved
    orders.issue(order=order, actor=actor, lines=[orders.MaterialLine(product=items["CUP"], qty=D(121))])
    line = order.lines.get(component=items["CUP"])
    assert (line.issued_qty, line.issued_value) == (D(121), D("14.52"))
    # more than the stock: refused naming the line, nothing issued
    with pytest.raises(DomainError) as short:
        orders.issue(order=order, actor=actor, lines=[orders.MaterialLine(product=items["SUGAR"], qty=D(500),
                                                                          field="lines[0]")])
    assert (short.value.code, short.value.field) == ("insufficient_stock", "lines[0].qty")
    # receiving more than reported good units: refused with what may be received
    orders.report(order=order, actor=actor, good="90", scrap="0", minutes="20", work_centre=centre)
    with pytest.raises(DomainError) as over:
        orders.receive(order=order, actor=actor, qty="91")
    assert (over.value.code, over.value.field, over.value.extra["receivable"]) == ("over_receipt", "qty", "90")
    # backflush issued the rest of the BOM for the 90 made: milk 90 × 0.153 = 13.77 kg
    assert order.lines.get(component=items["MILK"]).issued_qty == D("13.77")


def test_14_returned_components_leave_the_order_at_their_issue_cost(plant):
    wh, items, actor = plant["wh"], plant["items"], plant["actor"]
    order = orders.create_order(product=items["YOG"], qty="100", warehouse=wh, due_date=datetime.date(2026, 11, 25),
                                actor=actor)
    orders.release(order=order, actor=actor)
    orders.issue(order=order, actor=actor)
    before = ProductionOrder.objects.get(pk=order.pk).materials_cost
    orders.return_materials(order=order, actor=actor, lines=[orders.MaterialLine(product=items["CUP"], qty=D(11))])
    order.refresh_from_db()
    assert before - order.materials_cost == D("1.32") and net("4001", project=order.number) == order.wip
    with pytest.raises(DomainError) as too_many:
        orders.return_materials(order=order, actor=actor, lines=[orders.MaterialLine(product=items["CUP"], qty=D(91),
                                                                                     field="lines[0]")])
    assert (too_many.value.code, too_many.value.field) == ("over_return", "lines[0].qty")


def test_14_lot_genealogy_back_to_the_supplier_and_forward_to_the_customer(plant, api_as):
    from sihe.wms import shipping

    wh, items, centre, actor = plant["wh"], plant["items"], plant["centre"], plant["actor"]
    order = orders.create_order(product=items["YOG"], qty="100", warehouse=wh, due_date=datetime.date(2026, 11, 25),
                                actor=actor)
    orders.release(order=order, actor=actor)
    orders.issue(order=order, actor=actor)
    orders.report(order=order, actor=actor, good="100", minutes="30", work_centre=centre)
    orders.receive(order=order, actor=actor, qty="100")
    # the finished lot back to the milk lot M1 of receipt PO-RAW
    trace = api_as("manager").get(f"/api/v1/trace/lots/{order.number}?sku=YOG-100G").json_body["lots"][0]
    milk = next(row for row in trace["made_from"] if row["sku"] == "RAW-MILK")
    assert (milk["order"], milk["lot"], milk["qty"], milk["suppliers"]) == (order.number, "M1", "15.3", ["PO-RAW"])
    # 30 cups shipped to a shop: the milk lot forward to the yoghurt lot made from it, and to that shop
    shipment = shipping.create_shipment(
        warehouse=wh, lines=[shipping.ShipLineIn(product=items["YOG"], qty=D(30))], source_type="test.order",
        source_id="S-1", source_number="S-1", customer="嘉兴便利店", actor=actor,
        receiver={"name": "王五", "phone": "13800000000", "province": "浙江省", "city": "嘉兴市", "district": "南湖区",
                  "address": "中山路1号"})
    shipping.ship(shipment=shipment, carrier="SF", tracking_no="SF-YOG", actor=actor)
    forward = api_as("manager").get("/api/v1/trace/lots/M1?sku=RAW-MILK").json_body["lots"][0]
    assert [(row["sku"], row["lot"], row["qty"], row["customers"]) for row in forward["used_in"]] == [
        ("YOG-100G", order.number, "100", ["嘉兴便利店"])]


def test_14_the_close_checks_work_in_progress_against_the_open_orders(plant):
    from sihe.ledger.close import run_checks

    wh, items, centre, actor = plant["wh"], plant["items"], plant["centre"], plant["actor"]
    order = orders.create_order(product=items["YOG"], qty="100", warehouse=wh, due_date=datetime.date(2026, 11, 25),
                                actor=actor)
    orders.release(order=order, actor=actor)
    orders.issue(order=order, actor=actor)
    orders.report(order=order, actor=actor, good="60", minutes="20", work_centre=centre)
    check = {r["code"]: r for r in run_checks("2026-11")}["wip_matches_orders"]
    order.refresh_from_db()
    assert check["ok"] and f"{order.wip:.2f}" in check["detail"]
    # a voucher on 4001 that belongs to no order's running total is found
    ProductionOrder.objects.filter(pk=order.pk).update(labour_cost=order.labour_cost + 1)
    check = {r["code"]: r for r in run_checks("2026-11")}["wip_matches_orders"]
    assert not check["ok"] and order.number in check["detail"]
