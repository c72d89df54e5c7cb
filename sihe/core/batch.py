"""One act, few round trips: audit rows and outbox events written together at the end of the act.

    with transaction.atomic(durable=True), batch.collect():
        ...services record audit rows and emit events...
    # the rows are inserted (one INSERT per table) when the block ends, still inside the transaction

Outside `collect()` audit rows and events are written at once, as before. Buffered rows belong to the
savepoint they were written in: `core.tx.act()` and `core.tx.attempt()` drop them when their savepoint
is rolled back (they call `mark()` and `discard_since()`; nothing else needs to).
"""

import threading
from contextlib import contextmanager

_local = threading.local()


def active() -> dict | None:
    return getattr(_local, "buffer", None)


def add(kind: str, row) -> bool:
    """Buffer `row` (an unsaved Event or AuditEntry) when an act collects; False when it does not."""
    buffer = active()
    if buffer is None:
        return False
    buffer[kind].append(row)
    return True


def memo(key, compute):
    """`compute()` once per collected act (settings rows, rows already locked); every time outside one."""
    buffer = active()
    if buffer is None:
        return compute()
    if key not in buffer["memo"]:
        buffer["memo"][key] = compute()
    return buffer["memo"][key]


def mark() -> tuple[int, int] | None:
    buffer = active()
    return None if buffer is None else (len(buffer["events"]), len(buffer["audit"]))


def discard_since(point: tuple[int, int] | None) -> None:
    buffer = active()
    if buffer is None or point is None:
        return
    del buffer["events"][point[0]:]
    del buffer["audit"][point[1]:]


def flush() -> None:
    from sihe.core.models import AuditEntry, Event

    buffer = active()
    if buffer is None:
        return
    events, audit = buffer["events"], buffer["audit"]
    buffer["events"], buffer["audit"] = [], []
    if events:
        Event.objects.bulk_create(events)
    if audit:
        AuditEntry.objects.bulk_create(audit)


@contextmanager
def collect():
    """Collect the act's audit rows and events; write them when the block ends without an error."""
    if active() is not None:  # already collecting: the outer block writes
        yield
        return
    _local.buffer = {"events": [], "audit": [], "memo": {}}
    try:
        yield
        flush()
    finally:
        _local.buffer = None
