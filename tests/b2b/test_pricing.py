"""Price resolution and promotions to the fen: the group's list valid on the date, the best break for the
quantity, the list price otherwise; 折扣, 满减 and 赠品 valid on the date for the group; a discount spread
over the lines with the remainder on the largest line."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from sihe.core.errors import DomainError
from sihe.oms.b2b import pricing
from sihe.oms.b2b import services as b2b
from sihe.oms.b2b.models import CustomerGroup, PriceBreak, PriceList, Promotion

from .world import DEC31, dealer_world

D = Decimal
pytestmark = pytest.mark.django_db


def test_spread_puts_the_remainder_on_the_largest_line():
    # 10.00 over 1 : 1 : 1 → 3.33 each, the cent left over on the largest (the first of equals)
    assert pricing.spread_largest(D("10.00"), [D("1"), D("1"), D("1")]) == [D("3.34"), D("3.33"), D("3.33")]
    # 0.05 over 33.33 / 33.33 / 66.67 → 0.01 + 0.01 + 0.03 (0.0125 → 0.01, 0.0250 → 0.03 after the remainder)
    assert pricing.spread_largest(D("0.05"), [D("33.33"), D("33.33"), D("66.67")]) == [D("0.01"), D("0.01"), D("0.03")]
    assert sum(pricing.spread_largest(D("30.00"), [D("540.00"), D("233.31")])) == D("30.00")
    assert pricing.spread_largest(D("1.00"), [D("0"), D("0")]) == [D("1.00"), D("0.00")]


def price(world, qty, on, sku="TEE-BLK-M"):
    offer = b2b.quote(partner=world["dealer"], lines=[b2b.LineIn(sku=sku, qty=qty)], on=on)
    return offer.lines[0].unit_price, offer.lines[0].source


def test_the_best_break_for_the_quantity_on_the_date():
    world = dealer_world(promotions=False)
    on = datetime.date(2026, 12, 2)
    assert price(world, 9, on) == (D("50.00"), "PL-L1-2026 ≥ 1")
    assert price(world, 10, on) == (D("45.00"), "PL-L1-2026 ≥ 10")
    assert price(world, "49.5", on) == (D("45.00"), "PL-L1-2026 ≥ 10")
    assert price(world, 50, on) == (D("42.50"), "PL-L1-2026 ≥ 50")
    # outside the list's validity, or a product not on it: the list price
    assert price(world, 50, datetime.date(2027, 1, 1)) == (D("60.00"), "list_price")
    assert price(world, 50, datetime.date(2026, 10, 31)) == (D("60.00"), "list_price")
    assert price(world, 3, on, sku="CAP-RED") == (D("33.33"), "list_price")
    # a later list of the group valid from 20 Dec lowers the 10-unit price; before that day the old one holds
    later = PriceList.objects.create(code="PL-L1-XMAS", name="圣诞", group=world["group"],
                                     valid_from=datetime.date(2026, 12, 20), valid_to=DEC31)
    PriceBreak.objects.create(price_list=later, product=world["tee"], min_qty=D(10), unit_price=D("43.90"))
    assert price(world, 12, on) == (D("45.00"), "PL-L1-2026 ≥ 10")
    assert price(world, 12, datetime.date(2026, 12, 20)) == (D("43.90"), "PL-L1-XMAS ≥ 10")
    # a customer of another group gets the list price
    other = CustomerGroup.objects.create(code="L2", name="二级经销商")
    b2b.set_group(partner=world["dealer"], group=other, actor=world["actor"])
    assert price(world, 12, on) == (D("60.00"), "list_price")


def test_percent_then_spend_save_then_gift_spread_to_the_fen():
    world = dealer_world(promotions=False)
    group, actor = world["group"], world["actor"]
    nov1 = datetime.date(2026, 11, 1)
    b2b.create_promotion(code="ZK3", name="97折", kind="percent", percent="3", valid_from=nov1, group=group,
                         actor=actor)
    b2b.create_promotion(code="MJ200-15", name="满200减15", kind="spend_save", threshold="200", amount="15",
                         valid_from=nov1, group=group, actor=actor)
    b2b.create_promotion(code="MJ800-80", name="满800减80", kind="spend_save", threshold="800", amount="80",
                         valid_from=nov1, group=group, actor=actor)
    b2b.create_promotion(code="GIFT", name="送杯", kind="gift", threshold="100", gift_sku="MUG-350", gift_qty="2",
                         valid_from=nov1, actor=actor)  # every customer
    Promotion.objects.create(code="OLD", name="过期", kind="percent", percent=D("50"), group=group,
                             valid_from=nov1, valid_to=datetime.date(2026, 11, 30))
    offer = b2b.quote(partner=world["dealer"], on=datetime.date(2026, 12, 2), lines=[
        b2b.LineIn(sku="TEE-BLK-M", qty=3), b2b.LineIn(sku="CAP-RED", qty=1, field="lines[1]"),
        b2b.LineIn(sku="CAP-RED", qty=1, price="66.67", field="lines[2]")])
    # goods 150.00 + 33.33 + 66.67 = 250.00; 3% = 7.50; 242.50 reaches 满200 (not 满800): 15.00; 22.50 in all
    assert (offer.goods_total, offer.discount_total, offer.total) == (D("250.00"), D("22.50"), D("227.50"))
    assert [p["code"] for p in offer.promotions] == ["ZK3", "MJ200-15", "GIFT"]
    # 22.50 × 150/250 = 13.50, × 33.33/250 = 2.99975 → 3.00, × 66.67/250 = 6.00 (6.00015): sums to 22.50
    assert [(ln.product.sku, ln.line_total, ln.discount, ln.amount, ln.gift) for ln in offer.lines] == [
        ("TEE-BLK-M", D("150.00"), D("13.50"), D("136.50"), False),
        ("CAP-RED", D("33.33"), D("3.00"), D("30.33"), False),
        ("CAP-RED", D("66.67"), D("6.00"), D("60.67"), False),
        ("MUG-350", D("0.00"), D("0.00"), D("0.00"), True),
    ]
    assert offer.lines[3].qty == D(2)


def test_promotions_refuse_what_makes_no_sense():
    world = dealer_world(promotions=False)
    nov1 = datetime.date(2026, 11, 1)
    cases = [
        ({"kind": "spend_save", "threshold": "100", "amount": "150"}, "amount"),
        ({"kind": "percent", "percent": "100"}, "percent"),
        ({"kind": "percent", "percent": "0.001"}, "percent"),
        ({"kind": "gift", "gift_sku": "NOPE", "gift_qty": "1"}, "gift_sku"),
        ({"kind": "spend_save", "threshold": "100", "amount": "10", "valid_to": datetime.date(2026, 10, 1)},
         "valid_to"),
    ]
    for i, (data, field) in enumerate(cases):
        with pytest.raises(DomainError) as refused, transaction.atomic():
            b2b.create_promotion(code=f"P{i}", name="x", valid_from=nov1, actor=world["actor"], **data)
        assert refused.value.field == field, data
    assert not Promotion.objects.exists()
