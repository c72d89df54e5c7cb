"""In-process subscribers: `@subscribe("catalog.*", "stock.refresh_names")` on a function of one event.

`sihe worker` runs every matching handler for every event of the log, in log order. Each handler
runs in its own transaction together with its `HandlerReceipt`, so an event delivered again (a
worker killed after the handler committed but before the cursor moved, two workers at once) runs
the handler once: the receipt is checked first and its unique constraint settles a race.

Handlers are wired explicitly in `sihe/hub/wiring.py` (a lower app never imports the hub).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sihe.core import modules
from sihe.core.actor import Actor
from sihe.core.models import Event
from sihe.hub import patterns
from sihe.hub.models import HandlerReceipt

HandlerFn = Callable[[Event], None]


@dataclass(frozen=True)
class Handler:
    pattern: str
    name: str
    fn: HandlerFn

    def matches(self, event_type: str) -> bool:
        return patterns.matches(self.pattern, event_type)


_HANDLERS: dict[str, Handler] = {}


def subscribe(pattern: str, name: str) -> Callable[[HandlerFn], HandlerFn]:
    """Register `fn` for events whose type matches `pattern`; `name` is its permanent id (receipts
    are keyed by it: renaming a handler makes it run again for events it has already handled)."""
    if not patterns.is_valid(pattern):
        raise ValueError(f"bad event type pattern {pattern!r}: use a.b.c, a.* or *")
    if not name or len(name) > 200:
        raise ValueError("a handler needs a name of 1 to 200 characters")

    def decorator(fn: HandlerFn) -> HandlerFn:
        existing = _HANDLERS.get(name)
        if existing is not None and (existing.fn is not fn or existing.pattern != pattern):
            raise ValueError(f"handler name {name!r} is already taken by {existing.fn!r}")
        _HANDLERS[name] = Handler(pattern=pattern, name=name, fn=fn)
        return fn

    return decorator


def unsubscribe(name: str) -> None:
    _HANDLERS.pop(name, None)


def handlers() -> list[Handler]:
    return list(_HANDLERS.values())


def handlers_for(event_type: str) -> list[Handler]:
    return [h for h in _HANDLERS.values() if h.matches(event_type)]


def handler_actor(name: str) -> Actor:
    """The actor a handler passes to the services it calls."""
    return Actor(user_id=None, username=f"handler:{name}"[:150], role="admin", via="worker")


def run_handler(handler: Handler, event: Event) -> bool:
    """Run `handler` for `event` once: True if it ran now, False if a receipt shows it already had."""
    try:
        with transaction.atomic(durable=True):
            if HandlerReceipt.objects.filter(handler=handler.name, event_id=event.id).exists():
                return False
            # A handler of a module turned off does nothing; its receipt says the event was seen, so turning
            # the module on again starts from the events that come after.
            if modules.code_enabled(handler.fn):
                handler.fn(event)
            HandlerReceipt.objects.create(handler=handler.name, event_id=event.id)
        return True
    except IntegrityError:
        # Another worker committed the same receipt first: its run counts, ours was rolled back.
        if HandlerReceipt.objects.filter(handler=handler.name, event_id=event.id).exists():
            return False
        raise
