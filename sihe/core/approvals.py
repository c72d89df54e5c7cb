"""The approvals inbox: everything waiting for one person's decision, from every app, in one list.

Core knows no wing. Each app that makes people wait writes a small provider next to its services
(`sihe/purchasing/approvals.py`, …): who may decide, what is pending for an actor, and approve and
refuse calling the app's own services — so the rules (the approver's role, four eyes, notes) stay
where they are enforced. `sihe/hub/wiring.py` registers the providers:

    approvals.register(approvals.Kind("purchase_order", _("Purchase order"), permission="purchasing.approve",
                                      module="purchasing", pending=po.pending, approve=po.approve, refuse=po.refuse))

See docs/design/approvals.md.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.core.actor import Actor
from sihe.core.errors import NotFound, PermissionDenied, ValidationFailed


@dataclass(frozen=True)
class Item:
    """One thing waiting: what it is, since when, who asked, and where its document is shown."""

    kind: str
    id: str
    number: str
    title: str
    detail: str = ""
    amount: Decimal | None = None
    since: datetime.datetime | None = None
    requested_by: str = ""
    url: str = ""


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    permission: str  # who may see and decide this kind at all (the service checks the rest)
    pending: Callable[[Actor], list[Item]]  # what this actor may decide now
    approve: Callable[..., object]  # (pk: str, *, actor, note) -> the document
    refuse: Callable[..., object]  # (pk: str, *, actor, note) -> the document
    module: str = ""  # the sihe.core.modules code it belongs to; off: the kind is not listed
    note_on_refuse: bool = True  # refusing says why


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.code] = kind
    return kind


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def _visible(actor: Actor, off: set[str]) -> list[Kind]:
    from sihe.core.roles import can

    return [k for k in _KINDS.values() if can(actor.role, k.permission) and (not k.module or k.module not in off)]


def pending_for(actor: Actor, *, kind: str | None = None) -> list[Item]:
    """Everything this actor may decide now, oldest first."""
    from sihe.core import modules

    off = modules.disabled()
    items: list[Item] = []
    for k in _visible(actor, off):
        if kind and k.code != kind:
            continue
        items.extend(k.pending(actor))
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(items, key=lambda i: (i.since or far, i.kind, i.number))


def count_for(actor: Actor) -> int:
    return len(pending_for(actor))


def get_kind(code: str) -> Kind:
    kind = _KINDS.get(code)
    if kind is None:
        raise NotFound(_("no approvals of kind %(k)s; kinds: %(all)s") % {"k": code, "all": ", ".join(_KINDS)},
                       field="kind", code="unknown_kind")
    return kind


def decide(code: str, pk: str, action: str, *, actor: Actor, note: str = ""):
    """Approve or refuse one item through its app's services; the app's rules refuse what they refuse."""
    from sihe.core import modules
    from sihe.core.roles import can

    kind = get_kind(code)
    if kind.module and not modules.is_enabled(kind.module):
        raise NotFound(_("module %(m)s is turned off") % {"m": kind.module}, field="kind", code="module_disabled",
                       module=kind.module)
    if not can(actor.role, kind.permission):
        raise PermissionDenied(_("your role may not decide %(k)s") % {"k": kind.label}, field="kind")
    note = str(note or "").strip()
    if action == "approve":
        return kind.approve(str(pk), actor=actor, note=note)
    if action == "refuse":
        if kind.note_on_refuse and not note:
            raise ValidationFailed(_("say why you refuse"), field="note", code="note_required")
        return kind.refuse(str(pk), actor=actor, note=note)
    raise ValidationFailed(_("the action is approve or refuse"), field="action")
