"""The purchase order's state table: what is allowed, and that everything else is refused."""

import pytest

from sihe.core.errors import InvalidTransition
from sihe.purchasing import transitions

ALLOWED = {
    ("draft", "pending_approval"), ("draft", "approved"), ("draft", "confirmed"), ("draft", "cancelled"),
    ("pending_approval", "approved"), ("pending_approval", "cancelled"), ("pending_approval", "draft"),
    ("approved", "confirmed"), ("approved", "cancelled"),
    ("confirmed", "partially_received"), ("confirmed", "received"), ("confirmed", "closed"),
    ("confirmed", "cancelled"),
    ("partially_received", "partially_received"), ("partially_received", "received"),
    ("partially_received", "closed"), ("partially_received", "confirmed"),
    ("received", "partially_received"), ("received", "confirmed"), ("received", "closed"),
}
STATES = ["draft", "pending_approval", "approved", "confirmed", "partially_received", "received", "closed",
          "cancelled"]


@pytest.mark.parametrize("current", STATES)
def test_only_the_table_is_allowed(current, settings):
    settings.LANGUAGE_CODE = "en"
    for target in STATES:
        if (current, target) in ALLOWED:
            transitions.check(current, target)
        else:
            with pytest.raises(InvalidTransition) as caught:
                transitions.check(current, target)
            assert caught.value.field == "status"


def test_closed_and_cancelled_are_final():
    assert transitions.TRANSITIONS["closed"] == set() and transitions.TRANSITIONS["cancelled"] == set()
