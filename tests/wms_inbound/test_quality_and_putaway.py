"""Quality hold (held stock is not available; release makes it available, reject returns it to the
supplier reversing value) and putaway (suggestions, bin scan, capacity)."""

from decimal import Decimal

import pytest
from django.db import transaction

from sihe.catalog.models import Category, Location, Zone
from sihe.core.errors import DomainError, InvalidTransition, ValidationFailed
from sihe.core.models import Event
from sihe.ledger.models import Voucher, VoucherLine
from sihe.stock import reservations
from sihe.stock.errors import InsufficientStock
from sihe.stock.models import Quant, StockLevel, StockMove
from sihe.wms.inbound import hooks
from sihe.wms.inbound.models import Asn, AsnLine, Inspection, Putaway, PutawayRule
from sihe.wms.inbound.services import (
    put_away,
    receive_scan,
    reject_inspection,
    release_inspection,
    set_inspection_rule,
    set_putaway_rule,
    suggest_bin,
)

from .conftest import GTIN_BOLT, GTIN_MILK, NOW, loc, make_product

D = Decimal


def act(fn, **kw):
    with transaction.atomic():
        return fn(**kw)


def balance(code: str) -> Decimal:
    lines = VoucherLine.objects.filter(account__code=code)
    return sum((vl.debit - vl.credit for vl in lines), D(0))


@pytest.fixture
def held_milk(make_asn, milk, actor):
    act(set_inspection_rule, product=milk, active=True, actor=actor, note="乳制品必检")
    asn = make_asn((milk, 100, "4.50"))
    result = act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)QC-LOT(37)60", actor=actor)
    return asn, result


def test_flagged_product_is_received_into_quality_hold_and_not_available(held_milk, wh, milk, actor):
    asn, result = held_milk
    # then: on hand in the quality location, all of it reserved by the inspection
    assert (result["held"], result["location"], result["suggested_bin"]) == (True, "QC-1", None)
    inspection = Inspection.objects.get()
    assert inspection.reference == f"QC-{inspection.pk}"
    assert (inspection.status, inspection.qty) == ("pending", D("60"))
    level = StockLevel.objects.get(product=milk, warehouse=wh)
    assert (level.on_hand, level.reserved, level.available) == (D("60"), D("60"), D("0"))
    # and nobody can reserve it
    with pytest.raises(InsufficientStock), transaction.atomic():
        reservations.reserve(product=milk, warehouse=wh, qty=D("1"), reference="SO-1", actor=actor)
    # the books already carry the estimate (goods received, not invoiced)
    assert balance("1405") == D("270.00")
    assert balance("2202.02") == D("-270.00")
    assert AsnLine.objects.get().received_qty == D("60")


def test_release_makes_held_stock_available_on_the_dock(held_milk, wh, milk, actor):
    asn, _result = held_milk
    vouchers = Voucher.objects.count()
    inspection = act(release_inspection, inspection=Inspection.objects.get(), actor=actor, note="合格")
    assert (inspection.status, inspection.released_to.code, inspection.decided_by) == ("released", "DOCK-1", "tester")
    level = StockLevel.objects.get(product=milk, warehouse=wh)
    assert (level.on_hand, level.reserved) == (D("60"), D("0"))
    assert Quant.objects.get(product=milk, location=loc(wh, "DOCK-1")).qty == D("60")
    assert Quant.objects.get(product=milk, location=loc(wh, "QC-1")).qty == D("0")
    assert Voucher.objects.count() == vouchers  # a move inside the warehouse books nothing
    assert Event.objects.filter(type="wms.inspection.released").count() == 1
    with pytest.raises(InvalidTransition):
        act(release_inspection, inspection=inspection, actor=actor)


