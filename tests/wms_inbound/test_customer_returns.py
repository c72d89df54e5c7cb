"""Customer returns (退货) through the inbound scan and QC: an ASN of source type "oms.aftersales"
comes in from the customer at the unit cost the goods left at (stock.issue reversed, not a purchase),
always into quality hold; a pass goes to a bin, a fail stays ours, in the defective location, held
out of every allocation; the after-sales side hears both through the hooks."""

from decimal import Decimal

import pytest
from django.db import transaction

from sihe.costing import services as costing
from sihe.costing.models import ValuationLayer
from sihe.ledger.models import Voucher, VoucherLine
from sihe.stock import reservations
from sihe.stock.errors import InsufficientStock
from sihe.stock.models import Quant, Reservation, StockLevel, StockMove
from sihe.stock.removal import candidates
from sihe.stock.services import InLine
from sihe.wms.inbound import hooks
from sihe.wms.inbound.models import Asn, AsnLine, Inspection
from sihe.wms.inbound.services import (
    DEFECTIVE_CODE,
    RETURN_SOURCE_TYPE,
    ExpectedLine,
    defective_of,
    defective_reference,
    expect_receipt,
    quality_of,
    receive_scan,
    reject_inspection,
    release_inspection,
)

from .conftest import GTIN_BOLT, GTIN_MILK, TODAY, loc

D = Decimal


def act(fn, **kw):
    with transaction.atomic():
        return fn(**kw)


def balance(code: str) -> Decimal:
    return sum((vl.debit - vl.credit for vl in VoucherLine.objects.filter(account__code=code)), D(0))


@pytest.fixture
def spies():
    calls = {"received": [], "rejected": []}

    def on_received(**kw):
        calls["received"].append(kw)

    def on_rejected(**kw):
        calls["rejected"].append(kw)

    hooks.register_on_received(on_received)
    hooks.register_on_rejected(on_rejected)
    yield calls
    hooks._on_received.remove(on_received)
    hooks._on_rejected.remove(on_rejected)


def expect_return(wh, actor, product, qty, unit_cost, *, case="7"):
    return act(expect_receipt, warehouse=wh, supplier=None, source_type=RETURN_SOURCE_TYPE, source_id=case,
               source_number=f"AS2026112500{case}", expected_date=None,
               lines=[ExpectedLine(product=product, qty=D(qty), unit_cost=D(unit_cost), source_line_id="41")],
               actor=actor)


