"""A blue invoice's life (one table): issued → partly reversed → reversed by red invoices (红冲); a red
invoice is never reversed itself. Once issued, nothing else about an invoice changes (the database
refuses it)."""

from sihe.core.transitions import Lifecycle
from sihe.invoicing.models import Invoice

S = Invoice.Status

INVOICE = Lifecycle("invoice", S, {
    "reverse_part": ({S.ISSUED, S.PARTLY_REVERSED}, S.PARTLY_REVERSED),
    "reverse": ({S.ISSUED, S.PARTLY_REVERSED}, S.REVERSED),
})
