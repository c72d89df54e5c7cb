"""Stock back to the shops: the ATP of every channel and SKU pushed to the shop, queued, rate-limited, retried.

Queue. `AtpPush` holds, per (channel, product), the latest figure the shop should show and what was last
pushed there. The hub handler `oms.stock_push.enqueue` (wired in sihe/hub/wiring.py) takes every
`oms.atp.changed` event and updates that one row in place, so a burst of stock changes is pushed once,
with the newest figure. A figure equal to what the shop already shows is not queued again. Only channels
with a stock endpoint are queued (a channel's endpoint set later gets every SKU's figure: see
`connectors.configure`).

Push. `push_due()` (run by `sihe push-stock`): claims due rows with a lease (SKIP LOCKED on PostgreSQL; on
SQLite the write lock serialises claims), commits, POSTs each figure to the channel's stock endpoint outside
any transaction, then records the answers. The body is

    {"channel": "tb", "sku": "TEE-BLK-M", "outer_id": "TEE-BLK-M", "channel_skus": ["5012345"],
     "quantity": "12", "queued_at": "2026-…"}

signed like our webhooks (`X-Sihe-Signature: sha256=<hex HMAC-SHA256 of the body with the channel's
secret>`, `X-Sihe-Timestamp`); the connector of the shop's gateway turns it into the platform's call
(taobao.item.quantity.update, JD stock update, …). A 2xx answer is the figure pushed: the row keeps it with
the time; if a newer figure came in meanwhile the row stays pending for it. Any other answer, a timeout or
a refused address is retried after 2, 4, 8 … × SIHE_WEBHOOK_BACKOFF_SECONDS (capped at six hours); after
SIHE_WEBHOOK_MAX_ATTEMPTS tries the row is failed (shown on the channel page) until a new figure comes or a manager retries it
(`retry_failed`).

Rate. Each platform limits how often a shop may call it: `ChannelSync.push_per_second` is a token bucket
per channel (burst of one second's worth, at least one): a round claims only as many rows of a channel as
it has tokens; the rest wait for the next round, untouched (no attempt counted).
"""

import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When

from sihe.catalog.models import Channel, Product
from sihe.core import audit, clock, outbox, tx
from sihe.core.actor import Actor
from sihe.core.errors import ValidationFailed
from sihe.core.models import Event
from sihe.core.money import text, to_decimal
from sihe.core.outbound import check_url
from sihe.oms.models import AtpPush, ChannelSync, SkuMapping

USER_AGENT = "Sihe-Stock/1"
MAX_BACKOFF_SECONDS = 6 * 3600


def max_attempts() -> int:
    return max(1, int(settings.SIHE_WEBHOOK_MAX_ATTEMPTS))


def timeout_seconds() -> float:
    return float(settings.SIHE_WEBHOOK_TIMEOUT_SECONDS)


def lease_seconds() -> float:
    return 2 * timeout_seconds() + 5


def backoff(attempts: int) -> timedelta:
    seconds = float(settings.SIHE_WEBHOOK_BACKOFF_SECONDS) * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# -- the rate limit -------------------------------------------------------------------------------


class TokenBucket:
    """`rate` tokens a second, at most `capacity` saved up (a burst); `take(n)` grants what is there."""

    def __init__(self, rate: float, capacity: float | None = None, *, monotonic=time.monotonic):
        self.rate = max(float(rate), 0.001)
        self.capacity = max(float(capacity if capacity is not None else rate), 1.0)
        self.monotonic = monotonic
        self.tokens = self.capacity
        self.at = monotonic()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = self.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self, wanted: int) -> int:
        with self.lock:
            self._refill()
            granted = min(int(self.tokens), max(0, wanted))
            self.tokens -= granted
            return granted

    def wait(self) -> float:
        """Seconds until one token is there."""
        with self.lock:
            self._refill()
            return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


_buckets: dict[int, TokenBucket] = {}
_buckets_lock = threading.Lock()


