"""Hub acts: subscribe a webhook, change or remove it, retry a failed or dead delivery.

Each act validates, writes, and records its audit rows in one transaction. The secret is never
written to the audit trail; it is returned once, when it is set.
"""

import secrets
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from sihe.core import audit, clock
from sihe.core.actor import Actor
from sihe.core.errors import ValidationFailed
from sihe.core.outbound import check_url
from sihe.hub import patterns
from sihe.hub.errors import BadSubscription, NoSuchDelivery, NoSuchSubscription, NotRetryable
from sihe.hub.models import Delivery, WebhookSubscription

AUDITED = ["url", "event_types", "active", "description"]
SECRET_MIN, SECRET_MAX = 16, 200


def reject_control_characters(value: str, field: str) -> str:
    """NUL and other control characters are refused up front (PostgreSQL cannot store NUL)."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BadSubscription(_("%(field)s contains control characters") % {"field": field}, field=field)
    return value


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def clean_url(url) -> str:
    url = (url or "").strip() if isinstance(url, str) else ""
    if not url:
        raise BadSubscription(_("a URL is required"), field="url")
    reject_control_characters(url, "url")
    if len(url) > 500:
        raise BadSubscription(_("the URL is longer than 500 characters"), field="url")
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # e.g. a port that is not a number
        valid = False
    if not valid:
        raise BadSubscription(_("the URL must start with http:// or https:// and name a host"), field="url")
    try:
        check_url(url)
    except ValidationFailed as refused:
        raise BadSubscription(refused.message, field="url", code=refused.code) from refused
    return url


def clean_event_types(value) -> list[str]:
    """A list of patterns, or one string of patterns separated by commas, spaces or new lines."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not value:
        raise BadSubscription(_("give at least one event type, e.g. catalog.* or *"), field="event_types")
    cleaned: list[str] = []
    for item in value:
        item = item.strip() if isinstance(item, str) else item
        if not isinstance(item, str) or not patterns.is_valid(item):
            raise BadSubscription(
                _("%(pattern)s is not an event type pattern (use catalog.product.created, catalog.* or *)")
                % {"pattern": item},
                field="event_types",
            )
        if item not in cleaned:
            cleaned.append(item)
    return cleaned


def clean_secret(value) -> str:
    if not isinstance(value, str) or not SECRET_MIN <= len(value) <= SECRET_MAX or value != value.strip():
        raise BadSubscription(
            _("the secret must be %(min)d to %(max)d characters without surrounding spaces")
            % {"min": SECRET_MIN, "max": SECRET_MAX},
            field="secret",
        )
    return reject_control_characters(value, "secret")


def clean_description(value) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > 200:
        raise BadSubscription(_("the description is longer than 200 characters"), field="description")
    return reject_control_characters(value, "description")


def clean_active(value) -> bool:
    if not isinstance(value, bool):
        raise BadSubscription(_("active must be true or false"), field="active")
    return value


def create_subscription(
    *, url: str, event_types, actor: Actor, secret: str | None = None, description: str = "", active: bool = True
) -> tuple[WebhookSubscription, str]:
    """Subscribe `url`; returns the subscription and its secret (generated when not given)."""
    with transaction.atomic():
        sub = WebhookSubscription(
            url=clean_url(url),
            event_types=clean_event_types(event_types),
            secret=clean_secret(secret) if secret else new_secret(),
            description=clean_description(description),
            active=clean_active(active),
            created_by_id=actor.user_id,
        )
        sub.save()
        audit.record_created(sub, actor=actor, fields=AUDITED)
    return sub, sub.secret


def update_subscription(*, subscription: WebhookSubscription, data: dict, actor: Actor) -> WebhookSubscription:
    """Change url, event_types, description, active and/or the secret (a rotation)."""
    cleaners = {
        "url": clean_url,
        "event_types": clean_event_types,
        "description": clean_description,
        "active": clean_active,
        "secret": clean_secret,
    }
    unknown = sorted(set(data) - set(cleaners))
    if unknown:
        raise BadSubscription(_("unknown field %(name)s") % {"name": unknown[0]}, field=unknown[0])
    cleaned = {name: cleaners[name](value) for name, value in data.items()}
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if sub is None:
            raise NoSuchSubscription(_("no such webhook"), field="id")
        before = audit.snapshot(sub, [name for name in cleaned if name in AUDITED])
        for name, value in cleaned.items():
            setattr(sub, name, value)
        sub.save()
        audit.record_changes(sub, actor=actor, before=before)
        if "secret" in cleaned and cleaned["secret"] != subscription.secret:
            audit.record_act(sub, actor=actor, action="webhook.secret_rotated")
    return sub


def delete_subscription(*, subscription: WebhookSubscription, actor: Actor) -> None:
    """Remove the subscription and its delivery history (to keep the history, deactivate instead)."""
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if sub is None:
            raise NoSuchSubscription(_("no such webhook"), field="id")
        audit.record_act(sub, actor=actor, action="webhook.delete", detail=sub.url)
        sub.delete()


def retry_delivery(*, delivery_id: int, actor: Actor) -> Delivery:
    """Put a failed or dead delivery back in line, due now, with a fresh count of attempts."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NoSuchDelivery(_("no such delivery"), field="id")
        if not delivery.can_retry:
            raise NotRetryable(
                _("only failed or dead deliveries can be retried; this one is %(status)s")
                % {"status": delivery.get_status_display()},
                field="status",
            )
        before = audit.snapshot(delivery, ["status", "attempts"])
        delivery.status = Delivery.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = clock.now()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record_changes(delivery, actor=actor, before=before, action="delivery.retry")
    return delivery
