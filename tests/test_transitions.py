"""Issue 13.3: a document's life has one table. A shipment is packed only after it was picked and checked
(复核) — the table and the warehouse floor agree; shipping straight from any open state stays allowed
(the order page's ship without the handheld flow)."""

import pytest

from sihe.core.errors import InvalidTransition
from sihe.wms.models import Shipment
from sihe.wms.shipping import check_transition

S = Shipment.State


@pytest.mark.parametrize("state, target, allowed", [
    (S.PICKING, S.PACKED, False), (S.PICKED, S.PACKED, True), (S.PENDING, S.PACKED, False),
    (S.PICKING, S.SHIPPED, True), (S.PACKED, S.SHIPPED, True), (S.SHIPPED, S.CANCELLED, False),
])
def test_13_3_shipment_states_follow_one_table(state, target, allowed):
    shipment = Shipment(number="SH-T-1", state=state)
    if allowed:
        check_transition(shipment, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(shipment, target)


def test_13_3_pick_lists_and_waves_have_their_tables():
    from sihe.wms.outbound.transitions import PICKLIST, WAVE

    assert PICKLIST.allowed_actions("open") == ["start", "finish", "cancel"]
    assert PICKLIST.allowed_actions("picking") == ["finish", "cancel"]
    assert PICKLIST.allowed_actions("done") == [] and PICKLIST.allowed_actions("cancelled") == []
    assert WAVE.check("released", "done") == "done"  # every order shipped from the service page
    with pytest.raises(InvalidTransition):
        WAVE.check("done", "start")
    with pytest.raises(InvalidTransition):
        WAVE.check("picked", "start")


def test_13_3_count_tasks_invoices_and_supplier_invoices_have_their_tables():
    from sihe.invoicing.transitions import INVOICE
    from sihe.purchasing.transitions import SUPPLIER_INVOICE
    from sihe.wms.counting.transitions import COUNT

    assert COUNT.allowed_actions("open") == ["count", "close", "cancel"] and COUNT.allowed_actions("closed") == []
    assert INVOICE.check("issued", "reverse_part") == "partly_reversed"
    assert INVOICE.allowed_actions("reversed") == []
    assert SUPPLIER_INVOICE.check("partially_paid", "pay") == "paid"
    with pytest.raises(InvalidTransition):
        SUPPLIER_INVOICE.check("paid", "pay_part")


def test_13_3_expected_receipts_have_their_table():
    from sihe.wms.inbound.transitions import ASN

    assert ASN.allowed_actions("expected") == ["receive", "complete", "close", "cancel"]
    assert ASN.allowed_actions("received") == ["receive", "reopen"]  # more within tolerance; a rejection reopens
    assert ASN.allowed_actions("closed") == [] and ASN.allowed_actions("cancelled") == []
