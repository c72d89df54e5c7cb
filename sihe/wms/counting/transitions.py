"""A count task's life (one table; services check it, pages ask it): open while counted and recounted,
then closed (differences posted) or cancelled (nothing posted)."""

from sihe.core.transitions import Lifecycle
from sihe.wms.counting.models import CountTask

S = CountTask.State

COUNT = Lifecycle("count", S, {
    "count": ({S.OPEN}, S.OPEN),
    "close": ({S.OPEN}, S.CLOSED),
    "cancel": ({S.OPEN}, S.CANCELLED),
})
