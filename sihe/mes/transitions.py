"""The work order's life (one table; services check it, pages and the API ask it what is allowed).

planned → dispatched (to a line) → running ⇄ paused → done; planned/dispatched → cancelled.
"""

from sihe.core.transitions import Lifecycle
from sihe.mes.models import WorkOrder

S = WorkOrder.Status

LIFE = Lifecycle("work order", S, {
    "dispatch": ({S.PLANNED, S.DISPATCHED}, S.DISPATCHED),
    "start": ({S.DISPATCHED}, S.RUNNING),
    "pause": ({S.RUNNING}, S.PAUSED),
    "resume": ({S.PAUSED}, S.RUNNING),
    "complete": ({S.RUNNING, S.PAUSED}, S.DONE),
    "cancel": ({S.PLANNED, S.DISPATCHED}, S.CANCELLED),
})
# a work order the line is working on: counters, alarms and clocked hours are its
ON_LINE = {S.RUNNING, S.PAUSED}
