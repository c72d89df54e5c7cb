"""Credit limits (issue 16, B2B sales): a dealer order that takes its customer's exposure (open
receivables + orders not yet shipped + this order) over the credit limit is held (`credit`) until a
manager approves it with a note; then it allocates as usual."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from sihe.catalog import services as catalog
from sihe.catalog.validation import clean_partner
from sihe.core.actor import Actor
from sihe.core.errors import PermissionDenied, ValidationFailed
from sihe.core.models import AuditEntry, Event
from sihe.oms import review, services
from sihe.oms.models import Order

from .world import build, dealer_order

D = Decimal
pytestmark = pytest.mark.django_db
MANAGER = Actor(user_id=None, username="boss", role="manager", via="web")
CLERK = Actor(user_id=None, username="clerk", role="service", via="web")


def take(world, order_id: str, qty: int, price: str = "50.00") -> Order:
    return services.receive_order(channel_code="dealer", body=dealer_order(order_id, qty, price),
                                  actor=world["actor"]).order


def limit(world, amount) -> None:
    with transaction.atomic():
        catalog.update_partner(partner=world["dealer"], data={"credit_limit": amount}, actor=world["actor"])
    world["dealer"].refresh_from_db()


def release(order: Order, actor: Actor, note: str = "") -> Order:
    with transaction.atomic():
        services.release_order(order=order, actor=actor, note=note)
    order.refresh_from_db()
    return order


def test_story_a_dealer_order_over_its_credit_limit_waits_for_a_manager():
    # given a dealer with a credit limit of ¥250, one order shipped (¥100 owed) and one allocated (¥100)
    world = build(stock={"SH": 10, "GZ": 0})
    limit(world, "250")
    shipped = take(world, "D-1", 2)
    services.ship_order(order=shipped, carrier="SF", tracking_no="SF1", actor=world["actor"])
    waiting = take(world, "D-2", 2)
    assert waiting.status == Order.Status.ALLOCATED
    position = review.credit(world["dealer"])
    assert (position.limit, position.receivable, position.unshipped, position.available) == (
        D("250.00"), D("100.00"), D("100.00"), D("50.00"))
    # when a third order of ¥100 comes in (exposure 300 > 250)
    order = take(world, "D-3", 2)
    # then it is held for credit, the detail saying exposure and limit in Chinese, nothing reserved
    assert (order.status, order.hold_reason) == (Order.Status.HELD, Order.Hold.CREDIT)
    assert order.hold_detail == ("信用占用 300.00（应收未收 100.00 + 未发货订单 100.00 + 本单 100.00）"
                                 "超过信用额度 250.00，超出 50.00")
    assert order.lines.get().allocated_qty == 0
    assert order.timeline.get(kind="held").message.startswith("订单挂起：超出客户信用额度（信用占用 300.00")
    # customer service may not release it; a manager must give a note
    with pytest.raises(PermissionDenied) as refused:
        release(order, CLERK, "客户说会付款")
    assert refused.value.code == "credit_approval_required"
    with pytest.raises(ValidationFailed) as no_note:
        release(order, MANAGER, "  ")
    assert (no_note.value.field, no_note.value.code) == ("reason", "note_required")
    order.refresh_from_db()
    assert order.status == Order.Status.HELD
    # when the manager approves it with a note
    order = release(order, MANAGER, "老客户，月底回款")
    # then it is allocated as usual; timeline, audit trail and an event record the approval
    assert order.status == Order.Status.ALLOCATED and order.lines.get().allocated_qty == 2
    approved = order.timeline.get(kind="credit_approved")
    assert approved.message == "信用额度审批通过（信用占用 ¥300.00，额度 ¥250.00）：老客户，月底回款"
    assert approved.actor == "boss"
    acts = set(AuditEntry.objects.filter(object_type="oms.order", object_id=str(order.pk))
               .values_list("action", flat=True))
    assert {"approve", "oms.order.release"} <= acts
    event = Event.objects.get(type="oms.order.credit_approved")
    assert event.payload["limit"] == "250.00" and event.payload["exposure"] == "300.00"
    # and a later hold and release of the approved order does not ask for credit again
    with transaction.atomic():
        services.hold_order(order=order, actor=CLERK, detail="客户要求改期")
    order = release(Order.objects.get(pk=order.pk), CLERK)
    assert order.status == Order.Status.ALLOCATED


def test_money_received_makes_room_again():
    world = build(stock={"SH": 10, "GZ": 0})
    limit(world, "150.00")
    first = take(world, "D-1", 2)
    services.ship_order(order=first, carrier="SF", tracking_no="SF1", actor=world["actor"])
    second = take(world, "D-2", 2)
    assert second.hold_reason == Order.Hold.CREDIT  # 100 owed + 100 > 150
    with transaction.atomic():
        services.cancel_order(order=second, actor=CLERK, reason="客户先回款")
        services.record_settlement(order=first, kind="bank", amount="100.00", actor=world["actor"])
    assert review.credit(world["dealer"]).exposure == D("0.00")
    assert take(world, "D-3", 3).status == Order.Status.ALLOCATED  # 150 ≤ 150


def test_held_and_cancelled_orders():
    world = build(stock={"SH": 10, "GZ": 0})
    limit(world, "150.00")
    held = take(world, "D-1", 4)  # 200 > 150 on its own
    assert held.hold_reason == Order.Hold.CREDIT
    # an order held for credit still counts as an open order of the customer
    assert review.credit(world["dealer"]).unshipped == D("200.00")
    assert take(world, "D-2", 1).hold_reason == Order.Hold.CREDIT
    # a cancelled order counts nothing
    with transaction.atomic():
        services.cancel_order(order=held, actor=CLERK, reason="客户取消")
    assert review.credit(world["dealer"]).unshipped == D("50.00")
    assert take(world, "D-3", 2).status == Order.Status.ALLOCATED  # 50 + 100 = 150: at the limit is within


def test_no_limit_holds_nothing():
    world = build(stock={"SH": 10, "GZ": 0})
    assert review.credit(world["dealer"]).available is None
    assert take(world, "D-1", 8).status == Order.Status.ALLOCATED
    limit(world, "0")  # 0 is no limit
    assert world["dealer"].credit_limit == D("0.00") and review.credit(world["dealer"]).limit is None
    assert take(world, "D-2", 1).status == Order.Status.ALLOCATED
    # any limit above 0 counts
    limit(world, "1")
    assert take(world, "D-3", 1).hold_reason == Order.Hold.CREDIT


def test_other_holds_are_released_by_customer_service_as_before():
    world = build(stock={"SH": 10, "GZ": 0})
    order = take(world, "D-1", 1)
    with transaction.atomic():
        services.hold_order(order=order, actor=CLERK, detail="核对地址")
    assert release(Order.objects.get(pk=order.pk), CLERK).status == Order.Status.ALLOCATED


def test_the_credit_limit_is_cleaned_like_every_master_field():
    base = {"code": "C-2", "name": "经销商", "kind": "customer"}
    assert clean_partner({**base, "credit_limit": "5000"})[0]["credit_limit"] == D("5000")
    assert clean_partner({**base, "credit_limit": ""})[0]["credit_limit"] is None
    for bad in ("-1", "1.001", "abc", "1e15"):
        problems = clean_partner({**base, "credit_limit": bad})[1]
        assert [field for field, _ in problems] == ["credit_limit"], bad


def test_api_sets_the_limit_reads_the_credit_and_releases_with_approval(api_as):
    world = build(stock={"SH": 10, "GZ": 0})
    manager, clerk = api_as("manager"), api_as("service")
    # the limit is a field of the partner
    assert clerk.patch("/api/v1/partners/C-DEALER-01", {"credit_limit": "120"}).status_code == 403
    response = manager.patch("/api/v1/partners/C-DEALER-01", {"credit_limit": "120.00"})
    assert response.status_code == 200 and response.json_body["credit_limit"] == "120.00"
    assert manager.patch("/api/v1/partners/C-DEALER-01", {"credit_limit": "-5"}).status_code == 422
    assert manager.get("/api/v1/partners/C-DEALER-01").json_body["credit_limit"] == "120.00"
    first = take(world, "D-1", 2)
    # the customer's credit
    credit = clerk.get("/api/v1/partners/C-DEALER-01/credit")
    assert credit.status_code == 200
    assert credit.json_body == {"code": "C-DEALER-01", "limit": "120.00", "exposure": "100.00",
                                "receivable": "0.00", "unshipped": "100.00", "available": "20.00"}
    assert api_as("warehouse").get("/api/v1/partners/C-DEALER-01/credit").status_code == 403
    assert manager.get("/api/v1/partners/NOPE/credit").status_code == 404
    # an order over it is held; the release endpoint wants a manager and a note
    held = take(world, "D-2", 1)
    assert held.hold_reason == "credit"
    answer = clerk.post(f"/api/v1/orders/{held.number}/release", {"reason": "ok"})
    assert (answer.status_code, answer.json_body["code"]) == (403, "credit_approval_required")
    answer = manager.post(f"/api/v1/orders/{held.number}/release", {})
    assert (answer.status_code, answer.json_body["field"]) == (422, "reason")
    answer = manager.post(f"/api/v1/orders/{held.number}/release", {"reason": "先发货"})
    assert answer.status_code == 200 and answer.json_body["status"] == "allocated"
    assert any(t["kind"] == "credit_approved" for t in answer.json_body["timeline"])
    assert first.pk != held.pk
    # the order list filters by the new hold reason
    assert manager.get("/api/v1/orders?hold=credit").json_body["count"] == 0


@pytest.mark.postgres_only
@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="needs real parallel PostgreSQL connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_orders_of_one_dealer_do_not_both_fit_the_same_room(parallel):
    # given room for one order of ¥100 (limit 150) and 6 orders of ¥100 arriving at once
    world = build(stock={"SH": 20, "GZ": 0})
    limit(world, "150.00")
    results = parallel(lambda i: services.receive_order(channel_code="dealer", body=dealer_order(f"P-{i}", 2),
                                                         actor=Actor.system(f"t{i}")).order.status, 6)
    # then exactly one is allocated, the others wait for a manager
    assert sorted(map(str, results)) == ["allocated"] + ["held"] * 5
    assert Order.objects.filter(hold_reason=Order.Hold.CREDIT).count() == 5
