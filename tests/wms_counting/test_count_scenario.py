"""A blind count of zone A: a gain and a loss posted with their vouchers at moving-average cost, a
recount by another person, the reservation untouched, and the inventory record accuracy."""

from decimal import Decimal as D

import pytest

from sihe.core.models import Event
from sihe.costing import services as costing
from sihe.ledger.models import Voucher
from sihe.stock.models import Quant, Reservation, StockMove
from sihe.wms.counting.models import CountLine, CountTask
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_counter(make_user):
    from sihe.core.actor import Actor
    from sihe.hub.tokens import create_token

    user = make_user("warehouse", username="counter2")
    _, token = create_token(user=user, name="t", actor=Actor.system("test"))
    return ApiClient(token)


def test_zone_count_posts_a_gain_and_a_loss_with_vouchers(store, api_as, second_counter):
    manager, counter = api_as("manager"), api_as("warehouse")
    # given a blind count of zone A with recount above 5 units or 25 %
    created = manager.post("/api/v1/wms/counts", {"warehouse": "CW", "zone": "A", "blind": True,
                                                  "recount_qty": "5", "recount_pct": "25"})
    assert created.status_code == 201, created.json_body
    count = created.json_body
    assert count["number"].startswith("PD") and count["scope"] == "zone" and count["lines_total"] == 3
    assert [(ln["location"], ln["sku"], ln["expected"]) for ln in count["lines"]] == [
        ("A-01", "MILK", None), ("A-01", "SOAP", None), ("A-02", "MILK", None)]  # blind: no quantity on record
    url = f"/api/v1/wms/counts/{count['id']}"
    # when the counter finds 5 MILK in A-01 (3 on record: +2, 66 % → recount) ...
    first = counter.post(f"{url}/lines", {"location": "A-01", "barcode": "6901234567892", "qty": "5"})
    assert first.status_code == 201, first.json_body
    assert first.json_body["recount_needed"] is True and first.json_body["state"] == "recount"
    # ... the same person may not recount it
    same = counter.post(f"{url}/lines", {"location": "A-01", "sku": "MILK", "qty": "5"})
    assert same.status_code == 409 and same.json_body["code"] == "recount_by_another_person"
    # ... another counter recounts 5: final
    recount = second_counter.post(f"{url}/lines", {"location": "A-01", "sku": "MILK", "qty": "5"})
    assert recount.status_code == 201 and recount.json_body["recount_needed"] is False
    # ... SOAP matches; A-02 holds 8 MILK of 10 on record (−2, 20 %: no recount)
    assert counter.post(f"{url}/lines", {"location": "A-01", "sku": "SOAP", "qty": "5"}).json_body["state"] == "counted"
    assert counter.post(f"{url}/lines", {"location": "A-02", "sku": "MILK", "qty": "8"}).json_body["state"] == "counted"
    # while open and blind, nobody sees the record or the counts
    assert all(ln["expected"] is None and ln["counted"] is None for ln in counter.get(url).json_body["lines"])
    # when the count is closed (by the warehouse lead, who sees no values: issue 12.8)
    closed = counter.post(f"{url}/close")
    assert closed.status_code == 200, closed.json_body
    assert closed.json_body["gain_value"] is None and closed.json_body["vouchers"] == []
    assert {a["value"] for a in closed.json_body["adjustments"]} == {None}
    assert counter.get(url).json_body["lines"][0]["value"] is None
    body = manager.get(f"{url}/result").json_body  # the manager reads the same result with its values
    # then the loss of 2 goes first at the average 150 / 13: round(23.0769) = 23.08; the gain of 2 at the
    # new average 126.92 / 11 = 11.538181…: round(23.0763) = 23.08
    assert [(a["sku"], a["location"], a["qty"], a["value"]) for a in body["adjustments"]] == [
        ("MILK", "A-02", "-2", "-23.08"), ("MILK", "A-01", "2", "23.08")]
    assert body["gain_value"] == "23.08" and body["loss_value"] == "23.08"
    # with one voucher each: 盘亏 Dr 1901 / Cr 1405, 盘盈 Dr 1405 / Cr 1901
    assert [(v["rule"], [(ln["account"], ln["debit"], ln["credit"]) for ln in v["lines"]]) for v in body["vouchers"]] == [
        ("stock.adjustment.loss", [("1901", "23.08", "0.00"), ("1405", "0.00", "23.08")]),
        ("stock.adjustment.gain", [("1405", "23.08", "0.00"), ("1901", "0.00", "23.08")])]
    assert all(v["status"] == "posted" for v in body["vouchers"]) or all(v["status"] for v in body["vouchers"])
    # and 1 of 3 counted lines matched the record: accuracy 33.33 %
    assert (body["lines_counted"], body["accuracy"]) == (3, "33.33")
    lines = {(ln["location"], ln["sku"]): ln for ln in body["lines"]}
    assert (lines[("A-01", "MILK")]["expected"], lines[("A-01", "MILK")]["first_count"],
            lines[("A-01", "MILK")]["recount"], lines[("A-01", "MILK")]["difference"]) == ("3", "5", "5", "2")
    assert lines[("A-01", "SOAP")]["matched"] is True and lines[("A-02", "MILK")]["matched"] is False
    # stock now: 5 + 8 = 13, value 150.00 again; the reservation of 8 is untouched
    assert Quant.objects.get(location=store["a1"], product=store["milk"]).qty == 5
    assert Quant.objects.get(location=store["a2"], product=store["milk"]).qty == 8
    assert costing.valuation(product=store["milk"], warehouse=store["wh"])["value"] == D("150.00")
    store["reservation"].refresh_from_db()
    assert store["reservation"].state == Reservation.State.ACTIVE and store["reservation"].qty == 8
    assert Quant.objects.get(location=store["a2"], product=store["milk"]).reserved == 8
    assert Event.objects.filter(type="wms.count.closed", aggregate_id=count["number"]).count() == 1


