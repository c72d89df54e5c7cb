"""The production order's life (one table; services check it, pages and the API ask it what is allowed).

draft → released → in_progress → finished → closed; draft/released (nothing issued) → cancelled.
Issuing, reporting or receiving on a released order starts it; closing from in progress finishes it.
"""

from sihe.core.transitions import Lifecycle
from sihe.production.models import ProductionOrder

S = ProductionOrder.Status

LIFE = Lifecycle("production order", S, {
    "release": ({S.DRAFT}, S.RELEASED),
    "start": ({S.RELEASED}, S.IN_PROGRESS),
    "finish": ({S.RELEASED, S.IN_PROGRESS}, S.FINISHED),
    "close": ({S.IN_PROGRESS, S.FINISHED}, S.CLOSED),
    "cancel": ({S.DRAFT, S.RELEASED}, S.CANCELLED),
})
# acts on the floor that need an order released and not yet finished
WORKING = {S.RELEASED, S.IN_PROGRESS}
