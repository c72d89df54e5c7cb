"""Reads of the event log and the audit trail for the pages."""

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from sihe.core.models import AuditEntry, Event


def events_since(moment) -> int:
    """How many business events were logged from `moment` on."""
    return Event.objects.filter(occurred_at__gte=moment).count()


def events_per_day(since) -> dict:
    """Events logged per local day from `since` on: {date: count}."""
    return dict(
        Event.objects.filter(occurred_at__gte=since)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )


def audit_entries() -> QuerySet[AuditEntry]:
    """The audit trail, newest first."""
    return AuditEntry.objects.order_by("-id")


def audit_object_types():
    """The kinds of object the audit trail has entries for."""
    return AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()


def audit_actions():
    """The actions the audit trail has entries for."""
    return AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
