"""The after-sales case's life (one table; services check it, pages and the API ask it what is allowed).

A refund-only case over the approval limit waits for approval; an open case is refunded or rejected;
a return-and-refund case waits for the goods (an expected return in the warehouse), is received when every
unit is back (QC graded), then refunded; an exchange is received and done when its zero-priced reshipment
has left too, a reissue is done when its reshipment has left; a case not yet refunded or done may be
cancelled (the buyer withdrew it). `actions_for(case)` is what a person may do: the table's acts less the
ones its kind has not (no refund for an exchange or a reissue) and less the ones the warehouse does.
"""

from sihe.core.transitions import Lifecycle
from sihe.oms.aftersales.models import Case

S = Case.Status

LIFE = Lifecycle("after-sales case", S, {
    "approve": ({S.PENDING_APPROVAL}, S.OPEN),
    "reject": ({S.PENDING_APPROVAL, S.OPEN, S.AWAITING_RETURN}, S.REJECTED),
    "receive": ({S.AWAITING_RETURN}, S.RECEIVED),
    "refund": ({S.OPEN, S.RECEIVED}, S.REFUNDED),
    "complete": ({S.OPEN, S.RECEIVED}, S.DONE),
    "cancel": ({S.PENDING_APPROVAL, S.OPEN, S.AWAITING_RETURN}, S.CANCELLED),
})
# cases that still claim their lines (a second case on the same units is refused)
ACTIVE = {S.PENDING_APPROVAL, S.OPEN, S.AWAITING_RETURN, S.RECEIVED, S.REFUNDED, S.DONE}
# acts the system does when the warehouse reports (the return is in, the reshipment left)
SYSTEM_ACTS = {"receive", "complete"}
NO_REFUND = {Case.Kind.EXCHANGE, Case.Kind.REISSUE}


def actions_for(case: Case) -> list[str]:
    return [a for a in LIFE.allowed_actions(case.status)
            if a not in SYSTEM_ACTS and not (a == "refund" and case.kind in NO_REFUND)]
