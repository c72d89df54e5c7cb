"""Stock back to the shops (issue 16, O5): ATP per channel with a safety stock and a share, queued per
(channel, SKU), pushed to a real shop endpoint on 127.0.0.1 by the pusher — signed, rate-limited, retried."""

import hashlib
import hmac
import io
import json
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction

from sihe.catalog.models import Product, Uom
from sihe.core.errors import ValidationFailed
from sihe.core.models import AuditEntry, Event
from sihe.hub import dispatcher
from sihe.oms import atp, connectors, stockpush
from sihe.oms.models import AtpPush, ChannelSync
from sihe.oms.stockpush import TokenBucket

from .world import build, dealer_order

pytestmark = pytest.mark.django_db
D = Decimal
SECRET = "shop-s3cret"


class Shop:
    """A shop's stock endpoint: records every POST (body, signature check) and answers `statuses` in turn
    (the last one repeats)."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.received: list[dict] = []
        self.lock = threading.Lock()
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with shop.lock:
                    shop.received.append({"body": json.loads(body), "headers": dict(self.headers),
                                          "signed": hmac.compare_digest(self.headers.get("X-Sihe-Signature", ""), expected)})
                    status = shop.statuses[min(len(shop.received) - 1, len(shop.statuses) - 1)]
                answer = b'{"ok": true}' if status < 300 else b'{"error": "busy"}'
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stock"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def figures(self) -> list[tuple[str, str, str]]:
        with self.lock:
            return [(r["body"]["channel"], r["body"]["sku"], r["body"]["quantity"]) for r in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


_seen = {"id": 0}


@pytest.fixture
def push_settings(settings):
    settings.SIHE_WEBHOOK_MAX_ATTEMPTS = 3
    settings.SIHE_WEBHOOK_BACKOFF_SECONDS = 10
    settings.SIHE_WEBHOOK_TIMEOUT_SECONDS = 5
    stockpush._buckets.clear()  # a fresh rate limit per test
    _seen["id"] = 0
    return settings


def configure(world, code="tb", **kw):
    with transaction.atomic():
        return connectors.configure(channel=world["channels"][code], actor=world["actor"], **kw)


def publish(world, skus=("TEE-BLK-M",)):
    with transaction.atomic():
        atp.publish(list(skus), world["actor"])


def enqueue_events() -> None:
    """What the hub's handler does with every new oms.atp.changed event."""
    for event in Event.objects.filter(type="oms.atp.changed", id__gt=_seen["id"]).order_by("id"):
        with transaction.atomic():
            stockpush.on_atp_changed(event)
        _seen["id"] = event.id


def test_atp_is_the_share_of_the_free_stock_after_the_safety_stock_in_whole_units():
    assert atp.figure(D(10), safety=D(2), share_percent=50) == D(4)
    assert atp.figure(D(7), safety=D(0), share_percent=33) == D(2)          # 2.31 → 2
    assert atp.figure(D("7.5"), safety=D(0), share_percent=100) == D(7)     # shops show whole units
    assert atp.figure(D(3), safety=D(5), share_percent=100) == D(0)         # never below 0
    assert atp.figure(D(9), safety=D(0), share_percent=0) == D(0)
    world = build(stock={"SH": 5, "GZ": 2})
    configure(world, "tb", safety_stock="1", share_percent=50)
    configure(world, "dy", share_percent=30)
    figures = atp.atp(["TEE-BLK-M"])
    assert {code: figures[code]["TEE-BLK-M"] for code in figures} == {"dealer": D(7), "dy": D(2), "sp": D(7), "tb": D(3)}
    sync = ChannelSync.objects.get(channel__code="tb")
    assert (sync.safety_stock, sync.share_percent) == (D(1), 50)
    assert {(a.field, a.new_value) for a in AuditEntry.objects.filter(object_type="oms.channelsync", action="update",
                                                                       object_id=str(sync.pk))} >= {
        ("safety_stock", "1"), ("share_percent", "50")}
    assert Event.objects.filter(type="oms.channel.configured", aggregate_id__in=["tb", "dy"]).count() == 2


def test_bad_settings_are_refused_naming_the_field():
    world = build(stock={"SH": 1})
    for kw, field in (({"share_percent": "12.5"}, "share_percent"), ({"share_percent": 101}, "share_percent"),
                      ({"safety_stock": "-1"}, "safety_stock"), ({"stock_endpoint": "ftp://x"}, "stock_endpoint"),
                      ({"push_per_second": "0"}, "push_per_second"), ({"share_percent": "abc"}, "share_percent")):
        with pytest.raises(ValidationFailed) as refused:
            configure(world, **kw)
        assert refused.value.field == field, kw
    assert not ChannelSync.objects.filter(channel__code="tb").exists()  # a refused act changes nothing


