"""拆单: an order's shipment split in two before picking (one part waits, the other ships), both parts
picked and shipped, stock and cost of sales to the fen, one invoice for the order; joined again before
picking; refused naming the field and the code; a duplicate submission is one split; on PostgreSQL two
splits of one shipment at once: one wins."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from sihe.catalog.models import Product, Uom
from sihe.costing import services as costing
from sihe.ledger.models import VoucherLine
from sihe.oms.models import Order, OrderLine
from sihe.oms.splitting.models import Split
from sihe.stock.models import Reservation, StockLevel
from sihe.stock.services import InLine
from sihe.wms.models import Shipment

from .world import TAX_CODE, build, dealer_order

D = Decimal
pytestmark = pytest.mark.django_db
POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def net(code: str) -> Decimal:
    return sum((r.debit - r.credit for r in VoucherLine.objects.filter(account__code=code, voucher__status="posted")),
               D(0))


def mug_world() -> dict:
    """TEE ×10 at 20.00 and MUG ×5 at 30.00 in Shanghai."""
    world = build(stock={"SH": 10})
    mug = Product.objects.create(sku="MUG-350-WHT", name="陶瓷马克杯 350ml 白", uom=Uom.objects.get(code="PCS"),
                                 tax_rate=D("0.13"), tax_code=TAX_CODE, tax_short_name="日用品", weight=D("0.40"))
    costing.receive(warehouse=world["wh"]["SH"], lines=[InLine(product=mug, qty=D(5), unit_cost=D("30.00"))],
                    actor=world["actor"], reference="OPEN-MUG", date=datetime.date(2026, 11, 1))
    return {**world, "mug": mug}


def two_line_order(order_id: str = "D-8001") -> dict:
    body = dealer_order(order_id, 3, "50.00")
    body["lines"].append({"sku": "MUG-350-WHT", "qty": "2", "price": "40.00"})
    return body


@pytest.fixture
def shop(api_as):
    world = mug_world()
    r = api_as("service").post("/api/v1/channels/dealer/orders", two_line_order())
    assert r.status_code in (200, 201), r.json_body
    return {**world, "order": r.json_body["order"]}


def live(order_id: int) -> list[tuple[str, list[tuple[str, Decimal]]]]:
    """The order's shipments that are not cancelled: (state, [(sku, qty)])."""
    rows = Shipment.objects.filter(source_type="oms.order", source_id=str(order_id)).exclude(state="cancelled")
    return [(s.state, [(ln.product.sku, ln.qty) for ln in s.lines.order_by("pk")]) for s in rows.order_by("pk")]


def levels(world) -> dict[str, tuple[Decimal, Decimal]]:
    return {p.sku: (lv.on_hand, lv.reserved) for p in (world["tee"], world["mug"])
            for lv in [StockLevel.objects.get(product=p, warehouse=world["wh"]["SH"])]}


