"""Connectors: how orders reach intake besides a push to our API — pulled from a channel, or its webhook.

Pull (增量拉单): `GET <endpoint>?updated_after=<cursor>&page_size=100` on the channel's order feed
answers `{"orders": [<raw channel order JSON>, ...], "next_cursor": "..."}`; each order goes through
`receive_order` in its own transaction, the cursor advances after the page. The HTTP call happens
outside any transaction (no lock is held while we wait on a network). Refused orders land on the
intake error list; the sync state keeps the last pull, the lag and the errors.

Webhook: the body is the channel's order JSON; Shopify and WooCommerce sign it (HMAC-SHA256,
base64) with the channel's secret, which we check before anything else.
"""

from decimal import Decimal

import requests
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel
from sihe.core import audit, clock, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import DomainError, PermissionDenied, ValidationFailed
from sihe.core.money import text, to_decimal
from sihe.core.outbound import check_url
from sihe.oms.channels import ADAPTERS
from sihe.oms.intake import IntakeResult, channel_by_code, receive_order
from sihe.oms.models import ChannelSync

TIMEOUT = 10
PAGE_SIZE = 100
# The settings of the stock pushed back to the shop (the first three change the figures).
STOCK_FIELDS = ("safety_stock", "share_percent", "stock_endpoint", "push_per_second")


def _sync(channel: Channel) -> ChannelSync:
    return ChannelSync.objects.get_or_create(channel=channel)[0]


def configure(*, channel: Channel, actor: Actor, mode: str | None = None, endpoint: str | None = None, secret: str = "",
              safety_stock=None, share_percent=None, stock_endpoint: str | None = None,
              push_per_second=None) -> ChannelSync:
    """How a channel's orders come in and how its stock goes back: a setting left None stays as it is.

    The stock the shop may show is floor((free − safety_stock) × share_percent / 100); when that rule or the
    stock endpoint changes, every SKU's figure is published again (`oms.atp.changed`) for the stock pusher."""
    from sihe.oms import atp

    with tx.act():
        sync = ChannelSync.objects.select_for_update().filter(pk=_sync(channel).pk).get()
        before = {name: getattr(sync, name) for name in STOCK_FIELDS + ("mode", "endpoint")}
        mode = sync.mode if mode is None else mode
        endpoint = sync.endpoint if endpoint is None else endpoint.strip()
        if mode not in ChannelSync.Mode.values:
            raise ValidationFailed(_("mode must be push, pull or webhook"), field="mode")
        if mode == ChannelSync.Mode.PULL and not endpoint.startswith(("http://", "https://")):
            raise ValidationFailed(_("a pull channel needs an http(s) endpoint"), field="endpoint")
        sync.mode, sync.endpoint = mode, endpoint
        if safety_stock is not None:
            safety = to_decimal(safety_stock, field="safety_stock")
            if safety < 0:
                raise ValidationFailed(_("safety stock cannot be negative"), field="safety_stock")
            sync.safety_stock = safety
        if share_percent is not None:
            share = to_decimal(share_percent, field="share_percent")
            if share != share.to_integral_value() or not 0 <= share <= 100:
                raise ValidationFailed(_("the share must be a whole percentage from 0 to 100"), field="share_percent")
            sync.share_percent = int(share)
        if stock_endpoint is not None:
            stock_endpoint = stock_endpoint.strip()
            if stock_endpoint and not _is_url(stock_endpoint):
                raise ValidationFailed(_("the stock endpoint must be an http(s) URL"), field="stock_endpoint")
            sync.stock_endpoint = stock_endpoint
        if push_per_second is not None:
            rate = to_decimal(push_per_second, field="push_per_second")
            if not Decimal("0.01") <= rate <= Decimal(1000):
                raise ValidationFailed(_("pushes per second must be from 0.01 to 1000"), field="push_per_second")
            sync.push_per_second = rate
        if secret:
            sync.secret = secret
        sync.save()
        audit.record_changes(sync, actor=actor, before=before)
        audit.record_act(sync, actor=actor, action="oms.channel.sync", detail=f"{channel.code} {mode} {endpoint}")
        outbox.emit("oms.channel.configured", aggregate_type="channel", aggregate_id=channel.code, actor=actor,
                    payload={"channel": channel.code, "mode": sync.mode, "safety_stock": text(sync.safety_stock),
                             "share_percent": sync.share_percent, "stock_endpoint": sync.stock_endpoint,
                             "push_per_second": text(sync.push_per_second)})
        if any(before[name] != getattr(sync, name) for name in STOCK_FIELDS[:3]) and sync.stock_endpoint:
            atp.publish(None, actor, [channel])  # every SKU's figure under the new rule, queued for the shop
        return sync


def _is_url(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        return False
    return len(value) <= 200


def pull(*, channel: Channel, actor: Actor, max_pages: int = 50) -> dict:
    """Fetch pages of new and changed orders until the feed is empty (or `max_pages`)."""
    sync = _sync(channel)
    if not sync.endpoint:
        raise ValidationFailed(_("channel %(code)s has no pull endpoint") % {"code": channel.code}, field="endpoint")
    check_url(sync.endpoint, field="endpoint")
    counts = {"fetched": 0, "created": 0, "updated": 0, "refused": 0}
    cursor = sync.cursor
    for _page in range(max_pages):
        try:
            response = requests.get(sync.endpoint, params={"updated_after": cursor, "page_size": PAGE_SIZE},
                                    timeout=TIMEOUT, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
            orders = body.get("orders")
            if not isinstance(orders, list):
                raise ValueError("the feed has no orders list")
        except (requests.RequestException, ValueError) as exc:
            ChannelSync.objects.filter(pk=sync.pk).update(
                last_pull_at=clock.now(), errors=sync.errors + 1, last_error=f"pull: {exc}"[:500],
                last_error_at=clock.now())
            raise ValidationFailed(_("pulling %(code)s failed: %(error)s") % {"code": channel.code, "error": exc},
                                   field="endpoint", code="pull_failed") from exc
        for raw in orders:
            counts["fetched"] += 1
            try:
                result = receive_order(channel_code=channel.code, body=raw, actor=actor)
            except DomainError:
                counts["refused"] += 1
                continue
            counts["created" if result.created else "updated"] += int(not result.duplicate or result.created)
        cursor = str(body.get("next_cursor") or cursor)
        ChannelSync.objects.filter(pk=sync.pk).update(cursor=cursor[:100], last_pull_at=clock.now())
        if not orders:
            break
    return {**counts, "cursor": cursor}


def receive_webhook(*, channel_code: str, headers: dict, body: bytes) -> IntakeResult:
    channel = channel_by_code(channel_code)
    sync = ChannelSync.objects.filter(channel=channel).first()
    if sync is None or sync.mode != ChannelSync.Mode.WEBHOOK or not sync.secret:
        raise PermissionDenied(_("channel %(code)s does not take webhooks") % {"code": channel_code},
                               field="channel_code", code="webhook_not_enabled")
    verify = getattr(ADAPTERS.get(channel.type), "verify_webhook", None)
    if verify is None or not verify(headers, body, sync.secret):
        raise PermissionDenied(_("the webhook signature does not match"), field="signature", code="bad_signature")
    actor = Actor(user_id=None, username=f"webhook:{channel_code}"[:150], role="admin", via="api")
    return receive_order(channel_code=channel_code, body=body, actor=actor)
