"""Bounds on the dates of business documents: a date far in the future or decades back is a typo (or an
attack) that would open a period nobody can close — one receipt dated 0001-01-01 blocked month-end for
good. Every document that carries an accounting date passes here; the ledger adds its own rules (the
books' first period, closed periods).

Settings (environment): SIHE_MAX_FUTURE_DAYS (31), SIHE_MAX_PAST_DAYS (1096, three years)."""

import datetime
import os

from django.utils.translation import gettext as _

from sihe.core import clock
from sihe.core.errors import ValidationFailed


def max_future_days() -> int:
    return int(os.environ.get("SIHE_MAX_FUTURE_DAYS", "31"))


def max_past_days() -> int:
    return int(os.environ.get("SIHE_MAX_PAST_DAYS", "1096"))


def check_business_date(date: datetime.date, *, field: str = "date", today: datetime.date | None = None) -> datetime.date:
    """`date` if it lies within the bounds around today (Beijing time); else a 422 naming the field."""
    today = today or clock.today()
    latest = today + datetime.timedelta(days=max_future_days())
    earliest = today - datetime.timedelta(days=max_past_days())
    if date > latest:
        raise ValidationFailed(_("%(field)s %(date)s is more than %(n)s days ahead (latest %(latest)s)")
                               % {"field": field, "date": date.isoformat(), "n": max_future_days(),
                                  "latest": latest.isoformat()}, field=field, code="date_too_far_ahead")
    if date < earliest:
        raise ValidationFailed(_("%(field)s %(date)s is more than %(n)s days back (earliest %(earliest)s)")
                               % {"field": field, "date": date.isoformat(), "n": max_past_days(),
                                  "earliest": earliest.isoformat()}, field=field, code="date_too_far_back")
    return date


def check_planning_date(date: datetime.date, *, field: str = "date", years: int = 2) -> datetime.date:
    """Plans and forecasts look further than documents: `date` within `years` of today either way."""
    today = clock.today()
    days = 366 * years
    if abs((date - today).days) > days:
        raise ValidationFailed(_("%(field)s %(date)s is more than %(n)s days from today") % {
            "field": field, "date": date.isoformat(), "n": days}, field=field,
            code="date_too_far_ahead" if date > today else "date_too_far_back")
    return date
