"""How long `Idempotency-Key` records live (the API's middleware keeps them; the worker forgets old ones)."""

import datetime
import os

from sihe.core import clock
from sihe.core.models import IdempotencyRecord


def lease_seconds() -> int:
    return int(os.environ.get("SIHE_IDEMPOTENCY_LEASE_SECONDS", "120"))


def keep_hours() -> int:
    return int(os.environ.get("SIHE_IDEMPOTENCY_KEEP_HOURS", "24"))


def forget_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete completed records older than the keeping time and abandoned ones long past their lease."""
    now = now or clock.now()
    cutoff = now - datetime.timedelta(hours=keep_hours())
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