def bucket(channel_id: int, rate: Decimal) -> TokenBucket:
    """This process's bucket of a channel (made again when its rate changes)."""
    with _buckets_lock:
        current = _buckets.get(channel_id)
        if current is None or current.rate != max(float(rate), 0.001):
            current = _buckets[channel_id] = TokenBucket(float(rate))
        return current


# -- the queue ------------------------------------------------------------------------------------


def enqueue(*, channel: Channel, figures: dict[str, Decimal], now: datetime | None = None) -> int:
    """Set the figure to push of each SKU (in the caller's transaction); return the rows queued."""
    now = now or clock.now()
    sync = ChannelSync.objects.filter(channel=channel).first()
    if sync is None or not sync.stock_endpoint or not figures:
        return 0
    products = dict(Product.objects.filter(sku__in=list(figures)).values_list("sku", "pk"))
    rows = {r.product_id: r for r in AtpPush.objects.select_for_update().filter(
        channel=channel, product_id__in=list(products.values()))}
    queued = 0
    for sku, qty in sorted(figures.items()):
        product_id = products.get(sku)
        if product_id is None:
            continue
        row = rows.get(product_id)
        if row is None:
            AtpPush.objects.create(channel=channel, product_id=product_id, quantity=qty, queued_at=now,
                                   next_attempt_at=now)
            queued += 1
            continue
        if row.quantity == qty and row.status in (AtpPush.Status.PENDING, AtpPush.Status.FAILED):
            continue  # already queued with this figure (or given up on it: a person retries)
        if row.pushed_quantity == qty and row.status == AtpPush.Status.PUSHED:
            continue  # the shop shows it already
        changes = {"quantity": qty, "queued_at": now, "status": AtpPush.Status.PENDING}
        if row.status != AtpPush.Status.PENDING:  # a new figure after a push or after giving up: from the start
            changes.update(attempts=0, next_attempt_at=now)
        AtpPush.objects.filter(pk=row.pk).update(**changes)
        queued += 1
    return queued


def on_atp_changed(event: Event) -> None:
    """Hub handler (idempotent by the hub's receipt): queue the figures of one `oms.atp.changed` event."""
    payload = event.payload or {}
    channel = Channel.objects.filter(code=payload.get("channel") or "").first()
    if channel is None:
        return
    figures = {}
    for item in payload.get("items") or []:
        if isinstance(item, dict) and item.get("sku"):
            figures[str(item["sku"])] = to_decimal(item.get("atp") or "0", field="atp")
    enqueue(channel=channel, figures=figures)


# -- pushing --------------------------------------------------------------------------------------


@dataclass
class Claim:
    push_id: int
    lease_token: str
    attempt: int
    channel: str
    sku: str
    quantity: Decimal
    url: str
    secret: str
    body: bytes

    def headers(self, *, now: datetime) -> dict:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                   "X-Sihe-Channel": self.channel, "X-Sihe-Attempt": str(self.attempt),
                   "X-Sihe-Timestamp": str(int(now.timestamp()))}
        if self.secret:
            headers["X-Sihe-Signature"] = sign(self.secret, self.body)
        return headers


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""


@dataclass
class Round:
    pushed: int = 0
    failed: int = 0
    gave_up: int = 0
    waiting: int = 0  # due but held back by a channel's rate limit
    wait_seconds: float = 0.0
    lines: list[str] = field(default_factory=list)

    @property
    def work(self) -> int:
        return self.pushed + self.failed + self.gave_up


def _due(now: datetime) -> Q:
    return (Q(status=AtpPush.Status.PENDING, next_attempt_at__lte=now)
            & (Q(leased_until__isnull=True) | Q(leased_until__lt=now)))


