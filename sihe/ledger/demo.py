"""Demo opening balances (期初余额) for the current month: a step of `sihe demo`, idempotent."""

from collections.abc import Callable

from django.utils import timezone

from sihe.core.actor import Actor
from sihe.ledger.models import OpeningBalance
from sihe.ledger.services import import_opening_balances, period_of

OPENING = [
    {"account": "1001", "debit": "18000.00"},
    {"account": "1002", "debit": "1250000.00"},
    {"account": "1601", "debit": "186000.00"},
    {"account": "3001", "credit": "1200000.00"},
    {"account": "3104.01", "credit": "254000.00"},
]


def load_opening_balances(*, actor: Actor, advance: Callable[[int], None]) -> int:
    period = period_of(timezone.localdate(actor.at))
    created = 0
    if not OpeningBalance.objects.filter(source="").exists():
        created = import_opening_balances(period=period, rows=OPENING, actor=actor)
    advance(1)
    return created