def test_reject_returns_goods_to_supplier_and_reverses_the_estimate(held_milk, wh, milk, actor):
    asn, _result = held_milk
    rejected = []

    def spy(**kw):
        rejected.append(kw)

    hooks.register_on_rejected(spy)
    try:
        inspection = act(reject_inspection, inspection=Inspection.objects.get(), actor=actor, note="包装破损")
    finally:
        hooks._on_rejected.remove(spy)
    assert inspection.status == "rejected"
    level = StockLevel.objects.get(product=milk, warehouse=wh)
    assert (level.on_hand, level.reserved) == (D("0"), D("0"))
    back = StockMove.objects.filter(reversal_of__isnull=False).get()
    assert (back.src_location.code, back.dst_location_id, back.counterpart, back.qty) == ("QC-1", None, "supplier",
                                                                                          D("60"))
    assert balance("1405") == D("0.00")
    assert balance("2202.02") == D("0.00")
    line = AsnLine.objects.get()
    assert (line.received_qty, line.rejected_qty) == (D("60"), D("60"))
    assert Asn.objects.get().status == "receiving"
    assert rejected[0]["rejected"][0][1] == D("60")
    event = Event.objects.get(type="wms.inspection.rejected")
    assert {k: event.payload[k] for k in ("inspection", "sku", "lot", "qty", "location", "source_line_id")} == {
        "inspection": inspection.pk, "sku": "MILK-1L", "lot": "QC-LOT", "qty": "60", "location": "QC-1",
        "source_line_id": "L0"}
    # the supplier sends 100 again: still within what is expected
    act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)QC-LOT2(37)100", actor=actor)
    assert Asn.objects.get().status == "received"


def test_no_quality_location_refuses_the_scan(make_asn, milk, actor, wh):
    Location.objects.filter(kind="quality").update(active=False)
    act(set_inspection_rule, product=milk, active=True, actor=actor)
    asn = make_asn((milk, 10, "4.50"))
    with pytest.raises(ValidationFailed) as refused:
        act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)X", actor=actor)
    assert (refused.value.code, refused.value.field) == ("no_quality_location", "location")
    assert StockMove.objects.count() == 0


# -- putaway --------------------------------------------------------------------------------------


def test_suggestion_prefers_the_bin_with_the_same_lot(make_asn, milk, actor, wh):
    asn = make_asn((milk, 100, "4.50"))
    act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)L1(37)30", actor=actor)
    act(put_away, warehouse=wh, product=milk, lot=milk.lots.get(number="L1"), qty="10",
        to_location=loc(wh, "A-01-03-01"), actor=actor)
    result = act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)L1(37)20", actor=actor)
    assert result["suggested_bin"] == "A-01-03-01"  # same product and lot already there
    # another lot: an empty bin in the product's zone (A, where it already lies), nearest first
    other = act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)L2(37)5", actor=actor)
    assert other["suggested_bin"] == "A-01-01-01"


def test_suggestion_of_an_untracked_product_prefers_the_bin_that_holds_it(make_asn, bolt, actor, wh):
    asn = make_asn((bolt, 8000, "0.20"))
    act(receive_scan, asn=asn, barcode=GTIN_BOLT, qty="4000", actor=actor)
    act(put_away, warehouse=wh, product=bolt, qty="3000", to_location=loc(wh, "B-01-02-01"), actor=actor)
    result = act(receive_scan, asn=asn, barcode=GTIN_BOLT, qty="1000", actor=actor)
    assert result["suggested_bin"] == "B-01-02-01"  # no lot, as the bolts already there: 0.3 + 0.1 m³ of 0.5
    # 3,000 more do not fit beside them (0.7 m³ of 0.5): the nearest empty bin of zone B, where the bolts lie
    assert suggest_bin(product=bolt, warehouse=wh, qty=D("3000")).code == "B-01-01-01"


def test_suggestion_uses_the_putaway_rule_zone_and_capacity(bolt, wh, actor, make_asn):
    act(set_putaway_rule, warehouse=wh, zone=Zone.objects.get(warehouse=wh, code="B"), product=bolt, actor=actor)
    # 0.0001 m³ each: 5,000 = 0.5 m³ fits B-01-01-01 (0.5 m³); 6,000 does not fit any B bin → an A bin (1 m³)
    assert suggest_bin(product=bolt, warehouse=wh, qty=D("5000")).code == "B-01-01-01"
    assert suggest_bin(product=bolt, warehouse=wh, qty=D("6000")).code == "A-01-01-01"
    assert suggest_bin(product=bolt, warehouse=wh, qty=D("20000")) is None


