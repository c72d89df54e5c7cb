"""Credit limits on the pages: the limit on the partner form, an order held over it in the service queue
and on the order page with what to do, released by a manager only and with a note."""

from decimal import Decimal

import pytest
from django.db import transaction

from sihe.catalog import services as catalog
from sihe.oms.models import Order

from .conftest import take, text

D = Decimal
pytestmark = pytest.mark.django_db


def credit_held(world, limit="120.00"):
    """The dealer may owe ¥120; one allocated order of ¥100, then one of ¥50 held over the limit."""
    with transaction.atomic():
        catalog.update_partner(partner=world["dealer"], data={"credit_limit": limit}, actor=world["actor"])
    take(world, "D-1", 2)
    held = take(world, "D-2", 1)
    assert held.hold_reason == Order.Hold.CREDIT
    return held


def test_the_partner_form_edits_the_credit_limit(world, web_as):
    manager = web_as("manager")
    dealer = world["dealer"]
    page = text(manager.get(f"/partners/{dealer.pk}/edit/"))
    assert 'name="credit_limit"' in page and "信用额度" in page
    form = {"name": dealer.name, "kind": "customer", "tax_id": dealer.tax_id, "active": "on", "credit_limit": "8000"}
    assert manager.post(f"/partners/{dealer.pk}/edit/", form).status_code == 302
    dealer.refresh_from_db()
    assert dealer.credit_limit == D("8000.00")
    refused = manager.post(f"/partners/{dealer.pk}/edit/", {**form, "credit_limit": "-1"})
    assert refused.status_code == 422
    dealer.refresh_from_db()
    assert dealer.credit_limit == D("8000.00")


def test_the_service_queue_shows_the_credit_hold_and_who_releases_it(world, web_as):
    held = credit_held(world)
    page = text(web_as("service").get("/orders/exceptions/"))
    row = page[page.index(f'data-order="{held.number}"'):]
    row = row[:row.index("</tr>")]
    assert "超出客户信用额度" in row
    assert "信用占用 150.00（应收未收 0.00 + 未发货订单 100.00 + 本单 50.00）超过信用额度 120.00，超出 30.00" in row
    assert "请客户先付清未结货款，或由经理填写说明审批放行" in row
    assert "需经理审批" in row and "/act/release/" not in row  # customer service cannot release it
    manager_row = text(web_as("manager").get("/orders/exceptions/"))
    manager_row = manager_row[manager_row.index(f'data-order="{held.number}"'):]
    manager_row = manager_row[:manager_row.index("</tr>")]
    assert "/act/release/" in manager_row and "审批放行" in manager_row and "required" in manager_row


def test_the_order_page_shows_the_position_and_a_manager_approves_with_a_note(world, web_as):
    held = credit_held(world)
    service, manager = web_as("service"), web_as("manager")
    page = text(service.get(f"/orders/{held.pk}/"))
    assert 'id="credit"' in page and "信用额度 ¥120.00" in page and "其他未发货订单 ¥100.00" in page
    assert 'id="release"' not in page and "需经理审批" in page
    # customer service posting the release anyway is refused with the reason, nothing changes
    r = service.post(f"/orders/{held.pk}/act/release/", {"reason": "客户催单"}, follow=True)
    assert "只有经理可以放行超出信用额度的订单" in text(r)
    held.refresh_from_db()
    assert held.status == "held"
    # the manager without a note: refused; with one: released and allocated
    page = text(manager.get(f"/orders/{held.pk}/"))
    assert 'id="release"' in page and "审批说明（必填）" in page
    r = manager.post(f"/orders/{held.pk}/act/release/", {"reason": ""}, follow=True)
    assert "审批超出信用额度的订单须填写说明" in text(r)
    r = manager.post(f"/orders/{held.pk}/act/release/", {"reason": "老客户，特批"}, follow=True)
    held.refresh_from_db()
    assert (held.status, held.hold_reason) == ("allocated", "")
    assert "信用额度审批通过（信用占用 ¥150.00，额度 ¥120.00）：老客户，特批" in text(r)
    # the audit trail of the order names the approval
    assert any(a == "approve" for a in held_audit(held))


def held_audit(order):
    from sihe.core.models import AuditEntry

    return list(AuditEntry.objects.filter(object_type="oms.order", object_id=str(order.pk)).values_list("action",
                                                                                                           flat=True))


def test_the_orders_list_filters_credit_holds_in_chinese(world, web_as):
    held = credit_held(world)
    page = text(web_as("service").get("/orders/?hold=credit"))
    assert held.number in page and "超出客户信用额度" in page
