"""Events of invoicing (payload version 1; money as decimal strings).

- invoicing.invoice.issued: `{id, number, kind: blue|red, red_of: number|null, issue_date, buyer: {name,
  tax_id}, amount, tax, total, sources: [{source_type, source_id, source_number}]}` — emitted for blue and
  red (负数) invoices alike; a red one carries `red_of` and negative amounts.
"""

from sihe.core.actor import Actor
from sihe.core.outbox import emit

VERSION = 1
ISSUED = "invoicing.invoice.issued"


def issued_payload(invoice, sources) -> dict:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "kind": invoice.kind,
        "red_of": invoice.red_of.number if invoice.red_of_id else None,
        "issue_date": invoice.issue_date.isoformat(),
        "buyer": {"name": invoice.buyer_name, "tax_id": invoice.buyer_tax_id},
        "amount": f"{invoice.amount:.2f}",
        "tax": f"{invoice.tax:.2f}",
        "total": f"{invoice.total:.2f}",
        "sources": [{"source_type": s.source_type, "source_id": s.source_id, "source_number": s.source_number}
                    for s in sources],
    }


def issued(invoice, *, sources, actor: Actor) -> None:
    emit(ISSUED, aggregate_type="invoice", aggregate_id=invoice.pk, payload=issued_payload(invoice, sources),
         actor=actor, version=VERSION)