def test_split_then_both_parts_picked_and_shipped_stock_cogs_and_one_invoice(shop, api_as):
    service, warehouse = api_as("service"), api_as("warehouse")
    order = shop["order"]
    assert live(order["id"]) == [("pending", [("TEE-BLK-M", D(3)), ("MUG-350-WHT", D(2))])]
    source = Shipment.objects.get(source_id=str(order["id"]))

    # when: one T-shirt and both mugs ship first, the other two T-shirts wait
    r = service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 1, "qty": 1}, {"line": 2, "qty": 2}]})
    assert r.status_code == 201, r.json_body
    split = r.json_body
    assert split["number"] == "SP202612-00001" and split["status"] == "active" and split["undo_allowed"] is True
    assert (split["platform_order_id"], split["source_shipment"]) == ("D-8001", source.number)
    parts = split["shipments"]
    assert [(p["part"], p["state"], p["lines"]) for p in parts] == [
        (1, "pending", [{"line": 1, "sku": "TEE-BLK-M", "qty": "1"}, {"line": 2, "sku": "MUG-350-WHT", "qty": "2"}]),
        (2, "pending", [{"line": 1, "sku": "TEE-BLK-M", "qty": "2"}])]
    assert all((p["split"], p["source_shipment"], p["platform_order_id"]) == (split["number"], source.number, "D-8001")
               for p in parts)
    # the source is cancelled; the reservations follow the parts: still 3 T-shirts and 2 mugs held, once
    assert Shipment.objects.get(pk=source.pk).state == "cancelled"
    assert live(order["id"]) == [("pending", [("TEE-BLK-M", D(1)), ("MUG-350-WHT", D(2))]),
                                 ("pending", [("TEE-BLK-M", D(2))])]
    assert levels(shop) == {"TEE-BLK-M": (D(10), D(3)), "MUG-350-WHT": (D(5), D(2))}
    assert sorted((r.reference, r.qty) for r in Reservation.objects.filter(state="active")) == [
        (parts[0]["number"], D(1)), (parts[0]["number"], D(2)), (parts[1]["number"], D(2))]
    assert [ln.allocated_qty for ln in OrderLine.objects.order_by("line_no")] == [D(3), D(2)]
    assert Order.objects.get(pk=order["id"]).status == "allocated"

    # part 1 picked (a wave) and shipped: the order is partly shipped, the split can no longer be undone
    r = api_as("manager").post("/api/v1/wms/waves", {"warehouse": "SH", "shipments": [parts[0]["number"]]})
    assert r.status_code == 201, r.json_body
    assert service.get(f"/api/v1/orders/splits/{split['id']}").json_body["undo_allowed"] is False
    # two shipments are open: one must be named, and a name that is not the order's is refused
    unnamed = warehouse.post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": "SF8000"})
    assert (unnamed.status_code, unnamed.json_body["field"]) == (422, "shipment"), unnamed.json_body
    assert parts[0]["number"] in unnamed.json_body["message"] and parts[1]["number"] in unnamed.json_body["message"]
    stranger = warehouse.post(f"/api/v1/orders/{order['id']}/ship",
                              {"shipment": "SH-NOT-OURS", "carrier": "SF", "tracking_no": "SF8000"})
    assert (stranger.status_code, stranger.json_body["field"]) == (404, "shipment"), stranger.json_body
    r = warehouse.post(f"/api/v1/orders/{order['id']}/ship",
                       {"shipment": parts[0]["number"], "carrier": "SF", "tracking_no": "SF8001A"})
    assert r.status_code == 200, r.json_body
    assert r.json_body["status"] == "allocated"
    assert [ln.shipped_qty for ln in OrderLine.objects.order_by("line_no")] == [D(1), D(2)]
    # part 2 ships later under its own waybill: the order is shipped
    r = warehouse.post(f"/api/v1/orders/{order['id']}/ship",
                       {"shipment": parts[1]["number"], "carrier": "SF", "tracking_no": "SF8001B"})
    assert r.status_code == 200, r.json_body
    assert r.json_body["status"] == "shipped"
    assert [ln.shipped_qty for ln in OrderLine.objects.order_by("line_no")] == [D(3), D(2)]
    assert levels(shop) == {"TEE-BLK-M": (D(7), D(0)), "MUG-350-WHT": (D(3), D(0))}
    # cost of sales: 3 × 20.00 + 2 × 30.00 = 120.00, per part 20.00 + 60.00 and 40.00
    assert {s.number: s.cost for s in Shipment.objects.filter(state="shipped")} == {
        parts[0]["number"]: D("80.00"), parts[1]["number"]: D("40.00")}
    assert net("5401") == D("120.00") and net("1405") == D("230.00")  # 200.00 + 150.00 in, 120.00 out
    assert net("1122") == D("230.00")  # 3 × 50.00 + 2 × 40.00 receivable

    # one invoice for the order, both lines, whatever the shipments were
    r = api_as("accountant").post("/api/v1/invoices", {"orders": [order["number"]], "buyer_name": "杭州好运商贸有限公司"})
    assert r.status_code == 201, r.json_body
    assert [(ln["qty"], ln["amount"], ln["tax"]) for ln in r.json_body["lines"]] == [
        ("3", "132.74", "17.26"), ("2", "70.80", "9.20")]
    assert r.json_body["total"] == "230.00"
    assert net("5001") + net("2221.01.06") == D("-230.00")


