"""A document's life as data: its states, the acts that move it, and the one check that refuses the rest.

    LIFE = Lifecycle("production order", ProductionOrder.Status, {
        "release": ({"draft"}, "released"),
        "start": ({"released"}, "in_progress"),
        ...
    })
    LIFE.check(order.status, "release")           # InvalidTransition naming both states, or nothing
    LIFE.allowed_actions(order.status)            # ["release", "cancel"]: what pages and the API offer

Services call `check` before each act; pages and the API show buttons and links from
`allowed_actions`, never from conditions of their own, so the table is the one source of truth.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sihe.core.errors import InvalidTransition


@dataclass(frozen=True)
class Lifecycle:
    noun: str
    states: type  # a TextChoices: its labels name the states in messages
    actions: dict[str, tuple[set[str] | frozenset[str], str]] = field(default_factory=dict)

    @property
    def table(self) -> dict[str, set[str]]:
        """state → the states it may become (derived from the actions)."""
        out: dict[str, set[str]] = {state: set() for state in self.states.values}
        for sources, target in self.actions.values():
            for source in sources:
                out[source].add(target)
        return out

    def _label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def allowed_actions(self, state: str) -> list[str]:
        return [name for name, (sources, _target) in self.actions.items() if state in sources]

    def target(self, action: str) -> str:
        return self.actions[action][1]

    def check(self, state: str, action: str, *, field: str = "status") -> str:
        """The state `action` leads to from `state`; InvalidTransition when the table has no such move."""
        if action not in self.actions:
            raise InvalidTransition(_("%(noun)s has no act %(action)s") % {"noun": self.noun, "action": action},
                                    field=field, code="unknown_action")
        sources, target = self.actions[action]
        if state not in sources:
            raise InvalidTransition(
                _("the %(noun)s is %(state)s: it cannot be %(action)s") % {
                    "noun": self.noun, "state": self._label(state), "action": action},
                field=field, state=state, allowed=self.allowed_actions(state))
        return target