def test_a_return_is_held_for_qc_at_its_issue_cost_and_a_reject_stays_as_defective(wh, bolt, actor, spies):
    # given bolts bought at 24.00 (today's average) and no inspection rule for bolts
    costing.receive(warehouse=wh, lines=[InLine(product=bolt, qty=D(10), unit_cost=D("24"))], actor=actor,
                    date=TODAY, location=loc(wh, "A-01-02-01"))
    inventory, cogs = balance("1405"), balance("5401")
    # and a customer return of 2 expected at 20.00 each (the cost they left at), no supplier
    asn = expect_return(wh, actor, bolt, "2", "20")
    assert (asn.supplier_id, asn.is_customer_return) == (None, True)

    # when two GS1 scans come in (one asks for a bin: a return goes to QC all the same)
    first = act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_BOLT}", actor=actor, location=loc(wh, "A-01-01-01"))
    second = act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_BOLT}", actor=actor)

    # then both are held in the quality location, none suggested for putaway
    for result in (first, second):
        assert (result["held"], result["location"], result["qty"], result["suggested_bin"]) == (True, "QC-1", "1", None)
    assert Asn.objects.get().status == "received"
    level = StockLevel.objects.get(product=bolt, warehouse=wh)
    assert (level.on_hand, level.reserved, level.available) == (D(12), D(2), D(10))
    # the moves come in from the customer as receipts, at 20.00, not at the 24.00 average
    moves = list(StockMove.objects.filter(reference=asn.number).order_by("id"))
    assert [(m.kind, m.counterpart, m.dst_location.code, m.qty, m.unit_cost) for m in moves] == [
        ("receipt", "customer", "QC-1", D(1), D("20.000000"))] * 2
    layers = list(ValuationLayer.objects.filter(move__in=moves).order_by("id"))
    assert [(la.kind, la.value, la.unit_cost, la.fixed_value) for la in layers] == [
        ("in", D("20.00"), D("20.000000"), True)] * 2
    assert costing.valuation(product=bolt, warehouse=wh)["value"] == D("280.00")  # 240 + 2 × 20
    # the sale's cost is booked back: 1405 +40.00, 5401 −40.00, nothing to 应付账款—暂估
    vouchers = Voucher.objects.filter(source_type="stock_move", source_id__in=[str(m.pk) for m in moves])
    assert sorted(v.rule for v in vouchers) == ["stock.issue.reverse"] * 2
    assert (balance("1405") - inventory, balance("5401") - cogs) == (D("40.00"), D("-40.00"))
    assert balance("2202.02") == D("-240.00")  # only the purchase
    # the after-sales side heard each scan with its line
    line = AsnLine.objects.get()
    assert [[(ln.pk, qty) for ln, qty in call["received"]] for call in spies["received"]] == [[(line.pk, D(1))]] * 2
    assert all(call["asn"].pk == asn.pk for call in spies["received"])

    # when one passes QC to a bin and the other fails
    passed, failed = Inspection.objects.order_by("id")
    vouchers_before = Voucher.objects.count()
    act(release_inspection, inspection=passed, actor=actor, to_location=loc(wh, "A-01-01-01"), note="完好")
    failed = act(reject_inspection, inspection=failed, actor=actor, note="外壳破损")

    # then the passed one is on the bin, the failed one in the defective location (made on demand)
    defective = defective_of(wh)
    assert (defective.code, defective.kind, failed.status, failed.released_to) == (DEFECTIVE_CODE, "quality",
                                                                                 "rejected", defective)
    assert quality_of(wh).code == "QC-1"  # the defective location is never taken for quality hold
    quants = {q.location.code: q.qty for q in Quant.objects.filter(product=bolt, qty__gt=0).select_related("location")}
    assert quants == {"A-01-02-01": D(10), "A-01-01-01": D(1), "DEF": D(1)}
    assert Quant.objects.get(product=bolt, location=loc(wh, "QC-1")).qty == D(0)
    # nothing was reversed and nothing booked: the goods are still ours, at 20.00
    assert not StockMove.objects.filter(reversal_of__isnull=False).exists()
    assert Voucher.objects.count() == vouchers_before
    assert costing.valuation(product=bolt, warehouse=wh)["value"] == D("280.00")
    # the line counts the rejected unit, the ASN stays received (the goods did come)
    line.refresh_from_db()
    assert (line.received_qty, line.rejected_qty) == (D(2), D(1))
    assert Asn.objects.get().status == "received"
    # the after-sales side heard the rejection with its line
    [call] = spies["rejected"]
    assert (call["asn"].pk, [(ln.pk, qty) for ln, qty in call["rejected"]]) == (asn.pk, [(line.pk, D(1))])

    # and the defective unit cannot be allocated: held by DEF-<inspection>, out of available and removal
    held = Reservation.objects.get(reference=defective_reference(failed))
    assert (held.state, held.qty, held.reference) == ("active", D(1), f"DEF-{failed.pk}")
    level = StockLevel.objects.get(product=bolt, warehouse=wh)
    assert (level.on_hand, level.reserved, level.available) == (D(12), D(1), D(11))
    assert DEFECTIVE_CODE not in {q.location.code for q in candidates(bolt, wh)}
    with pytest.raises(InsufficientStock), transaction.atomic():
        reservations.reserve(product=bolt, warehouse=wh, qty=D(12), reference="SO-1", actor=actor)
    with pytest.raises(InsufficientStock), transaction.atomic():
        reservations.reserve(product=bolt, warehouse=wh, qty=D(1), reference="SO-2", actor=actor, location=defective)
    every = act(reservations.reserve, product=bolt, warehouse=wh, qty=D(11), reference="SO-3", actor=actor)
    assert {ln.quant.location.code for ln in every.lines.select_related("quant__location")} == {
        "A-01-02-01", "A-01-01-01"}
    # a second rejected return reuses the same defective location
    assert defective_of(wh).pk == defective.pk


def test_a_returned_lot_rejected_is_held_by_lot_in_the_defective_location(wh, milk, actor, spies):
    asn = expect_return(wh, actor, milk, "3", "4.20", case="8")
    act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)RT-1(37)3", actor=actor)
    inspection = Inspection.objects.get()
    act(reject_inspection, inspection=inspection, actor=actor)
    quant = Quant.objects.get(product=milk, location__code=DEFECTIVE_CODE)
    assert (quant.lot.number, quant.qty, quant.reserved) == ("RT-1", D(3), D(3))
    assert StockLevel.objects.get(product=milk, warehouse=wh).available == D(0)
    assert balance("1405") == D("12.60")
    assert balance("5401") == D("-12.60")
    assert Asn.objects.get().status == "received"
