"""The approvals inbox (issue 19): everything waiting for one person — a purchase order at its approval level,
a refund over the limit, an order held over its credit limit, a draft voucher to review, a period reopen —
listed for who may decide it, decided with a note through the owning app's services, which keep their rules
(role, four eyes, the note)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from sihe.catalog import services as catalog
from sihe.catalog.models import Partner
from sihe.core import approvals
from sihe.core.actor import Actor
from sihe.core.models import AuditEntry
from sihe.core.roles import assign_role
from sihe.hub.tokens import create_token
from sihe.ledger import services as ledger
from sihe.ledger.approvals.models import ReopenRequest
from sihe.ledger.models import Period, Voucher
from sihe.oms import services as oms
from sihe.oms.aftersales.models import Case
from sihe.oms.models import Order
from sihe.purchasing import services as purchasing
from sihe.purchasing.models import PurchaseOrder
from tests.conftest import ApiClient
from tests.oms.world import build, dealer_order

D = Decimal
pytestmark = pytest.mark.django_db


def person(role: str, username: str) -> tuple[Actor, ApiClient]:
    user = get_user_model().objects.create_user(username=username, password=None)
    assign_role(user, role)
    _, token = create_token(user=user, name="test", actor=Actor.system("test"))
    return Actor.for_user(user, via="api"), ApiClient(token)


def capital(amount: str):
    return [{"account": "1002", "debit": amount, "summary": "收到投资款", "cash_flow_item": 15},
            {"account": "3001", "credit": amount, "summary": "收到投资款", "partner": "INV1"}]


@pytest.fixture
def waiting(settings):
    """One of each kind waiting: made by `buyer`, `clerk` and `maker`, decided by `boss` and `reviewer`."""
    settings.SIHE_REFUND_APPROVAL_LIMIT = "40.00"
    world = build(stock={"SH": 10})
    people = {name: person(role, name) for name, role in (
        ("buyer", "manager"), ("boss", "manager"), ("clerk", "service"), ("maker", "accountant"),
        ("reviewer", "accountant"))}
    system = world["actor"]
    with transaction.atomic():
        # a refund of ¥50 on a shipped dealer order (limit ¥40)
        shipped = oms.receive_order(channel_code="dealer", body=dealer_order("D-1", 2), actor=system).order
        oms.ship_order(order=shipped, carrier="SF", tracking_no="SF1", actor=system)
    r = people["clerk"][1].post(f"/api/v1/orders/{shipped.pk}/aftersales",
                                {"kind": "refund_only", "lines": [{"line": "TEE-BLK-M", "qty": 1}]})
    assert r.status_code == 201, r.json_body
    with transaction.atomic():
        # the dealer's limit ¥150: ¥100 owed, a ¥100 order is held for credit
        catalog.update_partner(partner=world["dealer"], data={"credit_limit": "150"}, actor=system)
        held = oms.receive_order(channel_code="dealer", body=dealer_order("D-2", 2), actor=system).order
        supplier = Partner.objects.create(code="S01", name="上海乳业有限公司", kind="supplier", province="上海市",
                                          city="上海市")
        po = purchasing.create_order(supplier=supplier, warehouse=world["wh"]["SH"], actor=people["buyer"][0],
                                     lines=[purchasing.OrderLine(product=world["tee"], qty="10000", price="8")])
        purchasing.submit(order=po, actor=people["buyer"][0])
        voucher = ledger.create_voucher(date=datetime.date(2026, 11, 20), lines=capital("1000.00"),
                                        actor=people["maker"][0], memo="投资款")
        ledger.close_period(period="2026-10", actor=system)
    assert Order.objects.get(pk=held.pk).hold_reason == "credit"
    assert PurchaseOrder.objects.get(pk=po.pk).status == "pending_approval"
    return {"people": people, "po": po, "held": held, "voucher": voucher, "case": Case.objects.get()}


def kinds_of(client: ApiClient) -> list[tuple[str, str]]:
    r = client.get("/api/v1/approvals")
    assert r.status_code == 200, r.json_body
    assert r.json_body["count"] == len(r.json_body["items"])
    return [(i["kind"], i["number"]) for i in r.json_body["items"]]


def test_each_person_sees_what_waits_for_them_and_decides_it_with_a_note(waiting):
    people, po, held, voucher, case = (waiting[k] for k in ("people", "po", "held", "voucher", "case"))
    boss, reviewer, maker, buyer = (people[n][1] for n in ("boss", "reviewer", "maker", "buyer"))
    # an accountant asks to reopen October; the reopen waits for a manager
    r = maker.post("/api/v1/ledger/reopen-requests", {"period": "2026-10", "reason": "补录10月运费发票"})
    assert r.status_code == 201, r.json_body
    request_id = str(r.json_body["id"])
    # the boss sees the PO (level 1, ¥90,400 tax incl.), the refund of ¥50, the credit hold of ¥100, the reopen
    items = {i["kind"]: i for i in boss.get("/api/v1/approvals").json_body["items"]}
    assert set(items) == {"purchase_order", "refund", "credit_hold", "period_reopen"}
    assert (items["purchase_order"]["number"], D(items["purchase_order"]["amount"])) == (po.number, D("90400.00"))
    assert D(items["refund"]["amount"]) == D("50.00") and items["refund"]["requested_by"] == "clerk"
    assert D(items["credit_hold"]["amount"]) == D("100.00")
    assert items["period_reopen"]["number"] == "2026-10"
    # the buyer (maker of the PO) does not see his own order; the reviewer sees only the voucher; its maker nothing
    assert ("purchase_order", po.number) not in kinds_of(buyer)
    assert kinds_of(reviewer) == [("voucher_review", voucher.display_number)]
    assert kinds_of(maker) == []
    # four eyes hold through the inbox too: the maker cannot review her own voucher, the buyer not approve
    r = maker.post(f"/api/v1/approvals/voucher_review/{voucher.pk}/approve", {"note": ""})
    assert (r.status_code, r.json_body["code"]) == (409, "reviewer_is_maker")
    r = buyer.post(f"/api/v1/approvals/purchase_order/{po.pk}/approve", {"note": "ok"})
    assert (r.status_code, r.json_body["code"]) == (403, "own_order")
    r = maker.post(f"/api/v1/approvals/period_reopen/{request_id}/approve", {"note": ""})
    assert r.status_code == 403  # an accountant may not grant a reopen (ledger.approve_reopen)
    # refusing without a note is refused and changes nothing
    r = boss.post(f"/api/v1/approvals/refund/{case.pk}/refuse", {"note": ""})
    assert (r.status_code, r.json_body["field"]) == (422, "note")
    assert Case.objects.get(pk=case.pk).status == "pending_approval"
    # the boss decides: PO approved, refund approved, credit released, reopen granted
    for kind, pk in (("purchase_order", po.pk), ("refund", case.pk), ("credit_hold", held.pk),
                     ("period_reopen", request_id)):
        r = boss.post(f"/api/v1/approvals/{kind}/{pk}/approve", {"note": "同意：老客户"})
        assert r.status_code == 200, (kind, r.json_body)
    assert r.json_body["pending"] == 0
    assert PurchaseOrder.objects.get(pk=po.pk).status == "approved"
    assert (Case.objects.get(pk=case.pk).status, Case.objects.get(pk=case.pk).decided_note) == ("open", "同意：老客户")
    assert Order.objects.get(pk=held.pk).status == "allocated"
    assert Period.objects.get(code="2026-10").status == "open"
    assert ReopenRequest.objects.get().status == "approved"
    assert AuditEntry.objects.filter(action="approve", object_id=str(po.pk), new_value__contains="同意：老客户").exists()
    assert kinds_of(boss) == []
    # the reviewer sends the voucher back: it leaves her queue, and comes back once its maker edits it
    r = reviewer.post(f"/api/v1/approvals/voucher_review/{voucher.pk}/refuse", {"note": "缺附件"})
    assert r.status_code == 200, r.json_body
    assert kinds_of(reviewer) == [] and Voucher.objects.get(pk=voucher.pk).status == "draft"
    with transaction.atomic():
        maker_now = Actor(user_id=people["maker"][0].user_id, username="maker", role="accountant")  # acts later
        ledger.update_voucher(voucher=voucher, actor=maker_now, memo="投资款（附银行回单）")
    assert kinds_of(reviewer) == [("voucher_review", voucher.display_number)]
    r = reviewer.post(f"/api/v1/approvals/voucher_review/{voucher.pk}/approve", {"note": ""})
    assert r.status_code == 200 and Voucher.objects.get(pk=voucher.pk).reviewed_by == "reviewer"


def test_refusals_go_through_each_apps_service(waiting):
    people, po, held, case = (waiting[k] for k in ("people", "po", "held", "case"))
    boss = people["boss"][1]
    r = boss.post(f"/api/v1/approvals/purchase_order/{po.pk}/refuse", {"note": "价格太高，重新询价"})
    assert r.status_code == 200, r.json_body
    assert PurchaseOrder.objects.get(pk=po.pk).status == "draft"  # back to the buyer
    r = boss.post(f"/api/v1/approvals/credit_hold/{held.pk}/refuse", {"note": "先回款"})
    assert r.status_code == 200, r.json_body
    assert Order.objects.get(pk=held.pk).status == "cancelled"
    r = boss.post(f"/api/v1/approvals/refund/{case.pk}/refuse", {"note": "超出售后期"})
    assert (r.status_code, Case.objects.get(pk=case.pk).status) == (200, "rejected")
    # a second decision on the same item is refused by the app, naming why
    r = boss.post(f"/api/v1/approvals/refund/{case.pk}/approve", {"note": ""})
    assert r.status_code == 409
    r = boss.post("/api/v1/approvals/nothing/1/approve", {"note": ""})
    assert (r.status_code, r.json_body["code"]) == (404, "unknown_kind")
    # asking to reopen: once per period, a closed one; refused, the period stays closed
    r = boss.post("/api/v1/ledger/reopen-requests", {"period": "2026-10", "reason": "补录"})
    assert r.status_code == 403  # asking is an accountant's (ledger.close)
    maker = people["maker"][1]
    maker = people["maker"][1]
    r = maker.post("/api/v1/ledger/reopen-requests", {"period": "2026-10", "reason": "补录"})
    assert r.status_code == 201
    request_id = r.json_body["id"]
    r = maker.post("/api/v1/ledger/reopen-requests", {"period": "2026-10", "reason": "补录"})
    assert (r.status_code, r.json_body["code"]) == (409, "already_requested")
    r = maker.post("/api/v1/ledger/reopen-requests", {"period": "2026-11", "reason": "补录"})
    assert (r.status_code, r.json_body["code"]) == (409, "period_open")
    r = boss.post(f"/api/v1/approvals/period_reopen/{request_id}/refuse", {"note": "不同意"})
    assert r.status_code == 200 and Period.objects.get(code="2026-10").status == "closed"
    assert ReopenRequest.objects.get().note == "不同意"


def test_the_registry_lists_every_kind_once():
    assert [k.code for k in approvals.kinds()] == ["purchase_order", "refund", "credit_hold", "voucher_review",
                                                   "period_reopen"]
