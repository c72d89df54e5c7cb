"""A dealer world on top of the order world (tests/oms/world.py): the group 一级经销商 with a price list
(T-shirt 50.00, from 10 units 45.00, from 50 units 42.50), a cap at its list price, a mug given away,
the dealer 杭州好运商贸 in the group with a credit limit of 5000.00, and the promotions."""

import datetime
from decimal import Decimal

from sihe.catalog.models import Product, Uom
from sihe.costing import services as costing
from sihe.oms.b2b.models import CustomerGroup, GroupMember, PriceBreak, PriceList, Promotion
from sihe.stock.services import InLine
from tests.oms.world import TAX_CODE, build

D = Decimal
NOV1, DEC31 = datetime.date(2026, 11, 1), datetime.date(2026, 12, 31)


def product(sku: str, name: str, list_price: str, stock: int, cost: str, world) -> Product:
    item = Product.objects.create(sku=sku, name=name, uom=Uom.objects.get(code="PCS"), tax_rate=D("0.13"),
                                  tax_code=TAX_CODE, tax_short_name="服装", list_price=D(list_price))
    costing.receive(warehouse=world["wh"]["SH"], lines=[InLine(product=item, qty=D(stock), unit_cost=D(cost))],
                    actor=world["actor"], reference=f"OPEN-{sku}", date=NOV1)
    return item


def dealer_world(*, promotions: bool = True) -> dict:
    world = build(stock={"SH": 100}, unit_costs={"SH": "20.00"})
    tee = world["tee"]
    tee.list_price = D("60.00")
    tee.save(update_fields=["list_price"])
    world["cap"] = product("CAP-RED", "棒球帽 红色", "33.33", 50, "12.00", world)
    world["mug"] = product("MUG-350", "陶瓷马克杯 350ml", "15.00", 20, "8.00", world)
    group = CustomerGroup.objects.create(code="L1", name="一级经销商")
    GroupMember.objects.create(partner=world["dealer"], group=group)
    world["dealer"].credit_limit = D("5000.00")
    world["dealer"].save(update_fields=["credit_limit"])
    price_list = PriceList.objects.create(code="PL-L1-2026", name="一级经销商 2026 冬季", group=group,
                                          valid_from=NOV1, valid_to=DEC31)
    for min_qty, price in (("1", "50.00"), ("10", "45.00"), ("50", "42.50")):
        PriceBreak.objects.create(price_list=price_list, product=tee, min_qty=D(min_qty), unit_price=D(price))
    if promotions:
        Promotion.objects.create(code="MJ500-30", name="满500减30", kind="spend_save", group=group,
                                 valid_from=NOV1, valid_to=DEC31, threshold=D("500.00"), amount=D("30.00"))
        Promotion.objects.create(code="GIFT-MUG", name="满300送马克杯", kind="gift", group=group,
                                 valid_from=NOV1, valid_to=DEC31, threshold=D("300.00"),
                                 gift_product=world["mug"], gift_qty=D(1))
    world["group"], world["price_list"] = group, price_list
    return world
