"""The outbox dispatcher behind `sihe worker`.

One round (`step`) does three things, each in short transactions of its own:

1. **handlers** – runs the in-process handlers (`registry`) for new events, in log order;
2. **fan-out** – turns new events into one `Delivery` per matching active webhook subscription;
3. **delivery** – claims due deliveries with a lease, commits, POSTs them (no transaction open
   during the HTTP call), and records each answer in a second transaction.

Order per aggregate: a delivery is only claimed when no earlier event of the same aggregate is
still open (pending, in flight or failed-and-retrying) for the same subscription. A dead letter
no longer holds the aggregate back: later events flow on (see docs/design/event-hub.md).

Safety with several workers: on PostgreSQL claims use `SELECT … FOR UPDATE SKIP LOCKED` and the
fan-out cursor row is taken with SKIP LOCKED; on SQLite every write transaction is IMMEDIATE, so
claims are serialised by the database's write lock. A worker killed mid-delivery leaves its claim
`in_flight` until the lease runs out; the next worker then claims it again (at-least-once).
"""

import hashlib
import hmac
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from sihe.core import clock
from sihe.core.errors import ValidationFailed
from sihe.core.models import Event
from sihe.core.outbound import check_url
from sihe.costing import recosting
from sihe.hub import registry
from sihe.hub.models import Delivery, HubCursor, WebhookSubscription
from sihe.oms import stockpush

FANOUT, HANDLERS = "webhooks", "handlers"
MAX_BACKOFF_SECONDS = 6 * 3600
USER_AGENT = "Sihe-Webhooks/1"


def max_attempts() -> int:
    return max(1, int(settings.SIHE_WEBHOOK_MAX_ATTEMPTS))


def timeout_seconds() -> float:
    return float(settings.SIHE_WEBHOOK_TIMEOUT_SECONDS)