def _body(row: AtpPush, channel_skus: list[str]) -> bytes:
    return json.dumps({"channel": row.channel.code, "sku": row.product.sku, "outer_id": row.product.sku,
                       "channel_skus": channel_skus, "quantity": text(row.quantity),
                       "queued_at": row.queued_at.isoformat()},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def claim(*, now: datetime | None = None, limit: int = 50) -> tuple[list[Claim], int, float]:
    """Lease due rows, as many per channel as its bucket grants; returns (claims, held back, seconds to wait)."""
    now = now or clock.now()
    if not AtpPush.objects.filter(_due(now), channel__sync__stock_endpoint__gt="").exists():
        return [], 0, 0.0
    token = uuid.uuid4().hex
    with transaction.atomic(durable=True):
        rows = list(AtpPush.objects.filter(_due(now), channel__sync__stock_endpoint__gt="")
                    .select_related("channel", "channel__sync", "product")
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("next_attempt_at", "id")[:limit])
        per_channel: dict[int, list[AtpPush]] = {}
        for row in rows:
            per_channel.setdefault(row.channel_id, []).append(row)
        taken, held, wait = [], 0, 0.0
        for channel_id, items in per_channel.items():
            limiter = bucket(channel_id, items[0].channel.sync.push_per_second)
            granted = limiter.take(len(items))
            taken += items[:granted]
            if granted < len(items):
                held += len(items) - granted
                wait = max(wait, limiter.wait())
        AtpPush.objects.filter(pk__in=[r.pk for r in taken]).update(
            leased_until=now + timedelta(seconds=lease_seconds()), lease_token=token)
        mapped: dict[tuple[int, int], list[str]] = {}
        for channel_id, product_id, channel_sku in (SkuMapping.objects.filter(
                channel_id__in={r.channel_id for r in taken}, product_id__in={r.product_id for r in taken})
                .order_by("channel_sku").values_list("channel_id", "product_id", "channel_sku")):
            mapped.setdefault((channel_id, product_id), []).append(channel_sku)
    claims = [Claim(push_id=r.pk, lease_token=token, attempt=r.attempts + 1, channel=r.channel.code,
                    sku=r.product.sku, quantity=r.quantity, url=r.channel.sync.stock_endpoint,
                    secret=r.channel.sync.secret, body=_body(r, mapped.get((r.channel_id, r.product_id), [])))
              for r in taken]
    return claims, held, wait


_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def send(claim_: Claim, *, now: datetime | None = None) -> Outcome:
    """POST one figure. Runs outside any transaction; never raises for the shop's failures."""
    open_blocks = [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]
    assert not open_blocks, "a stock push must not run inside a database transaction"
    try:
        check_url(claim_.url, field="stock_endpoint")
    except ValidationFailed as refused:
        return Outcome(ok=False, error=refused.message[:500])
    try:
        response = _session().post(claim_.url, data=claim_.body, headers=claim_.headers(now=now or clock.now()),
                                   timeout=timeout_seconds(), allow_redirects=False)
    except requests.RequestException as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome(ok=True, status_code=response.status_code)
    return Outcome(ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}: {response.text[:300]}")


def record(results: list[tuple[Claim, Outcome]], *, now: datetime | None = None) -> list[str | None]:
    """Write the answers (only rows still leased to this claim); the new status of each, None if the lease was lost."""
    now = now or clock.now()
    out: list[str | None] = []
    with transaction.atomic(durable=True):
        for claim_, outcome in results:
            row = (AtpPush.objects.select_for_update()
                   .filter(pk=claim_.push_id, lease_token=claim_.lease_token).first())
            if row is None:
                out.append(None)
                continue
            changes = {"leased_until": None, "lease_token": "", "last_status_code": outcome.status_code}
            if outcome.ok:
                newer = row.quantity != claim_.quantity  # a new figure came in while this one was on its way
                changes.update(pushed_quantity=claim_.quantity, pushed_at=now, attempts=0, last_error="",
                               status=AtpPush.Status.PENDING if newer else AtpPush.Status.PUSHED, next_attempt_at=now)
            elif claim_.attempt >= max_attempts():
                changes.update(attempts=claim_.attempt, last_error=outcome.error, last_error_at=now,
                               status=AtpPush.Status.FAILED)
            else:
                changes.update(attempts=claim_.attempt, last_error=outcome.error, last_error_at=now,
                               next_attempt_at=now + backoff(claim_.attempt))
            AtpPush.objects.filter(pk=row.pk).update(**changes)
            out.append(AtpPush.Status.PUSHED if outcome.ok else changes.get("status", "retry"))
    return out


def push_due(*, now: datetime | None = None, limit: int = 50) -> Round:
    """One round: claim what is due (within each channel's rate), push it, record the answers."""
    result = Round()
    claims, result.waiting, result.wait_seconds = claim(now=now, limit=limit)
    if not claims:
        return result
    outcomes = [send(c, now=now) for c in claims]
    for claim_, outcome, status in zip(claims, outcomes, record(list(zip(claims, outcomes, strict=True)), now=now),
                                       strict=True):
        if status is None:
            continue
        if outcome.ok:
            result.pushed += 1
        elif status == AtpPush.Status.FAILED:
            result.gave_up += 1
        else:
            result.failed += 1
        answer = outcome.status_code if outcome.status_code is not None else outcome.error
        result.lines.append(f"{status:<7} {claim_.channel} {claim_.sku} = {text(claim_.quantity)} → {claim_.url} "
                            f"({answer}, try {claim_.attempt})")
    return result


def drain(*, limit: int = 50, sleep=time.sleep, echo=None, max_wait: float = 5.0) -> Round:
    """Push until nothing is due (retries scheduled later stay scheduled), waiting for the rate limits."""
    totals = Round()
    while True:
        result = push_due(limit=limit)
        for line in result.lines:
            if echo:
                echo(line)
        totals.pushed += result.pushed
        totals.failed += result.failed
        totals.gave_up += result.gave_up
        if result.work:
            continue
        if not result.waiting:
            return totals
        sleep(min(max(result.wait_seconds, 0.01), max_wait))


# -- what the channel page shows ------------------------------------------------------------------


def states() -> dict[str, dict]:
    """Per channel code: last push time, pending (of which retrying) and failed counts."""
    out: dict[str, dict] = {}
    rows = (AtpPush.objects.values("channel__code")
            .annotate(last_push_at=Max("pushed_at"),
                      pending=Count("id", filter=Q(status=AtpPush.Status.PENDING)),
                      retrying=Count("id", filter=Q(status=AtpPush.Status.PENDING, attempts__gt=0)),
                      failed=Count("id", filter=Q(status=AtpPush.Status.FAILED)),
                      skus=Count("id")))
    for row in rows:
        out[row["channel__code"]] = {k: row[k] for k in ("last_push_at", "pending", "retrying", "failed", "skus")}
    return out


def settings_of() -> dict[str, ChannelSync]:
    """Per channel code: its sync settings (safety stock, share, stock endpoint, rate)."""
    return {s.channel.code: s for s in ChannelSync.objects.select_related("channel")}


def pushes_for_page(channel_code: str, limit: int) -> list[AtpPush]:
    """The first `limit` rows of a channel for its page: failed first, then pending, then pushed; by SKU."""
    order = Case(When(status=AtpPush.Status.FAILED, then=Value(0)), When(status=AtpPush.Status.PENDING, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return list(AtpPush.objects.filter(channel__code=channel_code).select_related("product")
                .order_by(order, "product__sku")[:limit])


def pushes(channel: Channel):
    """The rows of one channel, by SKU: figure to push, last pushed figure and time, attempts, last error."""
    return AtpPush.objects.filter(channel=channel).select_related("product").order_by("product__sku")


def retry_failed(*, channel: Channel, actor: Actor) -> int:
    """Queue again the figures the pusher gave up on (a person fixed the shop's side); return how many."""
    with tx.act():
        now = clock.now()
        ids = list(AtpPush.objects.select_for_update().filter(channel=channel, status=AtpPush.Status.FAILED)
                   .values_list("pk", flat=True))
        AtpPush.objects.filter(pk__in=ids).update(status=AtpPush.Status.PENDING, attempts=0, next_attempt_at=now)
        sync = ChannelSync.objects.get_or_create(channel=channel)[0]
        audit.record_act(sync, actor=actor, action="oms.stock_push.retry", detail=f"{channel.code} {len(ids)}")
        outbox.emit("oms.stock_push.retried", aggregate_type="channel", aggregate_id=channel.code, actor=actor,
                    payload={"channel": channel.code, "rows": len(ids)})
        return len(ids)