def test_a_burst_of_stock_changes_is_one_row_pushed_once_with_the_newest_figure(push_settings):
    world = build(stock={"SH": 5, "GZ": 2})
    with Shop() as shop:
        configure(world, "tb", stock_endpoint=shop.url, secret=SECRET, push_per_second="100")   # queues every SKU's figure: 7
        for n in range(3):   # three orders of one unit each: 6, 5, 4
            with transaction.atomic():
                from sihe.oms import services

                services.receive_order(channel_code="dealer", body=dealer_order(f"B-{n}", 1), actor=world["actor"])
            publish(world)
        enqueue_events()
        row = AtpPush.objects.get()
        assert (row.channel.code, row.product.sku, row.quantity, row.status) == ("tb", "TEE-BLK-M", D(4), "pending")
        result = stockpush.push_due()
        assert (result.pushed, result.failed) == (1, 0)
        assert shop.figures() == [("tb", "TEE-BLK-M", "4")]
        sent = shop.received[0]
        assert sent["signed"] and sent["body"]["outer_id"] == "TEE-BLK-M"
        assert sent["body"]["channel_skus"] == ["MUG-350-WHT", "SK-002-WHT", "TS-001-M-BLK"]
        row.refresh_from_db()
        assert (row.status, row.pushed_quantity, row.attempts) == ("pushed", D(4), 0) and row.pushed_at
        # the same figure again is not pushed again; channels without a stock endpoint queue nothing
        publish(world)
        enqueue_events()
        assert stockpush.push_due().work == 0
        assert AtpPush.objects.count() == 1 and shop.figures() == [("tb", "TEE-BLK-M", "4")]


def test_a_failed_push_is_retried_with_backoff_then_given_up_and_retried_by_a_person(push_settings, clock):
    world = build(stock={"SH": 5})
    with Shop(statuses=(503, 503, 503, 200)) as shop:
        configure(world, "tb", stock_endpoint=shop.url, secret=SECRET, push_per_second="100")
        enqueue_events()
        t0 = clock.now()
        assert stockpush.push_due(now=t0).failed == 1
        row = AtpPush.objects.get()
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, t0 + timedelta(seconds=10))
        assert row.last_error.startswith("HTTP 503") and row.last_status_code == 503 and row.pushed_at is None
        assert stockpush.push_due(now=t0 + timedelta(seconds=9)).work == 0   # not due yet
        assert stockpush.push_due(now=t0 + timedelta(seconds=10)).failed == 1
        row.refresh_from_db()
        assert (row.attempts, row.next_attempt_at) == (2, t0 + timedelta(seconds=30))  # 10 s, then 20 s
        assert stockpush.push_due(now=t0 + timedelta(seconds=30)).gave_up == 1
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("failed", 3)
        assert stockpush.states()["tb"] == {"last_push_at": None, "pending": 0, "retrying": 0, "failed": 1, "skus": 1}
        # the same figure published again stays failed; a manager retries it
        publish(world)
        enqueue_events()
        assert AtpPush.objects.get().status == "failed"
        with transaction.atomic():
            assert stockpush.retry_failed(channel=world["channels"]["tb"], actor=world["actor"]) == 1
        assert stockpush.push_due(now=t0 + timedelta(seconds=31)).pushed == 1
        row.refresh_from_db()
        assert (row.status, row.pushed_quantity, row.last_error) == ("pushed", D(5), "")
        assert len(shop.received) == 4


def test_a_figure_that_changes_while_its_push_is_on_the_way_is_pushed_again(push_settings):
    world = build(stock={"SH": 5})
    with Shop() as shop:
        configure(world, "tb", stock_endpoint=shop.url, push_per_second="100")
        enqueue_events()
        claims, _held, _wait = stockpush.claim()
        with transaction.atomic():   # the stock changes while the POST is out
            stockpush.enqueue(channel=world["channels"]["tb"], figures={"TEE-BLK-M": D(3)})
        stockpush.record([(claims[0], stockpush.send(claims[0]))])
        row = AtpPush.objects.get()
        assert (row.status, row.quantity, row.pushed_quantity) == ("pending", D(3), D(5))
        assert "X-Sihe-Signature" not in shop.received[0]["headers"]   # no secret: not signed
        assert stockpush.push_due().pushed == 1
        assert shop.figures() == [("tb", "TEE-BLK-M", "5"), ("tb", "TEE-BLK-M", "3")]
        assert AtpPush.objects.get().status == "pushed"


def test_the_rate_limit_of_a_platform_holds_pushes_back_without_counting_attempts(push_settings):
    world = build(stock={"SH": 5})
    uom = Uom.objects.get(code="PCS")
    skus = [Product.objects.create(sku=f"SKU-{n}", name=f"商品{n}", uom=uom).sku for n in range(3)]
    with Shop() as shop:
        configure(world, "tb", stock_endpoint=shop.url, push_per_second="1")
        configure(world, "dy", stock_endpoint=shop.url, push_per_second="10")
        with transaction.atomic():
            for code in ("tb", "dy"):
                stockpush.enqueue(channel=world["channels"][code], figures={sku: D(1) for sku in skus})
        AtpPush.objects.filter(product__sku="TEE-BLK-M").delete()
        first = stockpush.push_due()
        assert (first.pushed, first.waiting) == (4, 2)          # dy: all 3; tb: one a second
        assert 0 < first.wait_seconds <= 1
        assert AtpPush.objects.filter(channel__code="tb", status="pending", attempts=0).count() == 2
        totals = stockpush.drain(sleep=lambda s: None)           # waits for the bucket between rounds
        assert totals.pushed == 2 and len(shop.received) == 6