def test_undo_before_picking_joins_the_parts_again(shop, api_as):
    service = api_as("service")
    order = shop["order"]
    split = service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 2, "qty": 1}]}).json_body
    assert live(order["id"]) == [("pending", [("MUG-350-WHT", D(1))]),
                                 ("pending", [("TEE-BLK-M", D(3)), ("MUG-350-WHT", D(1))])]

    r = service.post(f"/api/v1/orders/splits/{split['number']}/undo", {"note": "到货了，一起发"})
    assert r.status_code == 200, r.json_body
    assert (r.json_body["status"], r.json_body["undo_allowed"]) == ("undone", False)
    assert [p["state"] for p in r.json_body["shipments"]] == ["cancelled", "cancelled"]
    assert live(order["id"]) == [("pending", [("TEE-BLK-M", D(3)), ("MUG-350-WHT", D(2))])]
    assert r.json_body["joined_shipment"] == Shipment.objects.get(source_id=str(order["id"]), state="pending").number
    assert levels(shop) == {"TEE-BLK-M": (D(10), D(3)), "MUG-350-WHT": (D(5), D(2))}
    assert [ln.allocated_qty for ln in OrderLine.objects.order_by("line_no")] == [D(3), D(2)]
    again = service.post(f"/api/v1/orders/splits/{split['id']}/undo")
    assert (again.status_code, again.json_body["code"], again.json_body["field"]) == (409, "not_active", "split_id")
    unknown = service.post("/api/v1/orders/splits/999999/undo")
    assert (unknown.status_code, unknown.json_body["code"]) == (404, "unknown_split")
    # the joined shipment may be split again
    assert service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 1, "qty": 2}]}).status_code == 201


@pytest.mark.parametrize(("lines", "status", "code", "field"), [
    ([], 422, "empty_split", "lines"),
    ([{"line": 9, "qty": 1}], 404, "unknown_line", "lines[0].line"),
    ([{"line": 1, "qty": 4}], 422, "qty_over_line", "lines[0].qty"),
    ([{"line": 1, "qty": 1}, {"line": 1, "qty": 1}], 422, "duplicate_line", "lines[1].line"),
    ([{"line": 1, "qty": 3}, {"line": 2, "qty": 2}], 422, "whole_shipment", "lines"),
])
def test_a_split_is_refused_naming_the_field_and_changes_nothing(shop, api_as, lines, status, code, field):
    order = shop["order"]
    r = api_as("service").post(f"/api/v1/orders/{order['id']}/split", {"lines": lines})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (status, code, field), r.json_body
    assert Split.objects.count() == 0
    assert live(order["id"]) == [("pending", [("TEE-BLK-M", D(3)), ("MUG-350-WHT", D(2))])]
    assert levels(shop) == {"TEE-BLK-M": (D(10), D(3)), "MUG-350-WHT": (D(5), D(2))}


def test_once_picking_started_neither_split_nor_undo(shop, api_as):
    service, manager = api_as("service"), api_as("manager")
    order = shop["order"]
    split = service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 1, "qty": 1}]}).json_body
    assert manager.post("/api/v1/wms/waves", {"warehouse": "SH",
                                              "shipments": [split["shipments"][1]["number"]]}).status_code == 201
    r = service.post(f"/api/v1/orders/splits/{split['id']}/undo")
    assert (r.status_code, r.json_body["code"]) == (409, "picking_started")
    assert "picking has started" in r.json_body["message"]
    r = service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 1, "qty": 1}],
                                                            "shipment": split["shipments"][0]["number"]})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (409, "picking_started", "order_id")
    assert Split.objects.get().status == "active"


def test_a_held_or_unknown_order_is_refused(shop, api_as):
    service = api_as("service")
    order = shop["order"]
    assert service.post(f"/api/v1/orders/{order['id']}/hold", {"reason": "买家要求暂缓"}).status_code == 200
    r = service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 1, "qty": 1}]})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (409, "held", "order_id")
    r = service.post("/api/v1/orders/99999999/split", {"lines": [{"line": 1, "qty": 1}]})
    assert (r.status_code, r.json_body["code"]) == (404, "unknown_order")
    r = service.post(f"/api/v1/orders/{order['id']}/split", {"lines": [{"line": 1, "qty": 0}]})
    assert r.status_code == 422


