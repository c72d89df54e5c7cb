"""The one clock of Sihe: every service takes "now" and "today" from here, never from the wall clock
directly, so that tests set time with one fixture and accounting dates are always Asia/Shanghai days
(an act at 00:30 Beijing time belongs to that Beijing day, though UTC still says yesterday)."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime.datetime:
    """The current instant, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """The current accounting day in Beijing time."""
    return timezone.localtime(timezone.now(), SHANGHAI).date()


def local(moment: datetime.datetime) -> datetime.datetime:
    """`moment` in Beijing time (naive values are taken as Beijing time already)."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def day_of(moment: datetime.datetime) -> datetime.date:
    """The Beijing day an instant falls on."""
    return local(moment).date()
