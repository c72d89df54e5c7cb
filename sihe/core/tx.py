"""`act()`: the transaction block of a service. The outermost act of a call keeps its savepoint, so a
refused act changes nothing even inside a caller's transaction; the acts it composes join it without
savepoints of their own (two round trips less each — they fail or succeed with their parent).

`attempt()`: a part of an act that may be refused while the act goes on (try one warehouse, then the
next): a savepoint of its own.

Audit rows and events an act buffers (`core.batch.collect()`) belong to the savepoint they were
written in: when the outermost act or an attempt is rolled back, its buffered rows go with it, so a
caller that catches the refusal and carries on never writes events of work that was undone."""

import threading
from contextlib import contextmanager

from django.db import transaction

from sihe.core import batch

_local = threading.local()


@contextmanager
def act():
    depth = getattr(_local, "depth", 0)
    point = batch.mark() if depth == 0 else None
    try:
        with transaction.atomic(savepoint=depth == 0):
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
