"""Pull and webhook connectors against a real HTTP channel on 127.0.0.1 (no mock inside our code)."""

import base64
import hashlib
import hmac
import json

import pytest

from sihe.oms.models import ChannelSync, IntakeError, Order

from .conftest import load
from .fake_channel import FakeChannel
from .world import build

pytestmark = pytest.mark.django_db


def test_pull_takes_new_orders_keeps_refusals_and_shows_sync_state(api_as):
    build(stock={"SH": 10, "GZ": 10})
    manager = api_as("manager")
    broken = load("douyin")
    broken["data"]["shop_order_list"][0]["order_id"] = "6918000000000000001"
    broken["data"]["shop_order_list"][0]["sku_order_list"][0]["out_sku_id"] = "NOPE-1"
    broken["data"]["shop_order_list"][0]["sku_order_list"][0]["sku_id"] = "99"
    with FakeChannel([load("douyin"), broken]) as feed:
        r = manager.put("/api/v1/channels/dy/sync", {"mode": "pull", "endpoint": feed.url})
        assert r.status_code == 200, r.json_body
        pulled = manager.post("/api/v1/channels/dy/pull")
        assert pulled.status_code == 200, pulled.json_body
        assert pulled.json_body == {"fetched": 2, "created": 1, "updated": 0, "refused": 1, "cursor": "2"}
        # a second pull asks from the cursor on and finds nothing new
        again = manager.post("/api/v1/channels/dy/pull").json_body
        assert again["fetched"] == 0 and feed.requests[-1].startswith("/orders?updated_after=2")
        # the channel is down: the pull fails with the reason, the sync state records it
        feed.fail = True
        down = manager.post("/api/v1/channels/dy/pull")
        assert down.status_code == 422, down.content
        assert down.json_body["code"] == "pull_failed"
    assert Order.objects.count() == 1
    assert IntakeError.objects.get().code == "unknown_sku"
    state = manager.get("/api/v1/channels/dy/sync").json_body
    assert state in manager.get("/api/v1/channel-sync").json_body
    assert (state["mode"], state["orders_in"], state["open_intake_errors"]) == ("pull", 1, 1)
    assert state["last_pull_at"] and state["errors"] == 2 and "503" in state["last_error"]


def test_shopify_webhook_is_taken_only_when_signed():
    build(stock={"SH": 10, "GZ": 10})
    from django.test import Client

    ChannelSync.objects.update_or_create(channel_id=_channel("sp"), defaults={"mode": "webhook", "secret": "s3cret"})
    body = json.dumps(load("shopify")).encode()
    good = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()
    client = Client()
    bad = client.post("/api/v1/channels/sp/webhook", data=body, content_type="application/json",
                      HTTP_X_SHOPIFY_HMAC_SHA256="AAAA")
    assert bad.status_code == 403 and bad.json()["code"] == "bad_signature"
    ok = client.post("/api/v1/channels/sp/webhook", data=body, content_type="application/json",
                     HTTP_X_SHOPIFY_HMAC_SHA256=good)
    assert ok.status_code == 201, ok.json()
    assert Order.objects.get().channel.code == "sp"


def _channel(code):
    from sihe.catalog.models import Channel

    return Channel.objects.get(code=code).pk
