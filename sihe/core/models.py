"""The courtyard's machine-facing facts: the event log (transactional outbox), the audit trail and
idempotency records. All append-only except the idempotency record's stored response."""

from django.db import models


class Event(models.Model):
    """One business event, written in the same transaction as the act (transactional outbox).

    The id is the log's order; `sihe worker` delivers from it, `GET /api/v1/events` replays it.
    """

    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=100, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    aggregate_type = models.CharField(max_length=60)
    aggregate_id = models.CharField(max_length=100)
    occurred_at = models.DateTimeField()
    actor = models.JSONField(default=dict)
    payload = models.JSONField(default=dict)

    class Meta:
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
    at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    via = models.CharField(max_length=20)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=100)
    object_repr = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=100, blank=True)
    old_value = models.TextField(blank=True, null=True)
    new_value = models.TextField(blank=True, null=True)

    class Meta:
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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_unique_key")]
