"""A quotation's life: drafted, sent to the dealer, accepted, converted into one order; cancelled any
time before it is an order. A quotation past its validity date can no longer be accepted or converted
(the services refuse it, `quotation_expired`): a new one is made at today's prices."""

from sihe.core.transitions import Lifecycle
from sihe.oms.b2b.models import Quotation

S = Quotation.Status

LIFE = Lifecycle("quotation", S, {
    "send": ({S.DRAFT}, S.SENT),
    "accept": ({S.DRAFT, S.SENT}, S.ACCEPTED),
    "convert": ({S.ACCEPTED}, S.CONVERTED),
    "cancel": ({S.DRAFT, S.SENT, S.ACCEPTED}, S.CANCELLED),
})
