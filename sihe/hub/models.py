"""The hub's own state: API tokens, webhook subscriptions and their deliveries, handler receipts, cursors."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(pgettext_lazy("timestamp", "created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookSubscription(models.Model):
    """An outside system that wants events POSTed to `url`, signed with HMAC-SHA256 of `secret`.

    `event_types` is a list of patterns: an exact type (`catalog.product.created`), a prefix
    (`catalog.*`) or everything (`*`).
    """

    url = models.CharField(_("URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(_("secret"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("timestamp", "created"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("timestamp", "updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.url}"

    def matches(self, event_type: str) -> bool:
        from sihe.hub.patterns import matches

        return any(matches(pattern, event_type) for pattern in self.event_types)


class Delivery(models.Model):
    """One event to one subscription: its state, attempts and the last answer of the receiver."""

    PENDING, IN_FLIGHT, DELIVERED, FAILED, DEAD = "pending", "in_flight", "delivered", "failed", "dead"
    STATUSES = [
        (PENDING, _("pending")),
        (IN_FLIGHT, _("in flight")),
        (DELIVERED, _("delivered")),
        (FAILED, _("failed, will retry")),
        (DEAD, _("dead letter")),
    ]
    # An open delivery holds back later events of the same aggregate for the same subscription.
    OPEN = (PENDING, IN_FLIGHT, FAILED)

    event = models.ForeignKey("core.Event", on_delete=models.PROTECT, related_name="+")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event so that the per-aggregate order check needs no join.
    aggregate_type = models.CharField(max_length=60)
    aggregate_id = models.CharField(max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="hub_delivery_event_subscription"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="hub_delivery_due"),
            models.Index(
                fields=["subscription", "aggregate_type", "aggregate_id", "event"], name="hub_delivery_aggregate"
            ),
        ]

    def __str__(self):
        return f"delivery #{self.pk} event {self.event_id} → {self.subscription_id} ({self.status})"

    @property
    def can_retry(self) -> bool:
        return self.status in (self.FAILED, self.DEAD)


class HandlerReceipt(models.Model):
    """Proof that an in-process handler has run for an event: written in the handler's transaction."""

    handler = models.CharField(max_length=200)
    event_id = models.BigIntegerField()
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("handler receipt")
        verbose_name_plural = _("handler receipts")
        constraints = [models.UniqueConstraint(fields=["handler", "event_id"], name="hub_handler_receipt_once")]


class HubCursor(models.Model):
    """How far a pass over the event log has got: `webhooks` (fan-out) and `handlers`.

    Every event with an id ≤ `last_event_id` has been fanned out (or handled). When a handler fails,
    the handlers cursor stays before the event, with the error and the time of the next try.
    """

    name = models.CharField(max_length=40, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} @ {self.last_event_id}"

    class Meta:
        verbose_name = _("hub cursor")
        verbose_name_plural = _("hub cursors")