def lease_seconds() -> float:
    # Long enough for one POST to time out and its result to be written, short enough that a
    # killed worker's claims come back soon.
    return 2 * timeout_seconds() + 5


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: base, 2×base, 4×base, … capped at six hours."""
    seconds = float(settings.SIHE_WEBHOOK_BACKOFF_SECONDS) * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_body(event: Event) -> bytes:
    return json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _assert_outside_transaction() -> None:
    """No network call while a transaction (other than a test case's own wrapper) is open."""
    open_blocks = [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]
    assert not open_blocks, "a webhook POST must not run inside a database transaction"


def _is_lock_timeout(exc: Exception) -> bool:
    return "lock timeout" in str(exc).lower() or "lock_timeout" in str(exc).lower()


# -- reading the log ------------------------------------------------------------------------------


def _settled_events(after: int, limit: int) -> list[Event]:
    """Events after `after` that can no longer be overtaken by a smaller id still being written.

    On PostgreSQL ids are handed out before commit, so an act that commits later may hold a
    smaller id than an event already visible. A SHARE lock on the log waits until every open
    transaction that has written an event has ended (and holds new writers back for the moment
    of this read), so everything below the maximum we see is final. The lock waits at most
    200 ms; if it cannot be had, this round skips (an OperationalError the caller treats as 'later').
    On SQLite writers are serialised and commit in id order, so no lock is needed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
            cursor.execute(f'LOCK TABLE "{Event._meta.db_table}" IN SHARE MODE')
    return list(Event.objects.filter(id__gt=after).order_by("id")[:limit])


def _has_new_events(name: str) -> bool:
    """A cheap read outside any transaction, so an idle worker does not take SQLite's write lock
    (or PostgreSQL's table lock) on every poll."""
    last = HubCursor.objects.filter(name=name).values_list("last_event_id", flat=True).first() or 0
    return Event.objects.filter(id__gt=last).exists()


def _cursor(name: str, *, lock: bool) -> HubCursor | None:
    try:
        with transaction.atomic():
            HubCursor.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by another worker at the same moment
    qs = HubCursor.objects.filter(name=name)
    if lock:
        qs = qs.select_for_update(skip_locked=True)
    return qs.first()


# -- 1. in-process handlers -----------------------------------------------------------------------


def run_handlers(*, now: datetime | None = None, batch: int = 200, echo=None) -> int:
    """Run the registered handlers for events after the handlers cursor; return events passed."""
    now = now or clock.now()
    if not _has_new_events(HANDLERS):
        return 0
    try:
        with transaction.atomic(durable=True):
            cursor = _cursor(HANDLERS, lock=False)
            if cursor.retry_at and cursor.retry_at > now:
                return 0
            events = _settled_events(cursor.last_event_id, batch)
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            return 0
        raise
    done = 0
    for event in events:
        for handler in registry.handlers_for(event.type):
            try:
                ran = registry.run_handler(handler, event)
            except Exception as exc:  # a handler's bug must not stop webhooks; it is retried later
                _advance(HANDLERS, event.id - 1)  # the events before this one are done
                _handler_failed(event, handler, exc, now=now, echo=echo)
                return done
            if ran and echo:
                echo(f"handled  #{event.id} {event.type} by {handler.name}")
        done += 1
    if events:
        _advance(HANDLERS, events[-1].id)
    return done


def _advance(name: str, last_event_id: int) -> None:
    with transaction.atomic(durable=True):
        HubCursor.objects.filter(name=name, last_event_id__lt=last_event_id).update(
            last_event_id=last_event_id, attempts=0, retry_at=None, last_error=""
        )


def _handler_failed(event: Event, handler, exc: Exception, *, now, echo) -> None:
    attempts = HubCursor.objects.get(name=HANDLERS).attempts + 1
    error = f"{handler.name} failed on event #{event.id} ({event.type}): {type(exc).__name__}: {exc}"
    with transaction.atomic(durable=True):
        HubCursor.objects.filter(name=HANDLERS).update(
            attempts=attempts, retry_at=now + backoff(attempts), last_error=error[:2000]
        )
    if echo:
        echo(f"HANDLER FAILED {error} (try {attempts}, next in {backoff(attempts).total_seconds():g}s)")


# -- 2. fan-out -----------------------------------------------------------------------------------


def fan_out(*, now: datetime | None = None, batch: int = 500) -> int:
    """Create the deliveries of new events for the active subscriptions; return events passed."""
    now = now or clock.now()
    if not _has_new_events(FANOUT):
        return 0
    try:
        with transaction.atomic(durable=True):
            cursor = _cursor(FANOUT, lock=True)
            if cursor is None:
                return 0  # another worker is fanning out right now
            events = _settled_events(cursor.last_event_id, batch)
            if not events:
                return 0
            subscriptions = list(WebhookSubscription.objects.filter(active=True))
            rows = [
                Delivery(
                    event=event,
                    subscription=sub,
                    aggregate_type=event.aggregate_type,
                    aggregate_id=event.aggregate_id,
                    next_attempt_at=now,
                )
                for event in events
                for sub in subscriptions
                if sub.matches(event.type)
            ]
            Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
            cursor.last_event_id = events[-1].id
            cursor.save(update_fields=["last_event_id", "updated_at"])
            return len(events)
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            return 0
        raise


# -- 3. delivery ----------------------------------------------------------------------------------


@dataclass
class Claim:
    delivery_id: int
    lease_token: str
    attempt: int
    event_id: int
    event_type: str
    url: str
    secret: str
    body: bytes

    def headers(self, *, now: datetime) -> dict:
        return {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Sihe-Event-Id": str(self.event_id),
            "X-Sihe-Event-Type": self.event_type,
            "X-Sihe-Delivery-Id": str(self.delivery_id),
            "X-Sihe-Attempt": str(self.attempt),
            "X-Sihe-Timestamp": str(int(now.timestamp())),
            "X-Sihe-Signature": sign(self.secret, self.body),
        }


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    elapsed_ms: int = 0


@dataclass
class Round:
    handled: int = 0
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    resumed: int = 0  # re-costing jobs run on after a stopped worker

    @property
    def work(self) -> int:
        return self.handled + self.fanned_out + self.delivered + self.failed + self.dead + self.resumed


def _due(now: datetime) -> Q:
    return Q(status__in=[Delivery.PENDING, Delivery.FAILED], next_attempt_at__lte=now) | Q(
        status=Delivery.IN_FLIGHT, leased_until__lt=now
    )


def claimable(now: datetime):
    """Due deliveries of active subscriptions that are first in line for their aggregate."""
    earlier_open = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        aggregate_type=OuterRef("aggregate_type"),
        aggregate_id=OuterRef("aggregate_id"),
        event_id__lt=OuterRef("event_id"),
        status__in=Delivery.OPEN,
    )
    return (
        Delivery.objects.filter(_due(now), subscription__active=True)
        .filter(~Exists(earlier_open))
        .order_by("event_id", "id")
    )


def claim(*, now: datetime | None = None, limit: int = 20) -> tuple[list[Claim], list[int]]:
    """Lease up to `limit` deliveries; returns the claims and the ids given up as dead."""
    now = now or clock.now()
    if not claimable(now).exists():
        return [], []
    token = uuid.uuid4().hex  # one per claim: identifies this worker's lease on these rows
    with transaction.atomic(durable=True):
        rows = list(
            claimable(now)
            .select_related("event", "subscription")
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        # Its last try was cut off (worker killed or lease lost): that was the last one.
        dead = [r.pk for r in rows if r.status == Delivery.IN_FLIGHT and r.attempts >= max_attempts()]
        if dead:
            Delivery.objects.filter(pk__in=dead).update(
                status=Delivery.DEAD, leased_until=None, lease_token="", last_error="lease expired on last attempt"
            )
        taken = [r for r in rows if r.pk not in dead]
        Delivery.objects.filter(pk__in=[r.pk for r in taken]).update(
            status=Delivery.IN_FLIGHT,
            attempts=F("attempts") + 1,
            leased_until=now + timedelta(seconds=lease_seconds()),
            lease_token=token,
        )
    claims = [
        Claim(
            delivery_id=r.pk,
            lease_token=token,
            attempt=r.attempts + 1,
            event_id=r.event_id,
            event_type=r.event.type,
            url=r.subscription.url,
            secret=r.subscription.secret,
            body=event_body(r.event),
        )
        for r in taken
    ]
    return claims, dead


_local = threading.local()


def _session() -> requests.Session:
    # One keep-alive session per sending thread (a Session is not meant to be shared by threads).
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def post(claim_: Claim, *, now: datetime | None = None) -> Outcome:
    """POST one claim. Runs outside any transaction; never raises for the receiver's failures."""
    _assert_outside_transaction()
    started = time.monotonic()
    try:
        check_url(claim_.url)
    except ValidationFailed as refused:  # the address resolves inside the network now: not sent, retried
        return Outcome(ok=False, error=refused.message[:2000], elapsed_ms=_ms(started))
    try:
        response = _session().post(
            claim_.url,
            data=claim_.body,
            headers=claim_.headers(now=now or clock.now()),
            timeout=timeout_seconds(),
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:2000], elapsed_ms=_ms(started))
    ok = 200 <= response.status_code < 300
    error = "" if ok else f"HTTP {response.status_code}: {response.text[:500]}"
    return Outcome(ok=ok, status_code=response.status_code, error=error, elapsed_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def record(claim_: Claim, outcome: Outcome, *, now: datetime | None = None) -> str | None:
    """Write one answer; returns the new status, or None if the lease was lost meanwhile."""
    return record_many([(claim_, outcome)], now=now)[0]


def record_many(results: list[tuple[Claim, Outcome]], *, now: datetime | None = None) -> list[str | None]:
    """Write the answers of one round in one transaction (the second one, after the POSTs).

    Only rows still leased to this claim are written: a worker whose lease ran out, and whose
    delivery another worker has meanwhile taken, changes nothing."""
    now = now or clock.now()
    statuses: list[str | None] = []
    with transaction.atomic(durable=True):
        for claim_, outcome in results:
            if outcome.ok:
                status = Delivery.DELIVERED
                changes = {"delivered_at": now, "last_error": ""}
            elif claim_.attempt >= max_attempts():
                status = Delivery.DEAD
                changes = {"last_error": outcome.error}
            else:
                status = Delivery.FAILED
                changes = {"last_error": outcome.error, "next_attempt_at": now + backoff(claim_.attempt)}
            updated = Delivery.objects.filter(
                pk=claim_.delivery_id, status=Delivery.IN_FLIGHT, lease_token=claim_.lease_token
            ).update(status=status, leased_until=None, lease_token="", last_status_code=outcome.status_code, **changes)
            statuses.append(status if updated else None)
    return statuses


def deliver_due(*, now: datetime | None = None, limit: int = 20, threads: int = 1, echo=None) -> Round:
    """Claim, POST (up to `threads` at once; the claimed rows are heads of different aggregates or
    subscriptions, so sending them side by side keeps the order per aggregate), record."""
    result = Round()
    claims, dead = claim(now=now, limit=limit)
    result.dead += len(dead)
    for delivery_id in dead:
        if echo:
            echo(f"dead     delivery {delivery_id}: lease expired on its last attempt")
    if not claims:
        return result
    if threads > 1 and len(claims) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(claims)), thread_name_prefix="sihe-post") as pool:
            outcomes = list(pool.map(lambda c: post(c, now=now), claims))
    else:
        outcomes = [post(c, now=now) for c in claims]
    statuses = record_many(list(zip(claims, outcomes, strict=True)), now=now)
    for claim_, outcome, status in zip(claims, outcomes, statuses, strict=True):
        if status == Delivery.DELIVERED:
            result.delivered += 1
        elif status == Delivery.DEAD:
            result.dead += 1
        else:
            result.failed += 1
        if echo:
            answer = outcome.status_code if outcome.status_code is not None else outcome.error
            echo(
                f"{(status or 'lost'):<8} #{claim_.event_id} {claim_.event_type} → {claim_.url} "
                f"({answer}, try {claim_.attempt}, {outcome.elapsed_ms} ms)"
            )
    return result


def step(*, now: datetime | None = None, limit: int = 20, threads: int = 1, echo=None) -> Round:
    """One round of the worker: handlers, fan-out, deliveries."""
    handled = run_handlers(now=now, echo=echo)
    fanned = fan_out(now=now)
    result = deliver_due(now=now, limit=limit, threads=threads, echo=echo)
    result.handled, result.fanned_out = handled, fanned
    pushed = stockpush.push_due(now=now, limit=limit)  # stock figures to the shops, at each channel's rate
    result.delivered += pushed.pushed
    result.resumed = recosting.resume_open()  # a re-costing job a stopped worker left open
    return result
