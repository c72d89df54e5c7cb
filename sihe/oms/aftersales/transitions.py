"""The after-sales case's life (one table; services check it, pages and the API ask it what is allowed).

A refund-only case over the approval limit waits for approval; an open case is refunded or rejected;
a return-and-refund case waits for the goods (an expected return in the warehouse), is received when every
unit is back (QC graded), then refunded; a case not yet refunded may be cancelled (the buyer withdrew it).
"""

from sihe.core.transitions import Lifecycle
from sihe.oms.aftersales.models import Case

S = Case.Status

LIFE = Lifecycle("after-sales case", S, {
    "approve": ({S.PENDING_APPROVAL}, S.OPEN),
    "reject": ({S.PENDING_APPROVAL, S.OPEN, S.AWAITING_RETURN}, S.REJECTED),
    "receive": ({S.AWAITING_RETURN}, S.RECEIVED),
    "refund": ({S.OPEN, S.RECEIVED}, S.REFUNDED),
    "cancel": ({S.PENDING_APPROVAL, S.OPEN, S.AWAITING_RETURN}, S.CANCELLED),
})
# cases that still claim their lines (a second case on the same units is refused)
ACTIVE = {S.PENDING_APPROVAL, S.OPEN, S.AWAITING_RETURN, S.RECEIVED, S.REFUNDED}
