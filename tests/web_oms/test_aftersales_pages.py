"""The service team's after-sales pages: a refund-only case opened from the order page, the queue by
deadline with the late ones marked, approval over the limit by a manager, the refund from the queue."""

from decimal import Decimal

import pytest

from sihe.oms.aftersales.models import Case
from sihe.oms.models import Order

from .conftest import take, text

D = Decimal
pytestmark = pytest.mark.django_db


def shipped(world, web_as, number="D-7001", qty=2):
    order = take(world, number, qty)
    r = web_as("warehouse").post(f"/orders/{order.pk}/act/ship/", {"carrier": "SF", "tracking_no": "SF7"})
    assert r.status_code == 302
    return order


def test_open_from_the_order_page_refund_from_the_queue(world, web_as, clock):
    order = shipped(world, web_as)
    service = web_as("service")
    page = text(service.get(f"/orders/{order.pk}/"))
    assert 'id="refund-form"' in page and "申请售后" in page and "退货退款" in page
    line = order.lines.get()
    r = service.post(f"/orders/{order.pk}/aftersales/", {"line": line.pk, "qty": "1", "reason": "包装破损",
                                                          "refund_via": "platform"}, follow=True)
    assert "已建售后单 AS" in text(r) and "处理中" in text(r)
    case = Case.objects.get()
    queue = text(service.get("/orders/aftersales/"))
    assert case.number in queue and "包装破损" in queue and "剩余 48 小时" in queue
    clock.advance(hours=50)
    late = text(service.get("/orders/aftersales/?overdue=1"))
    assert case.number in late and "已超时 2 小时" in late
    r = service.post(f"/orders/aftersales/{case.pk}/refund/", {"next": "/orders/aftersales/"}, follow=True)
    assert f"{case.number} 已退款 ¥50.00" in text(r)
    assert Order.objects.get(pk=order.pk).revenue_total == D("50.00")
    assert "退款 ¥50.00" in text(service.get(f"/orders/{order.pk}/"))  # the order's timeline says so


def test_over_the_limit_the_manager_approves_and_others_may_not(world, web_as, settings):
    settings.SIHE_REFUND_APPROVAL_LIMIT = "40"
    order = shipped(world, web_as, "D-7002")
    service, manager = web_as("service"), web_as("manager")
    line = order.lines.get()
    service.post(f"/orders/{order.pk}/aftersales/", {"line": line.pk, "qty": "2"})
    case = Case.objects.get()
    assert case.status == "pending_approval" and case.refund_amount == D("100.00")
    queue = text(service.get("/orders/aftersales/"))
    assert "待审批" in queue and f"/orders/aftersales/{case.pk}/approve/" not in queue
    assert service.post(f"/orders/aftersales/{case.pk}/approve/").status_code == 403
    assert web_as("warehouse").post(f"/orders/aftersales/{case.pk}/refund/").status_code == 403
    r = manager.post(f"/orders/aftersales/{case.pk}/approve/", {"note": "老客户"}, follow=True)
    assert "处理中" in text(r)
    case.refresh_from_db()
    assert case.status == "open" and case.decided_note == "老客户"


def test_a_bad_quantity_is_said_next_to_nothing_changed(world, web_as):
    order = shipped(world, web_as, "D-7003", qty=1)
    line = order.lines.get()
    r = web_as("service").post(f"/orders/{order.pk}/aftersales/", {"line": line.pk, "qty": "3"}, follow=True)
    assert "lines[0].qty" in text(r) and Case.objects.count() == 0
