"""The order list's bulk acts (审核, 合单, hold, release) with a confirmation step and a result per order,
and the 合单 page: candidates, merged shipments with undo, the rules."""

import pytest

from sihe.oms.merging.models import Merge, MergeRule
from sihe.oms.models import Order

from .conftest import take, text

pytestmark = pytest.mark.django_db


def test_bulk_merge_asks_first_then_merges(world, web_as):
    a, b = take(world, "D-8001", 1), take(world, "D-8002", 2)
    service = web_as("service")
    page = text(service.get("/orders/"))
    assert 'id="bulk-form"' in page and f'name="order" value="{a.pk}"' in page and "合单" in page
    confirm = text(service.post("/orders/bulk/", {"act": "merge", "order": [a.pk, b.pk], "next": "/orders/"}))
    assert 'id="bulk-confirm"' in confirm and 'id="bulk-go"' in confirm and "已选 2 个订单" in confirm
    assert Merge.objects.count() == 0  # nothing happens before the confirmation
    done = text(service.post("/orders/bulk/", {"act": "merge", "order": [a.pk, b.pk], "confirm": "1"}))
    record = Merge.objects.get()
    assert "完成：2；被拒：0。" in done and record.number in done
    merges = text(service.get("/orders/merges/"))
    assert record.number in merges and "撤销合单" in merges
    r = service.post("/orders/merges/", {"act": "undo", "merge": record.pk}, follow=True)
    assert "已撤销" in text(r)
    assert Merge.objects.get().status == "undone"


def test_bulk_merge_lists_each_orders_problem_and_offers_no_confirm(world, web_as):
    a = take(world, "D-8101", 1)
    b = take(world, "D-8102", 1, city="宁波市")
    confirm = text(web_as("service").post("/orders/bulk/", {"act": "merge", "order": [a.pk, b.pk]}))
    assert 'id="bulk-blocked"' in confirm and 'id="bulk-go"' not in confirm
    assert "D-8102" in confirm and "收货人或地址不同" in confirm


def test_bulk_hold_and_release_report_per_order(world, web_as):
    a, b = take(world, "D-8201", 1), take(world, "D-8202", 1)
    service = web_as("service")
    done = text(service.post("/orders/bulk/", {"act": "hold", "order": [a.pk, b.pk], "confirm": "1",
                                               "note": "核实地址"}))
    assert "完成：2；被拒：0。" in done
    assert set(Order.objects.values_list("status", flat=True)) == {"held"}
    Order.objects.filter(pk=b.pk).update(status="reviewed")
    done = text(service.post("/orders/bulk/", {"act": "release", "order": [a.pk, b.pk], "confirm": "1"}))
    assert "完成：1；被拒：1。" in done and "未挂起" in done


def test_rules_are_edited_on_the_page_and_a_clerk_may_only_read(world, web_as):
    service = web_as("service")
    r = service.post("/orders/merges/", {"act": "rule", "channel": "dealer", "window_hours": "48", "active": "1",
                                         "note": "经销商两天内合单"}, follow=True)
    assert "合单规则已保存" in text(r)
    assert MergeRule.objects.get().window_hours == 48 and "经销商两天内合单" in text(r)
    assert web_as("warehouse").post("/orders/merges/", {"act": "rule", "window_hours": "1"}).status_code == 403
    assert 'id="rule-form"' not in text(web_as("warehouse").get("/orders/merges/"))
