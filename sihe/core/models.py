"""The courtyard's machine-facing facts: the event log (transactional outbox), the audit trail and
idempotency records. All append-only except the idempotency record's stored response."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One business event, written in the same transaction as the act (transactional outbox).

    The id is the log's order; `sihe worker` delivers from it, `GET /api/v1/events` replays it.
    """

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=100, db_index=True, verbose_name=_("type"))
    version = models.PositiveSmallIntegerField(default=1, verbose_name=_("version"))
    aggregate_type = models.CharField(max_length=60, verbose_name=_("aggregate type"))
    aggregate_id = models.CharField(max_length=100, verbose_name=_("aggregate id"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    actor = models.JSONField(default=dict, verbose_name=_("actor"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["aggregate_type", "aggregate_id", "id"])]
        ordering = ["id"]

    def __str__(self):
        return f"#{self.id} {self.type} {self.aggregate_type}:{self.aggregate_id}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "aggregate": {"type": self.aggregate_type, "id": self.aggregate_id},
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            "payload": self.payload,
        }


class AuditEntry(models.Model):
    """Who did what, when, and each field's value before and after. For people; not switchable off."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True, verbose_name=_("time"))
    user_id = models.BigIntegerField(null=True, verbose_name=_("user id"))
    username = models.CharField(max_length=150, verbose_name=_("user"))
    via = models.CharField(max_length=20, verbose_name=_("via"))
    action = models.CharField(max_length=60, verbose_name=_("action"))
    object_type = models.CharField(max_length=60, verbose_name=_("object type"))
    object_id = models.CharField(max_length=100, verbose_name=_("object key"))
    object_repr = models.CharField(max_length=200, blank=True, verbose_name=_("object"))
    field = models.CharField(max_length=100, blank=True, verbose_name=_("field"))
    old_value = models.TextField(blank=True, null=True, verbose_name=_("before"))
    new_value = models.TextField(blank=True, null=True, verbose_name=_("after"))

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]
        ordering = ["-id"]


class IdempotencyRecord(models.Model):
    """The first response to a POST with an `Idempotency-Key`, replayed for the same key again."""

    key = models.CharField(max_length=200)
    principal = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed = models.BooleanField(default=False)
    # while running: the request owns the key until then; a crashed request's key is free again after it
    lease_until = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]


class NumberSeries(models.Model):
    """The last number given in a series (a document kind, per period where numbers restart). Moved by
    one guarded UPDATE … RETURNING inside the act's transaction, so numbers are gapless: a rolled-back
    act gives its number back, and concurrent acts queue on the row until commit."""

    series = models.CharField(max_length=40)
    period = models.CharField(max_length=20, default="", blank=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [models.UniqueConstraint(fields=["series", "period"], name="core_number_series_unique")]

    def __str__(self):
        return f"{self.series}/{self.period}: {self.last}"


class ModuleSwitch(models.Model):
    """A module (sihe.core.modules) a company turned off or on again; no row: on."""

    code = models.CharField(_("module"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.CharField(_("changed by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("module switch")
        verbose_name_plural = _("module switches")

    def __str__(self):
        return f"{self.code}: {'on' if self.enabled else 'off'}"