def test_the_same_submission_twice_is_one_split(shop, api_as):
    service = api_as("service")
    order = shop["order"]
    body = {"lines": [{"line": 1, "qty": 1}]}
    first = service.post(f"/api/v1/orders/{order['id']}/split", body, headers={"HTTP_IDEMPOTENCY_KEY": "split-8001"})
    second = service.post(f"/api/v1/orders/{order['id']}/split", body, headers={"HTTP_IDEMPOTENCY_KEY": "split-8001"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json_body["number"] == first.json_body["number"]
    assert Split.objects.count() == 1
    assert len(live(order["id"])) == 2
    assert levels(shop) == {"TEE-BLK-M": (D(10), D(3)), "MUG-350-WHT": (D(5), D(2))}


def test_the_split_is_on_the_order_timeline_and_in_the_outbox(shop, api_as):
    from sihe.core.models import Event

    order = shop["order"]
    split = api_as("service").post(f"/api/v1/orders/{order['id']}/split",
                                   {"lines": [{"line": 2, "qty": 2}]}).json_body
    event = Event.objects.get(type="oms.shipment.split")
    assert (event.payload["split"], event.payload["external_id"]) == (split["number"], "D-8001")
    assert [p["lines"] for p in event.payload["shipments"]] == [[{"sku": "MUG-350-WHT", "qty": "2"}],
                                                                [{"sku": "TEE-BLK-M", "qty": "3"}]]
    detail = api_as("service").get(f"/api/v1/orders/{order['id']}").json_body
    assert [t["kind"] for t in detail["timeline"]][-1] == "split"


@pytest.mark.postgres_only
@pytest.mark.skipif(not POSTGRES, reason="needs real parallel PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_splits_of_one_order_at_once_one_wins(parallel, make_user):
    from tests.conftest import api_client

    mug_world()
    api = api_client(make_user("service"))
    order = api.post("/api/v1/channels/dealer/orders", two_line_order("P-8001")).json_body["order"]
    source = Shipment.objects.get(source_id=str(order["id"])).number

    def split(i):
        r = api.post(f"/api/v1/orders/{order['id']}/split",
                     {"lines": [{"line": 1 + i % 2, "qty": 1}], "shipment": source})
        return r.status_code, r.json_body.get("code")

    results = parallel(split, 2)
    assert sorted(s for s, _c in results) == [201, 409], results
    assert {c for s, c in results if s != 201} == {"shipment_gone"}
    assert Split.objects.count() == 1
    assert len(live(order["id"])) == 2
    assert sum(r.qty for r in Reservation.objects.filter(state="active")) == D(5)
    assert [ln.allocated_qty for ln in OrderLine.objects.order_by("line_no")] == [D(3), D(2)]


# -- 超重拆单 ---------------------------------------------------------------------------------------

def test_first_fit_decreasing_packs_the_heaviest_units_first():
    from sihe.oms.splitting.packing import first_fit_decreasing

    # 3 T-shirts of 0.25 kg and 2 mugs of 0.40 kg
    units = [(1, D("0.25"), 3), (2, D("0.40"), 2)]
    assert first_fit_decreasing(units, D("1.0")) == [{2: 2}, {1: 3}]
    assert first_fit_decreasing(units, D("0.5")) == [{2: 1}, {2: 1}, {1: 2}, {1: 1}]
    assert first_fit_decreasing(units, D("5")) == [{2: 2, 1: 3}]
    # a unit heavier than the limit travels alone
    assert first_fit_decreasing([(1, D("3.0"), 2), (2, D("0.5"), 1)], D("2")) == [{1: 1}, {1: 1}, {2: 1}]


def test_a_shipment_over_the_carriers_limit_is_split_into_parcels(shop, api_as):
    from sihe.core.actor import Actor
    from sihe.oms.splitting import services

    actor = Actor.system("test")
    order = Order.objects.get(pk=shop["order"]["id"])
    services.save_weight_limit(carrier="YTO", max_kg=D("0.5"), actor=actor)
    services.save_weight_limit(carrier="SF", max_kg=D("5"), actor=actor)
    # 1.55 kg is within SF's 5 kg: refused, nothing changes
    with pytest.raises(services.Conflict) as refused:
        services.split_overweight(order=order, carrier="SF", actor=actor)
    assert (refused.value.code, refused.value.field) == ("within_limit", "shipment")
    with pytest.raises(services.ValidationFailed) as unknown:
        services.split_overweight(order=order, carrier="ZTO", actor=actor)
    assert (unknown.value.code, unknown.value.field) == ("no_weight_limit", "carrier")
    assert Split.objects.count() == 0

    # YTO takes 0.5 kg: a mug, a mug, two T-shirts, one T-shirt: four parcels in three splits
    made = services.split_overweight(order=order, carrier="YTO", actor=actor)
    assert [(s.reason, s.platform_order_id) for s in made] == [("overweight", "D-8001")] * 3
    assert live(order.pk) == [("pending", [("MUG-350-WHT", D(1))]), ("pending", [("MUG-350-WHT", D(1))]),
                              ("pending", [("TEE-BLK-M", D(2))]), ("pending", [("TEE-BLK-M", D(1))])]
    assert levels(shop) == {"TEE-BLK-M": (D(10), D(3)), "MUG-350-WHT": (D(5), D(2))}
    assert [ln.allocated_qty for ln in OrderLine.objects.order_by("line_no")] == [D(3), D(2)]
    # each split took one parcel off the rest of the one before
    assert [s.source_shipment for s in made[1:]] == [made[0].parts.get(part=2).shipment_number,
                                                     made[1].parts.get(part=2).shipment_number]


def test_overweight_split_over_the_api(shop, api_as):
    service = api_as("service")
    order = shop["order"]
    r = service.post("/api/v1/orders/carrier-weight-limits", {"carrier": "YTO", "max_kg": "1.0"})
    assert r.status_code == 201, r.json_body
    assert service.get("/api/v1/orders/carrier-weight-limits").json_body[0]["max_kg"] == "1"
    bad = service.post("/api/v1/orders/carrier-weight-limits", {"carrier": "YTO", "max_kg": "0"})
    assert bad.status_code == 422
    r = service.post(f"/api/v1/orders/{order['id']}/split-overweight", {"carrier": "ZTO"})
    assert (r.status_code, r.json_body["code"], r.json_body["field"]) == (422, "no_weight_limit", "carrier")
    # 2 mugs (0.80 kg) in one parcel, 3 T-shirts (0.75 kg) in the other
    r = service.post(f"/api/v1/orders/{order['id']}/split-overweight", {"carrier": "YTO"})
    assert r.status_code == 201, r.json_body
    assert [(s["reason"], [p["lines"] for p in s["shipments"]]) for s in r.json_body] == [
        ("overweight", [[{"line": 2, "sku": "MUG-350-WHT", "qty": "2"}], [{"line": 1, "sku": "TEE-BLK-M", "qty": "3"}]])]
    again = service.post(f"/api/v1/orders/{order['id']}/split-overweight",
                         {"carrier": "YTO", "shipment": r.json_body[0]["shipments"][1]["number"]})
    assert (again.status_code, again.json_body["code"]) == (409, "within_limit")


def test_the_written_out_lock_reads_give_what_the_orm_gives(shop, api_as, django_assert_num_queries):
    """sihe.core.sqlrows: ship_order's reads of the order and of its open or named shipments (issue 18)."""
    from django.db import transaction

    from sihe.oms.fulfilment import _locked_shipments, lock_order, shipments_of

    order = Order.objects.get(pk=shop["order"]["id"])
    r = api_as("service").post(f"/api/v1/orders/{order.pk}/split", {"lines": [{"line": 1, "qty": 1}]})
    assert r.status_code == 201, r.json_body
    channel, partner = order.channel.code, order.partner.code
    with transaction.atomic():
        with django_assert_num_queries(1):
            locked = lock_order(order.pk)
            assert (locked.channel.code, locked.partner.code) == (channel, partner)
        for field in Order._meta.concrete_fields:
            assert getattr(locked, field.attname) == getattr(order, field.attname), field.name
        with django_assert_num_queries(1):
            open_ones = _locked_shipments(order, 's."state" NOT IN (%s, %s)', ["shipped", "cancelled"])
            assert [s.warehouse.code for s in open_ones] == ["SH", "SH"]
        expected = [s for s in shipments_of(order).order_by("pk") if s.state not in ("shipped", "cancelled")]
        assert [(s.pk, s.number, s.state) for s in open_ones] == [(s.pk, s.number, s.state) for s in expected]
        named = _locked_shipments(order, 's."number" = %s', [expected[1].number])
        assert [s.pk for s in named] == [expected[1].pk]
        with pytest.raises(Order.DoesNotExist):
            lock_order(2**62)
    # ship_order's lock brings the settings row along, and the act's later reads of it answer from memory
    from sihe.core import batch
    from sihe.oms.models import ReviewPolicy
    from sihe.oms.settings import policy

    row, _made = ReviewPolicy.objects.update_or_create(pk=settings_row_id(),
                                                       defaults={"amount_limit": Decimal("4321.00")})
    with transaction.atomic(), batch.collect():
        with django_assert_num_queries(1):
            locked = lock_order(order.pk, with_policy=True)
            assert (policy().pk, policy().amount_limit, policy().revenue_at) == (row.pk, Decimal("4321.00"),
                                                                                 row.revenue_at)
        assert not hasattr(locked, "policy") and locked.number == order.number
    ReviewPolicy.objects.all().delete()  # no row yet: the act's first policy() makes one, as before
    with transaction.atomic(), batch.collect():
        lock_order(order.pk, with_policy=True)
        assert policy().amount_limit == ReviewPolicy().amount_limit
    assert ReviewPolicy.objects.count() == 1


def settings_row_id() -> int:
    from sihe.oms.models import ReviewPolicy

    first = ReviewPolicy.objects.order_by("pk").first()
    return first.pk if first is not None else 1
