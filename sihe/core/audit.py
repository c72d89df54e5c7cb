"""The audit trail: one row per changed field, written by services in the act's transaction."""

from decimal import Decimal

from django.db import connection

from sihe.core import batch, sqlrows
from sihe.core.actor import Actor
from sihe.core.models import AuditEntry


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def _entry(actor: Actor, action: str, obj, field: str = "", old=None, new=None) -> AuditEntry:
    return AuditEntry(
        at=actor.at,
        user_id=actor.user_id,
        username=actor.username,
        via=actor.via,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        field=field,
        old_value=_text(old),
        new_value=_text(new),
    )


def snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def _write(rows: list[AuditEntry]) -> None:
    """At once, or with the rest of the act's rows when the act collects them (sihe.core.batch)."""
    if not rows:
        return
    if batch.active() is not None:
        for row in rows:
            batch.add("audit", row)
        return
    sqlrows.insert_rows(rows)


def record_created(obj, *, actor: Actor, fields) -> None:
    assert connection.in_atomic_block, "audit rows are written in the act's transaction"
    rows = [_entry(actor, "create", obj, name, None, getattr(obj, name)) for name in fields]
    _write(rows or [_entry(actor, "create", obj)])


def record_changes(obj, *, actor: Actor, before: dict, action: str = "update") -> int:
    """Write one row per field whose value differs from `before`; return how many."""
    assert connection.in_atomic_block, "audit rows are written in the act's transaction"
    rows = [
        _entry(actor, action, obj, name, old, getattr(obj, name))
        for name, old in before.items()
        if _text(old) != _text(getattr(obj, name))
    ]
    _write(rows)
    return len(rows)


def record_act(obj, *, actor: Actor, action: str, detail: str = "") -> None:
    """An act that is not a field change (post, reverse, close, revoke)."""
    assert connection.in_atomic_block, "audit rows are written in the act's transaction"
    _write([_entry(actor, action, obj, "", None, detail or None)])


def history(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")
