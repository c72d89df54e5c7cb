"""`/orders/channels/` and the stock pushed back to the shops: per channel the safety stock, the share, the
last push and the pending and failed counts; per SKU the last pushed figure; a manager sets the stock rules."""

from decimal import Decimal

import pytest
from django.db import transaction

from sihe.core.models import Event
from sihe.oms import stockpush
from sihe.oms.models import AtpPush, ChannelSync
from tests.oms.test_atp_push import Shop

from .conftest import text

pytestmark = pytest.mark.django_db


def _row(page: str, channel: str) -> str:
    return page.split(f'data-channel="{channel}"')[1].split("</tr>")[0]


def _detail(page: str, channel: str) -> str:
    return page.split(f'id="ch-{channel}"')[1].split("</details>")[0]


def _enqueue():
    for event in Event.objects.filter(type="oms.atp.changed").order_by("id"):
        with transaction.atomic():
            stockpush.on_atp_changed(event)


def test_a_manager_sets_safety_stock_and_share_and_sees_what_was_pushed(world, web_as, settings):
    settings.SIHE_WEBHOOK_BACKOFF_SECONDS = 10
    stockpush._buckets.clear()
    manager = web_as("manager")
    page = text(manager.get("/orders/channels/"))
    assert '<td class="num share">100%</td>' in _row(page, "tb")
    assert "no-endpoint" in _detail(page, "tb")   # nothing pushed without a stock endpoint
    with Shop(statuses=(200, 503)) as shop:
        # when the manager keeps 1 unit back and shows half of the rest on Taobao
        r = manager.post("/orders/channels/", {"channel": "tb", "safety_stock": "1", "share_percent": "50",
                                               "stock_endpoint": shop.url, "push_per_second": "50"}, follow=True)
        assert 'class="msg success"' in text(r)
        sync = ChannelSync.objects.get(channel__code="tb")
        assert (sync.safety_stock, sync.share_percent, sync.stock_endpoint) == (Decimal(1), 50, shop.url)
        row = _row(text(r), "tb")
        assert '<td class="num safety">1</td>' in row and '<td class="num share">50%</td>' in row
        assert '<td class="num pending">0</td>' in row   # queued by the worker's handler, not yet
        _enqueue()
        page = text(manager.get("/orders/channels/"))
        assert '<td class="num pending">1</td>' in _row(page, "tb")
        assert '<td class="num to-push">1</td>' in _detail(page, "tb")  # 4 on hand − 1 = 3, × 50 % = 1
        stockpush.push_due()
        page = text(manager.get("/orders/channels/"))
        row, detail = _row(page, "tb"), _detail(page, "tb")
        assert '<td class="nowrap last-push">—</td>' not in row and '<td class="num failed">0</td>' in row
        assert 'data-sku="TEE-BLK-M"' in detail and '<td class="num pushed">1</td>' in detail
        assert shop.received[0]["body"]["quantity"] == "1"
        # the figure changes, the shop is down: retrying, then given up and shown as failed
        r = manager.post("/orders/channels/", {"channel": "tb", "safety_stock": "0", "share_percent": "100",
                                               "stock_endpoint": shop.url, "push_per_second": "50"})
        assert r.status_code == 302
        _enqueue()
        stockpush.push_due()
        page = text(manager.get("/orders/channels/"))
        assert "重试中" in _row(page, "tb") or "retrying" in _row(page, "tb")
        AtpPush.objects.update(status="failed")
        page = text(manager.get("/orders/channels/"))
        assert '<td class="num failed short">1</td>' in _row(page, "tb")
        assert 'class="btn small secondary retry"' in _detail(page, "tb") and "HTTP 503" in _detail(page, "tb")
        r = manager.post("/orders/channels/", {"channel": "tb", "action": "retry"}, follow=True)
        assert 'class="msg success"' in text(r)
        assert AtpPush.objects.get().status == "pending"


def test_bad_settings_are_shown_and_only_managers_change_them(world, web_as):
    manager = web_as("manager")
    r = manager.post("/orders/channels/", {"channel": "tb", "safety_stock": "1", "share_percent": "150",
                                           "stock_endpoint": "", "push_per_second": "2"})
    assert r.status_code == 200 and 'class="msg error"' in text(r) and "share_percent" in text(r)
    assert not ChannelSync.objects.filter(channel__code="tb", share_percent=150).exists()
    assert manager.post("/orders/channels/", {"channel": "nope"}).status_code == 404
    accountant = web_as("accountant")   # may read orders, not change channels
    assert accountant.get("/orders/channels/").status_code == 200
    assert 'class="inline-form stock-settings"' not in text(accountant.get("/orders/channels/"))
    assert accountant.post("/orders/channels/", {"channel": "tb", "share_percent": "10"}).status_code == 403
    assert ChannelSync.objects.filter(channel__code="tb").first() is None