def test_a_count_below_the_reservation_holds_the_reserved_part(store, api_as):
    manager, counter = api_as("manager"), api_as("warehouse")
    # given a count of bin A-02 (10 MILK on record, 8 reserved for SO-1), recount only above 50 units
    count = manager.post("/api/v1/wms/counts", {"warehouse": "CW", "bins": ["A-02"], "recount_qty": "50",
                                                "recount_pct": "100"}).json_body
    url = f"/api/v1/wms/counts/{count['id']}"
    # when only 6 are found and the count is closed
    assert counter.post(f"{url}/lines", {"location": "A-02", "sku": "MILK", "qty": "6"}).status_code == 201
    counter.post(f"{url}/close")
    body = manager.get(f"{url}/result").json_body
    # then only the 2 unreserved are posted as a loss; 2 more are held and the line is flagged
    [line] = body["lines"]
    assert (line["difference"], line["posted"], line["held"], line["below_reserved"]) == ("-4", "-2", "2", True)
    assert [(a["qty"], a["value"]) for a in body["adjustments"]] == [("-2", "-23.08")]
    # and the reservation of 8 stays whole
    quant = Quant.objects.get(location=store["a2"], product=store["milk"])
    assert (quant.qty, quant.reserved) == (8, 8)
    store["reservation"].refresh_from_db()
    assert store["reservation"].state == "active" and store["reservation"].lines.get().open_qty == 8


def test_recount_is_required_before_closing_and_uncounted_lines_refuse_closing(store, api_as):
    manager, counter = api_as("manager"), api_as("warehouse")
    count = manager.post("/api/v1/wms/counts", {"warehouse": "CW", "products": ["SOAP", "JAM"]}).json_body
    url = f"/api/v1/wms/counts/{count['id']}"
    assert count["lines_total"] == 2 and count["recount_qty"] == "5" and count["recount_pct"] == "10"
    # SOAP 5 on record counted 4: −1 is 20 % > 10 % → recount
    assert counter.post(f"{url}/lines", {"location": "A-01", "sku": "SOAP", "qty": "4"}).json_body["recount_needed"]
    refused = counter.post(f"{url}/close")
    assert refused.status_code == 409 and refused.json_body["code"] == "recount_pending"
    # a lot-tracked product needs its lot
    no_lot = counter.post(f"{url}/lines", {"location": "B-01", "sku": "JAM", "qty": "6"})
    assert no_lot.status_code == 422 and no_lot.json_body["field"] == "lot"
    assert counter.post(f"{url}/lines", {"location": "B-01", "sku": "JAM", "lot": "J-1", "qty": "6"}).status_code == 201
    # closing with the SOAP line still waiting is refused; nothing was posted
    assert counter.post(f"{url}/close").status_code == 409
    assert not StockMove.objects.filter(reference=count["number"]).exists()
    assert not Voucher.objects.filter(source_type="stock_move", memo__contains=count["number"]).exists()


