"""入库成本调整 (issue 17): an amount that belongs to goods received earlier — a supplier invoice dearer or cheaper
than the receipt, tax that cannot be deducted — goes into the stock for the share still on hand and stays in cost
of sales for the share already gone (小企业会计准则 第十二条), under moving average and FIFO, and again when a
backdated move changes what was on hand. Stock = 1405 all along."""

import datetime
from decimal import Decimal as D

import pytest

from sihe.core.errors import ValidationFailed
from sihe.costing import reports
from sihe.costing import services as costing
from sihe.costing.checks import ledger_by_warehouse, valuation_by_warehouse
from sihe.costing.models import ValuationLayer
from sihe.ledger.models import Voucher
from tests.stock.conftest import inl, make_product, make_warehouse, outl

pytestmark = pytest.mark.django_db


def day(n: int) -> datetime.date:
    return datetime.date(2026, 11, n)


def revalue(actor, warehouse, product, amount, qty, *, on: int = 5, receipts=()):
    return costing.revalue(lines=[costing.Revaluation(product=product, warehouse=warehouse, amount=D(amount),
                                                      qty=D(qty), receipts=receipts, goods=f"{product.name}×{qty}")],
                           date=day(on), actor=actor, document="PO000001 发票 04400001")


def adjustments() -> list[tuple]:
    """The 入库成本调整 vouchers' lines: (account, debit, credit)."""
    return [(line.account.code, line.debit, line.credit)
            for voucher in Voucher.objects.filter(memo__startswith="入库成本调整").order_by("id")
            for line in voucher.lines.select_related("account").order_by("id")]


def cost_of_sales() -> D:
    lines = Voucher.objects.values_list("lines__account__code", "lines__debit", "lines__credit")
    return sum(((d or D(0)) - (c or D(0)) for code, d, c in lines if code == "5401"), D(0))


def assert_stock_is_the_ledger():
    assert valuation_by_warehouse("2026-11") == ledger_by_warehouse("2026-11")


@pytest.fixture
def wh(db):
    return make_warehouse("WH1")


def test_moving_average_puts_the_share_still_on_hand_into_the_stock(wh, actor):
    p = make_product("RV-MA")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(2), reference="ASN1")
    costing.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, date=day(3))
    # when the invoice comes 1.00 a unit dearer for the 10 received, 6 of them still in stock
    [layer] = revalue(actor, wh, p, "10.00", "10")
    # then 6.00 goes into the stock (66.00 for 6: 11.00 a unit) and 4.00 stays in cost of sales
    assert (layer.qty, layer.base_value, layer.value, layer.adjust_value) == (0, D("10.00"), D("6.00"), D("4.00"))
    assert costing.valuation(product=p) == {"method": "moving_average", "qty": D(6), "value": D("66.00"),
                                            "unit_cost": D("11")}
    assert adjustments() == [("1405", D("6.00"), D(0)), ("5401", D(0), D("6.00"))]
    assert Voucher.objects.get(memo__startswith="入库成本调整").lines.get(account__code="1405").warehouse == wh.code
    assert_stock_is_the_ledger()
    # the 存货明细账 shows it as a cost adjustment without a quantity
    row = reports.product_ledger(product=p, warehouse=wh, start=day(1), end=day(30))[3]
    assert (row["kind"], row["qty"], row["value"], row["balance_qty"], row["balance_value"]) == (
        "revaluation", 0, D("6.00"), 6, D("66.00"))
    assert row["reference"] == "入库成本调整 PO000001 发票 04400001 商品 RV-MA×10"
    # and the next issue takes the new cost
    [(_move, out)] = costing.issue(warehouse=wh, lines=[outl(p, 6)], actor=actor, date=day(6))
    assert out.value == D("-66.00")


def test_a_cheaper_invoice_takes_value_out_of_the_stock(wh, actor):
    p = make_product("RV-CH")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(2))
    revalue(actor, wh, p, "-5.00", "10")
    assert costing.valuation(product=p)["value"] == D("95.00")
    assert adjustments() == [("5401", D("5.00"), D(0)), ("1405", D(0), D("5.00"))]
    assert_stock_is_the_ledger()