def test_suggestion_zone_comes_from_the_product_rule_then_the_category_rule_then_where_it_lies(
        make_asn, milk, actor, wh, django_assert_num_queries):
    zone_a, zone_b = Zone.objects.get(warehouse=wh, code="A"), Zone.objects.get(warehouse=wh, code="B")
    # nothing known yet: no rule, no stock → the nearest empty bin of the warehouse
    assert suggest_bin(product=milk, warehouse=wh, qty=D("1")).code == "A-01-01-01"
    asn = make_asn((milk, 100, "4.50"))
    act(receive_scan, asn=asn, barcode=f"(01)0{GTIN_MILK}(17)261231(10)L1(37)30", actor=actor)
    act(put_away, warehouse=wh, product=milk, lot=milk.lots.get(number="L1"), qty="10",
        to_location=loc(wh, "A-01-03-01"), actor=actor)
    # it lies in zone A: another lot goes to the nearest empty bin of A
    assert suggest_bin(product=milk, warehouse=wh, qty=D("1")).code == "A-01-01-01"
    # a rule for its category (乳制品 → B) wins over where it lies; the suggestion reads it in the same statement
    dairy = Category.objects.create(code="DAIRY", name="乳制品")
    milk.category = dairy
    milk.save(update_fields=["category"])
    act(set_putaway_rule, warehouse=wh, zone=zone_b, category=dairy, actor=actor)
    # one statement: no bin holds this (unnamed) lot, so the empty bin in the rule's zone comes with that answer
    with django_assert_num_queries(1):
        assert suggest_bin(product=milk, warehouse=wh, qty=D("1")).code == "B-01-01-01"
    # the product's own rule wins over its category's
    act(set_putaway_rule, warehouse=wh, zone=zone_a, product=milk, actor=actor)
    assert suggest_bin(product=milk, warehouse=wh, qty=D("1")).code == "A-01-01-01"
    # the rule's zone is full (both B bins taken by another product): any empty bin with room
    PutawayRule.objects.filter(product=milk).delete()
    for code in ("B-01-01-01", "B-01-02-01"):
        Quant.objects.create(product=make_product(f"X-{code}", None), warehouse=wh, location=loc(wh, code), qty=D(1),
                             in_date=NOW.date())
    assert suggest_bin(product=milk, warehouse=wh, qty=D("1")).code == "A-01-01-01"


def test_put_away_moves_dock_to_scanned_bin(make_asn, bolt, actor, wh):
    asn = make_asn((bolt, 8000, "0.20"))
    act(receive_scan, asn=asn, barcode=GTIN_BOLT, qty="8000", actor=actor)
    vouchers = Voucher.objects.count()
    record = act(put_away, warehouse=wh, product=bolt, qty="3000", to_location=loc(wh, "B-01-01-01"), actor=actor)
    assert (record.from_location.code, record.to_location.code, record.qty) == ("DOCK-1", "B-01-01-01", D("3000"))
    assert Quant.objects.get(product=bolt, location=loc(wh, "DOCK-1")).qty == D("5000")
    assert Quant.objects.get(product=bolt, location=loc(wh, "B-01-01-01")).qty == D("3000")
    assert Voucher.objects.count() == vouchers
    assert Event.objects.filter(type="wms.putaway.done").get().payload["to"] == "B-01-01-01"
    # capacity: 0.3 m³ used of 0.5; 2,001 more (0.2001 m³) is refused, nothing changed
    moves = StockMove.objects.count()
    with pytest.raises(ValidationFailed) as full:
        act(put_away, warehouse=wh, product=bolt, qty="2001", to_location=loc(wh, "B-01-01-01"), actor=actor)
    assert (full.value.code, full.value.field) == ("over_capacity", "bin")
    assert StockMove.objects.count() == moves and Putaway.objects.count() == 1
    # not a bin, more than on the dock
    with pytest.raises(ValidationFailed) as not_bin:
        act(put_away, warehouse=wh, product=bolt, qty="1", to_location=loc(wh, "QC-1"), actor=actor)
    assert not_bin.value.code == "not_a_bin"
    with pytest.raises(DomainError) as short:
        act(put_away, warehouse=wh, product=bolt, qty="5001", to_location=loc(wh, "A-01-02-01"), actor=actor)
    assert short.value.code == "insufficient_stock"
    assert StockMove.objects.count() == moves
