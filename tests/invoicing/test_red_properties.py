"""Property: however a blue invoice is returned in parts, no red invoice takes more than is left, the
blue invoice is reversed exactly when everything is back, and each line then nets to zero."""

from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sihe.core.errors import DomainError
from sihe.invoicing import services
from sihe.invoicing.models import InvoiceLine
from sihe.invoicing.services import InvoiceLineIn, RedLineIn

from .conftest import confirmation

GOODS = "1090511010000000000"
line_in = st.builds(
    lambda qty, cents, rate, inclusive: InvoiceLineIn(
        name="*日用杂品*杯子", tax_code=GOODS, tax_rate=rate, qty=qty,
        **({"gross": D(cents) / 100} if inclusive else {"unit_price": D(cents) / 100})),
    st.integers(1, 7), st.integers(1, 500_000), st.sampled_from(["0.13", "0.09", "0.06", "0.01"]), st.booleans())
returns = st.lists(st.tuples(st.integers(1, 3), st.integers(1, 7)), min_size=1, max_size=6)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(lines=st.lists(line_in, min_size=1, max_size=3), inclusive=st.booleans(), picks=returns)
def test_partial_returns_never_exceed_and_net_to_zero(company, actor, lines, inclusive, picks):
    lines = [InvoiceLineIn(**{**ln.__dict__, **({"gross": ln.gross or ln.unit_price, "unit_price": None} if inclusive
                                               else {"unit_price": ln.unit_price or ln.gross, "gross": None})})
             for ln in lines]
    with transaction.atomic():
        blue = services.issue_invoice(buyer_name="甲", lines=lines, sources=[], actor=actor)
        reds = []
        for line, qty in picks:
            try:
                with transaction.atomic():
                    reds.append(services.issue_red_invoice(invoice=blue, lines=[RedLineIn(line=line, qty=qty)],
                                                           confirmation_number=confirmation(), reason="退货",
                                                           actor=actor))
            except DomainError:
                pass  # more than is left, or no such line: refused, nothing changed
            blue.refresh_from_db()
            for row in InvoiceLine.objects.filter(invoice=blue):
                back = sum((r.amount for r in row.red_lines.all()), D(0))
                back_qty = sum((r.qty for r in row.red_lines.all()), D(0))
                assert 0 <= -back <= row.amount and 0 <= -back_qty <= row.qty
        if blue.status != "reversed":
            reds.append(services.issue_red_invoice(invoice=blue, confirmation_number=confirmation(),
                                                   reason="余下全部退货", actor=actor))
        blue.refresh_from_db()
        assert blue.status == "reversed"
        assert sum((r.total for r in reds), D(0)) == -blue.total
        for row in InvoiceLine.objects.filter(invoice=blue):
            assert sum((r.amount for r in row.red_lines.all()), D(0)) == -row.amount
            assert sum((r.tax for r in row.red_lines.all()), D(0)) == -row.tax
        transaction.set_rollback(True)