def test_fifo_adds_to_the_receipt_it_belongs_to_and_only_what_is_left_of_it(wh, actor):
    p = make_product("RV-FI", method="fifo")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(2), reference="ASN1")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "12")], actor=actor, date=day(3), reference="ASN2")
    costing.issue(warehouse=wh, lines=[outl(p, 14)], actor=actor, date=day(4))  # all of ASN1, 4 of ASN2
    # when ASN2's invoice is 2.00 a unit dearer: 6 of its 10 are left → 12.00 into them, 8.00 to cost of sales
    [layer] = revalue(actor, wh, p, "20.00", "10", receipts=("ASN2",))
    receipt = ValuationLayer.objects.get(move__reference="ASN2")
    assert (layer.source_layer_id, layer.value, layer.adjust_value) == (receipt.pk, D("12.00"), D("8.00"))
    assert (receipt.remaining_qty, receipt.remaining_value) == (6, D("84.00"))
    # and ASN1's, all of it sold: nothing goes into the stock, nothing is booked
    [gone] = revalue(actor, wh, p, "5.00", "10", receipts=("ASN1",))
    assert (gone.value, gone.adjust_value) == (0, D("5.00"))
    assert adjustments() == [("1405", D("12.00"), D(0)), ("5401", D(0), D("12.00"))]
    [(_move, out)] = costing.issue(warehouse=wh, lines=[outl(p, 6)], actor=actor, date=day(6))
    assert out.value == D("-84.00")
    assert costing.valuation(product=p)["value"] == 0
    assert_stock_is_the_ledger()


def test_a_backdated_issue_moves_the_share_to_cost_of_sales(wh, actor):
    p = make_product("RV-BD")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(2))
    revalue(actor, wh, p, "10.00", "10", on=5)  # all 10 on hand: 10.00 into the stock
    assert costing.valuation(product=p)["value"] == D("110.00")
    # when an issue of 4 is entered late, dated the 3rd: only 6 were on hand on the 5th
    costing.issue(warehouse=wh, lines=[outl(p, 4)], actor=actor, date=day(3))
    layer = ValuationLayer.objects.get(product=p, qty=0)
    assert (layer.value, layer.adjust_value) == (D("6.00"), D("4.00"))
    assert costing.valuation(product=p) == {"method": "moving_average", "qty": D(6), "value": D("66.00"),
                                            "unit_cost": D("11")}
    # cost of sales: the issue's 40.00 and the 4.00 the re-costing moved back out of the stock
    assert cost_of_sales() == D("34.00")  # −10.00 of the adjustment + 40.00 + 4.00
    assert_stock_is_the_ledger()


def test_a_backdated_receipt_under_fifo_keeps_the_receipt_value(wh, actor):
    p = make_product("RV-FB", method="fifo")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(3), reference="ASN1")
    revalue(actor, wh, p, "10.00", "10", on=5, receipts=("ASN1",))
    costing.issue(warehouse=wh, lines=[outl(p, 5)], actor=actor, date=day(6))  # 5 of ASN1 at 11.00
    # when a receipt dated the 2nd is entered late, the issue on the 6th takes it first
    costing.receive(warehouse=wh, lines=[inl(p, 5, "9")], actor=actor, date=day(2), reference="ASN0")
    receipt = ValuationLayer.objects.get(move__reference="ASN1")
    assert (receipt.remaining_qty, receipt.remaining_value) == (10, D("110.00"))
    assert costing.valuation(product=p) == {"method": "fifo", "qty": D(10), "value": D("110.00"), "unit_cost": D("11")}
    assert_stock_is_the_ledger()


def test_a_quantity_that_is_not_positive_is_refused_and_nothing_is_booked(actor):
    wh, p = make_warehouse("WHX"), make_product("RV-BAD")
    with pytest.raises(ValidationFailed) as err:
        revalue(actor, wh, p, "1.00", "0")
    assert err.value.field == "lines[0].qty"
    assert not ValuationLayer.objects.exists() and not Voucher.objects.exists()


def test_the_stock_ledger_page_shows_the_adjustment_without_a_quantity(wh, actor, make_user):
    from django.test import Client
    from django.utils import translation

    p = make_product("RV-PG")
    costing.receive(warehouse=wh, lines=[inl(p, 10, "10")], actor=actor, date=day(2), reference="ASN1")
    revalue(actor, wh, p, "10.00", "10")
    client = Client()
    client.force_login(make_user("accountant", "acc_rv"))
    with translation.override("zh-hans"):
        page = client.get(f"/stock/ledger/?sku={p.sku}&warehouse={wh.code}&start=2026-11-01&end=2026-11-30",
                          HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    row = next(tr for tr in page.split("<tr>") if "PO000001 发票 04400001" in tr)
    cells = [cell.split(">", 1)[1].split("</td")[0] for cell in row.split("<td")[1:]]
    assert cells[1] == "入库成本调整" and cells[4:7] == ["", "", "10.00"] and cells[8] == "110.00"
