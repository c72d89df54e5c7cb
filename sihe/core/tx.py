"""`act()`: the transaction block of a service. The outermost act of a call keeps its savepoint, so a
refused act changes nothing even inside a caller's transaction; the acts it composes join it without
savepoints of their own (two round trips less each — they fail or succeed with their parent)."""

import threading
from contextlib import contextmanager

from django.db import transaction

_local = threading.local()


@contextmanager
def act():
    depth = getattr(_local, "depth", 0)
    with transaction.atomic(savepoint=depth == 0):
        _local.depth = depth + 1
        try:
            yield
        finally:
            _local.depth = depth
