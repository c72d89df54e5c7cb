"""The stock move's state table: the only allowed transitions, and the one helper that refuses others."""

from django.utils.translation import gettext as _

from sihe.stock.errors import ImmutableMove

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"done", "cancelled"},
    "done": set(),  # immutable: corrected by a reversing move
    "cancelled": set(),
}


def check(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        raise ImmutableMove(
            _("a %(current)s stock move cannot become %(target)s; correct a done move with a reversing move")
            % {"current": current, "target": target},
            field="state",
        )
