"""`act()`: the transaction block of a service. The outermost act of a call keeps its savepoint, so a
refused act changes nothing even inside a caller's transaction; the acts it composes join it without
savepoints of their own (two round trips less each — they fail or succeed with their parent).

`attempt()`: a part of an act that may be refused while the act goes on (try one warehouse, then the
next): a savepoint of its own.

Audit rows and events an act buffers (`core.batch.collect()`) belong to the savepoint they were
written in: when the outermost act or an attempt is rolled back, its buffered rows go with it, so a
caller that catches the refusal and carries on never writes events of work that was undone.

`entry()`: the one durable transaction an entry point (API route, page, command, event handler) opens.
The first act run in it joins it without a savepoint: a refusal ends the entry, whose transaction is
rolled back whole, so the savepoint would only cost two round trips (SAVEPOINT, RELEASE) on every write.
An entry that catches a refusal and carries on writing uses `transaction.atomic(durable=True)` (its
acts keep their savepoints); under `entry()` such a caller gets Django's "an error occurred in the
current transaction" at its next statement, never a half-done act."""

import threading
from contextlib import contextmanager

from django.db import transaction

from sihe.core import batch

_local = threading.local()


@contextmanager
def entry():
    with transaction.atomic(durable=True):
        _local.entry = True
        try:
            yield
        finally:
            _local.entry = False


@contextmanager
def act():
    depth = getattr(_local, "depth", 0)
    point = batch.mark() if depth == 0 else None
    joins = depth == 0 and getattr(_local, "entry", False)
    if joins:  # only the entry's first act: a later one may be refused while the entry goes on
        _local.entry = False
    try:
        with transaction.atomic(savepoint=depth == 0 and not joins):
            _local.depth = depth + 1
            try:
                yield
            finally:
                _local.depth = depth
    except BaseException:
        if depth == 0:
            batch.discard_since(point)
        raise


@contextmanager
def attempt():
    point = batch.mark()
    try:
        with transaction.atomic():
            yield
    except BaseException:
        batch.discard_since(point)
        raise
