"""Connectors: how orders reach intake besides a push to our API — pulled from a channel, or its webhook.

Pull (增量拉单): `GET <endpoint>?updated_after=<cursor>&page_size=100` on the channel's order feed
answers `{"orders": [<raw channel order JSON>, ...], "next_cursor": "..."}`; each order goes through
`receive_order` in its own transaction, the cursor advances after the page. The HTTP call happens
outside any transaction (no lock is held while we wait on a network). Refused orders land on the
intake error list; the sync state keeps the last pull, the lag and the errors.

Webhook: the body is the channel's order JSON; Shopify and WooCommerce sign it (HMAC-SHA256,
base64) with the channel's secret, which we check before anything else.
"""

import requests
from django.db import transaction
from django.utils.translation import gettext as _

from sihe.catalog.models import Channel
from sihe.core import audit, clock
from sihe.core.actor import Actor
from sihe.core.errors import DomainError, PermissionDenied, ValidationFailed
from sihe.core.money import to_decimal
from sihe.core.outbound import check_url
from sihe.oms.channels import ADAPTERS
from sihe.oms.intake import IntakeResult, channel_by_code, receive_order
from sihe.oms.models import ChannelSync

TIMEOUT = 10
PAGE_SIZE = 100


def _sync(channel: Channel) -> ChannelSync:
    return ChannelSync.objects.get_or_create(channel=channel)[0]


def configure(*, channel: Channel, mode: str, endpoint: str, secret: str, actor: Actor, safety_stock="0") -> ChannelSync:
    if mode not in ChannelSync.Mode.values:
        raise ValidationFailed(_("mode must be push, pull or webhook"), field="mode")
    if mode == ChannelSync.Mode.PULL and not endpoint.startswith(("http://", "https://")):
        raise ValidationFailed(_("a pull channel needs an http(s) endpoint"), field="endpoint")
    safety = to_decimal(safety_stock, field="safety_stock")
    if safety < 0:
        raise ValidationFailed(_("safety stock cannot be negative"), field="safety_stock")
    with transaction.atomic():
        sync = _sync(channel)
        sync.mode, sync.endpoint, sync.safety_stock = mode, endpoint, safety
        if secret:
            sync.secret = secret
        sync.save()
        audit.record_act(sync, actor=actor, action="oms.channel.sync", detail=f"{channel.code} {mode} {endpoint}")
        return sync


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