def test_token_bucket():
    now = [0.0]
    bucket = TokenBucket(2, monotonic=lambda: now[0])
    assert bucket.take(5) == 2 and bucket.take(1) == 0
    assert bucket.wait() == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.take(5) == 1
    now[0] = 10.0
    assert bucket.take(5) == 2   # never more than one second's worth saved up
    slow = TokenBucket(Decimal("0.5"), monotonic=lambda: now[0])
    assert slow.take(3) == 1 and slow.wait() == pytest.approx(2.0)


def test_stock_change_to_shop_through_the_worker_and_push_stock(push_settings):
    """A stock move → the hub's `oms.atp` handler → `oms.atp.changed` → the `oms.stock_push.enqueue` handler →
    the worker's round (or `sihe push-stock --drain` on its own) POSTs the figure."""
    world = build(stock={"SH": 5})
    with Shop() as shop:
        configure(world, "sp", stock_endpoint=shop.url, secret=SECRET, share_percent=60)
        dispatcher.step()
        dispatcher.step()
        out = io.StringIO()
        call_command("push-stock", drain=True, stdout=out)
        # the worker pushed it already: nothing was left for the command
        assert shop.figures() == [("sp", "TEE-BLK-M", "3")] and "0 pushed" in out.getvalue()
        with transaction.atomic():
            from sihe.oms import services

            services.receive_order(channel_code="dealer", body=dealer_order("W-1", 2), actor=world["actor"])
        for _round in range(3):
            dispatcher.step()
        call_command("push_stock", drain=True, stdout=io.StringIO())
        assert shop.figures()[-1] == ("sp", "TEE-BLK-M", "1")     # floor(3 × 60 %)
        assert all(r["signed"] for r in shop.received)
        assert AtpPush.objects.get().pushed_quantity == D(1)


def test_api_sets_share_and_safety_and_shows_the_push_state(api_as, push_settings):
    build(stock={"SH": 5, "GZ": 2})
    manager, viewer = api_as("manager"), api_as("accountant")
    with Shop(statuses=(503, 200)) as shop:
        r = manager.put("/api/v1/channels/tb/sync", {"mode": "push", "safety_stock": "1", "share_percent": 50,
                                                      "stock_endpoint": shop.url, "push_per_second": "20"})
        assert r.status_code == 200, r.json_body
        state = r.json_body
        assert (state["safety_stock"], state["share_percent"], state["stock_endpoint"], state["push_per_second"]) == (
            "1", 50, shop.url, "20")
        assert state["stock_push"] == {"last_push_at": None, "pending": 0, "retrying": 0, "failed": 0}
        assert viewer.get("/api/v1/channels/tb/atp").json_body == [{"sku": "TEE-BLK-M", "atp": "3"}]
        # left out: unchanged
        assert manager.put("/api/v1/channels/tb/sync", {"mode": "push", "safety_stock": "1"}).json_body[
            "share_percent"] == 50
        bad = manager.put("/api/v1/channels/tb/sync", {"mode": "push", "share_percent": 101})
        assert bad.status_code == 422
        bad = manager.put("/api/v1/channels/tb/sync", {"mode": "push", "stock_endpoint": "not a url"})
        assert bad.status_code == 422 and bad.json_body["field"] == "stock_endpoint"
        enqueue_events()
        pending = viewer.get("/api/v1/channels/tb/sync").json_body["stock_push"]
        assert (pending["pending"], pending["failed"]) == (1, 0)
        stockpush.push_due()
        state = viewer.get("/api/v1/channels/tb/sync").json_body["stock_push"]
        assert (state["pending"], state["retrying"]) == (1, 1)
        rows = viewer.get("/api/v1/channels/tb/stock-pushes").json_body
        assert rows["count"] == 1
        row = rows["items"][0]
        assert (row["sku"], row["quantity"], row["status"], row["attempts"], row["pushed_quantity"]) == (
            "TEE-BLK-M", "3", "pending", 1, None)
        assert row["last_error"].startswith("HTTP 503") and row["next_attempt_at"]
        AtpPush.objects.update(next_attempt_at=AtpPush.objects.get().next_attempt_at - timedelta(hours=1))
        stockpush.push_due()
        row = viewer.get("/api/v1/channels/tb/stock-pushes").json_body["items"][0]
        assert (row["status"], row["pushed_quantity"]) == ("pushed", "3") and row["pushed_at"]
        state = viewer.get("/api/v1/channel-sync").json_body
        assert next(s for s in state if s["channel"] == "tb")["stock_push"]["last_push_at"] == row["pushed_at"]
    assert manager.post("/api/v1/channels/tb/stock-pushes/retry").json_body == {"retried": 0}
    assert viewer.post("/api/v1/channels/tb/stock-pushes/retry").status_code == 403
    assert viewer.get("/api/v1/channels/nope/stock-pushes").status_code == 404