def test_uncounted_lines_can_be_skipped_and_a_match_posts_nothing(store, api_as):
    manager, counter = api_as("manager"), api_as("warehouse")
    count = manager.post("/api/v1/wms/counts", {"warehouse": "CW", "zone": "A"}).json_body
    url = f"/api/v1/wms/counts/{count['id']}"
    assert counter.post(f"{url}/lines", {"location": "A-01", "sku": "SOAP", "qty": "5"}).status_code == 201
    refused = counter.post(f"{url}/close")
    assert refused.status_code == 409 and refused.json_body["code"] == "uncounted_lines"
    body = counter.post(f"{url}/close", {"skip_uncounted": True}).json_body
    assert (body["state"], body["lines_counted"], body["accuracy"], body["adjustments"], body["vouchers"]) == \
        ("closed", 1, "100.00", [], [])
    # a closed count takes no more counts
    late = counter.post(f"{url}/lines", {"location": "A-01", "sku": "MILK", "qty": "3"})
    assert late.status_code == 409 and late.json_body["code"] == "invalid_transition"


BAD_COUNTS = [
    ({"warehouse": "NOPE", "zone": "A"}, "warehouse"),
    ({"warehouse": "CW"}, "zone"),
    ({"warehouse": "CW", "zone": "A", "bins": ["A-01"]}, "zone"),
    ({"warehouse": "CW", "zone": "Z"}, "zone"),
    ({"warehouse": "CW", "bins": ["A-01", "X-9"]}, "bins[1]"),
    ({"warehouse": "CW", "products": ["NOPE"]}, "products[0]"),
    ({"warehouse": "CW", "zone": "A", "recount_qty": "-1"}, "recount_qty"),
    ({"warehouse": "CW", "zone": "A", "recount_pct": "abc"}, "recount_pct"),
]


def test_bad_count_requests_name_the_field(store, api_as):
    for payload, field in BAD_COUNTS:
        response = api_as("manager").post("/api/v1/wms/counts", payload)
        assert response.status_code == 422, (payload, response.json_body)
        assert response.json_body["field"] == field, payload
    assert not CountTask.objects.exists()


BAD_ENTRIES = [
    ({"location": "Z-99", "sku": "MILK", "qty": "1"}, 422, "location"),
    ({"location": "A-01", "sku": "NOPE", "qty": "1"}, 422, "sku"),
    ({"location": "A-01", "barcode": "0000000000000", "qty": "1"}, 422, "barcode"),
    ({"location": "A-01", "qty": "1"}, 422, "sku"),
    ({"location": "A-01", "sku": "MILK", "qty": "-1"}, 422, "qty"),
    ({"location": "A-01", "sku": "MILK", "qty": "1.5"}, 422, "qty"),
    ({"location": "A-01", "sku": "MILK", "qty": "x"}, 422, "qty"),
    ({"location": "B-01", "sku": "JAM", "lot": "J-1", "qty": "6"}, 422, "location"),
    ({"location": "A-01", "sku": "SOAP", "lot": "NOPE", "qty": "1"}, 422, "lot"),
    ({"location": "A-01", "sku": "MILK", "barcode": "x", "qty": "1", "extra": 1}, 422, "extra"),
]


def test_bad_count_entries_name_the_field_and_change_nothing(store, api_as):
    count = api_as("manager").post("/api/v1/wms/counts", {"warehouse": "CW", "zone": "A"}).json_body
    for entry, status, field in BAD_ENTRIES:
        response = api_as("warehouse").post(f"/api/v1/wms/counts/{count['id']}/lines", entry)
        assert response.status_code == status, (entry, response.json_body)
        assert response.json_body["field"] == field, entry
    assert api_as("manager").get(f"/api/v1/wms/counts/{count['id']}").json_body["lines_counted"] == 0
    assert not CountLine.objects.filter(task_id=count["id"]).exclude(state="pending").exists()


def test_permissions_and_unknown_counts(store, api_as):
    assert api_as("accountant").post("/api/v1/wms/counts", {"warehouse": "CW", "zone": "A"}).status_code == 403
    count = api_as("manager").post("/api/v1/wms/counts", {"warehouse": "CW", "zone": "A"}).json_body
    assert api_as("accountant").post(f"/api/v1/wms/counts/{count['id']}/lines",
                                     {"location": "A-01", "sku": "SOAP", "qty": "5"}).status_code == 403
    assert api_as("manager").get("/api/v1/wms/counts/999999").status_code == 404
    assert api_as("manager").get(f"/api/v1/wms/counts/{2**70}").status_code in (404, 422)
    listed = api_as("manager").get("/api/v1/wms/counts?state=open").json_body
    assert listed["count"] == 1 and listed["items"][0]["number"] == count["number"]
    assert api_as("manager").get("/api/v1/wms/counts?state=bogus").status_code == 422
