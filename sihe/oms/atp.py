"""Available-to-promise per channel: what each shop may show as stock, after every stock change.

ATP(channel, SKU) = floor((Σ over active warehouses (on hand − reserved) − the channel's safety stock)
× the channel's share / 100), never below 0: a shop shows whole units, and a share below 100 % keeps
the rest of the free stock for the other shops. The hub runs `on_stock_event` for every stock event (wired in sihe/hub/wiring.py), which
recomputes the SKUs the event touched and publishes one `oms.atp.changed` event per channel — the
stock pusher (sihe/oms/stockpush.py) queues it and sends it to the shops.
"""

from decimal import ROUND_FLOOR, Decimal

from django.db.models import F, Sum

from sihe.catalog.models import Channel, Product
from sihe.core import outbox
from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.core.money import text
from sihe.oms.models import ChannelSync
from sihe.stock.models import StockLevel


def atp(skus: list[str] | None = None, channels: list[Channel] | None = None) -> dict[str, dict[str, Decimal]]:
    """{channel code: {sku: atp}} for the SKUs given (all with stock when None)."""
    levels = StockLevel.objects.filter(warehouse__active=True)
    if skus is not None:
        levels = levels.filter(product__sku__in=skus)
    free = {row["product__sku"]: row["free"] or Decimal(0) for row in
            levels.values("product__sku").annotate(free=Sum(F("on_hand") - F("reserved")))}
    for sku in skus or []:
        free.setdefault(sku, Decimal(0))
    channels = channels if channels is not None else list(Channel.objects.filter(active=True).order_by("code"))
    per_channel = {pk: (safety, share) for pk, safety, share in
                ChannelSync.objects.filter(channel__in=channels).values_list("channel_id", "safety_stock", "share_percent")}
    out = {}
    for ch in channels:
        safety, share = per_channel.get(ch.pk, (Decimal(0), 100))
        out[ch.code] = {sku: figure(qty, safety=safety, share_percent=share) for sku, qty in sorted(free.items())}
    return out


def figure(free: Decimal, *, safety: Decimal, share_percent: int) -> Decimal:
    """What one shop may show: floor((free − safety) × share / 100), ≥ 0, in whole units."""
    shown = (Decimal(free) - Decimal(safety)) * Decimal(share_percent) / Decimal(100)
    shown = shown.to_integral_value(rounding=ROUND_FLOOR)
    return shown if shown > 0 else Decimal(0)


def skus_of(event: Event) -> list[str]:
    payload = event.payload or {}
    skus = {m.get("sku") for m in payload.get("moves", []) if isinstance(m, dict)}
    if payload.get("sku"):
        skus.add(payload["sku"])
    return sorted(s for s in skus if s)


def publish(skus: list[str] | None, actor: Actor, channels: list[Channel] | None = None) -> int:
    """One `oms.atp.changed` event per channel with the ATP of `skus` (None: every SKU with stock — after a
    channel's safety stock, share or stock endpoint changed). Runs inside the caller's transaction."""
    if skus is not None and not skus:
        return 0
    known = list(Product.objects.filter(sku__in=skus).values_list("sku", flat=True)) if skus is not None else None
    if known == []:
        return 0
    result = atp(known, channels)
    for code, items in result.items():
        outbox.emit("oms.atp.changed", aggregate_type="channel", aggregate_id=code, actor=actor,
                    payload={"channel": code, "items": [{"sku": sku, "atp": text(qty)} for sku, qty in items.items()]})
    return len(result)


def on_stock_event(event: Event) -> None:
    """Hub handler (idempotent by the hub's receipt): ATP of the touched SKUs to every channel."""
    publish(skus_of(event), Actor(user_id=None, username="handler:oms.atp", role="admin", via="worker"))


def on_stock_arrived(event: Event) -> None:
    """Hub handler: stock came in or was freed — allocate backordered and out-of-stock orders again."""
    from sihe.oms.allocation import reallocate_backorders

    skus = skus_of(event)
    ids = set(Product.objects.filter(sku__in=skus).values_list("pk", flat=True))
    if ids:
        reallocate_backorders(product_ids=ids, actor=Actor(user_id=None, username="handler:oms.backorders",
                                                           role="admin", via="worker"))


def on_atp_changed(event: Event) -> None:
    """Hub handler: queue the figures of an `oms.atp.changed` event for the shop (sihe/oms/stockpush.py)."""
    from sihe.oms import stockpush

    stockpush.on_atp_changed(event)
