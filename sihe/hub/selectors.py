"""Reads of the hub for the API and pages: the event log and one event, webhook subscriptions with
their delivery counts, deliveries, how far the in-process handlers have read, and API tokens."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.models import Event  # re-exported: the API describes events by this model
from sihe.hub import patterns
from sihe.hub.errors import NoSuchDelivery, NoSuchSubscription
from sihe.hub.models import ApiToken, Delivery, HubCursor, WebhookSubscription  # re-exported


def events(
    *,
    after: int = 0,
    type: str | None = None,
    aggregate_type: str | None = None,
    aggregate_id: str | None = None,
) -> QuerySet[Event]:
    """The log in id order after `after`; `type` is an exact type, `prefix.*` or `*`."""
    qs = Event.objects.filter(id__gt=after).order_by("id")
    if type and type != "*":
        if not patterns.is_valid(type):
            raise ValidationFailed(
                _("%(type)s is not an event type or pattern (a.b.c, a.* or *)") % {"type": type}, field="type"
            )
        qs = qs.filter(type__startswith=type[:-1]) if type.endswith(".*") else qs.filter(type=type)
    for name, value in (("aggregate_type", aggregate_type), ("aggregate_id", aggregate_id)):
        if value and "\x00" in value:
            raise ValidationFailed(_("%(field)s contains a NUL character") % {"field": name}, field=name)
    if aggregate_type:
        qs = qs.filter(aggregate_type=aggregate_type)
    if aggregate_id:
        qs = qs.filter(aggregate_id=aggregate_id)
    return qs


def event_by_id(event_id: int) -> Event:
    """One event of the log by its id."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound(f"no event #{event_id}", field="event_id")
    return event


def event_page(*, after: int = 0, limit: int = 100, **filters) -> tuple[list[Event], int | None]:
    """A page of the log and the `after` of the next page (None when the log is exhausted)."""
    rows = list(events(after=after, **filters)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


def subscriptions() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.order_by("id").annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status__in=Delivery.OPEN)),
        dead_count=Count("deliveries", filter=Q(deliveries__status=Delivery.DEAD)),
        delivered_count=Count("deliveries", filter=Q(deliveries__status=Delivery.DELIVERED)),
    )


def subscription_by_id(subscription_id: int) -> WebhookSubscription:
    sub = subscriptions().filter(pk=subscription_id).first()
    if sub is None:
        raise NoSuchSubscription(_("no webhook #%(id)s") % {"id": subscription_id}, field="id")
    return sub


def deliveries(*, subscription_id: int | None = None, statuses: list[str] | None = None) -> QuerySet[Delivery]:
    qs = Delivery.objects.select_related("event", "subscription").order_by("-id")
    if subscription_id is not None:
        qs = qs.filter(subscription_id=subscription_id)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs


def delivery_by_id(delivery_id: int) -> Delivery:
    row = deliveries().filter(pk=delivery_id).first()
    if row is None:
        raise NoSuchDelivery(_("no delivery #%(id)s") % {"id": delivery_id}, field="id")
    return row


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys((s for s, _label in Delivery.STATUSES), 0)
    for row in Delivery.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def handlers_cursor() -> HubCursor | None:
    return HubCursor.objects.filter(name="handlers").first()


def api_tokens():
    """API tokens with their owners, newest first."""
    return ApiToken.objects.select_related("user").order_by("-id")
