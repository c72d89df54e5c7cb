"""From shipped orders to a 数电发票 and back (sihe.oms.billing), with revenue at invoice."""

from decimal import Decimal as D

import pytest

from sihe.catalog.models import Partner
from sihe.core.errors import Conflict, NotFound, ValidationFailed
from sihe.core.numbering import peek
from sihe.invoicing.models import Invoice
from sihe.invoicing.services import RedLineIn
from sihe.ledger.models import Voucher, VoucherLine
from sihe.oms import billing
from sihe.oms.models import Order, TimelineEntry

from .conftest import confirmation, revenue_at

pytestmark = pytest.mark.django_db
BUYER_ID = "91350100M000100Y43"


def voucher_lines(order):
    rows = VoucherLine.objects.filter(voucher__source_type="oms.order", voucher__source_id=str(order.pk))
    return sorted((ln.voucher.rule, ln.account.code, ln.debit, ln.credit) for ln in rows.select_related("voucher",
                                                                                                       "account"))


def test_two_shipped_orders_on_one_invoice_with_revenue_at_invoice(company, make_order, actor):
    # given revenue recognised at invoice and two shipped orders (prices tax included)
    revenue_at("invoice")
    partner = Partner.objects.create(code="C-001", name="上海示例食品加工有限公司", kind="customer")
    first = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")], partner=partner)
    second = make_order([("CUP-1", "2", "199.80")])
    # when they are invoiced together, by id and by number
    invoice = billing.invoice_orders(orders=[first.pk, second.number], buyer_name="上海示例食品加工有限公司",
                                     buyer_tax_id=BUYER_ID, actor=actor)
    # then the lines are *简称*商品名 with 金额 + 税额 split from what was paid
    rows = list(invoice.lines.values_list("name", "spec", "unit", "qty", "amount", "tax", "sku", "source_id"))
    assert rows == [
        ("*日用杂品*陶瓷马克杯", "", "件", D("1"), D("88.41"), D("11.49"), "CUP-1", str(first.pk)),
        ("*服装*纯棉T恤", "白", "件", D("3"), D("1004.12"), D("130.54"), "TEE-1", str(first.pk)),
        ("*日用杂品*陶瓷马克杯", "", "件", D("2"), D("176.81"), D("22.99"), "CUP-1", str(second.pk)),
    ]
    assert (invoice.amount, invoice.tax, invoice.total) == (D("1269.34"), D("165.02"), D("1434.36"))
    assert invoice.total_in_words == "壹仟肆佰叁拾肆圆叁角陆分"
    assert invoice.remark == f"订单号：{first.number}、{second.number}"
    assert list(invoice.sources.values_list("source_number", flat=True)) == [first.number, second.number]
    # and each order's revenue is booked: 应收账款 / 主营业务收入 / 销项税额
    assert voucher_lines(first) == [("sales.revenue", "1122", D("1234.56"), D("0")),
                                    ("sales.revenue", "2221.01.06", D("0"), D("142.03")),
                                    ("sales.revenue", "5001", D("0"), D("1092.53"))]
    assert voucher_lines(second) == [("sales.revenue", "1122", D("199.80"), D("0")),
                                     ("sales.revenue", "2221.01.06", D("0"), D("22.99")),
                                     ("sales.revenue", "5001", D("0"), D("176.81"))]
    assert VoucherLine.objects.get(voucher__source_id=str(first.pk), account__code="1122").partner == "C-001"
    assert set(Order.objects.values_list("revenue_booked", flat=True)) == {True}
    entry = TimelineEntry.objects.get(order=first, kind="invoiced")
    voucher = Voucher.objects.get(source_id=str(first.pk))
    assert entry.message == (f"开具数电发票 {invoice.number}，价税合计 1434.36，确认收入 ¥1234.56"
                             f"（凭证 {voucher.display_number}）")
    assert entry.data["voucher"] == voucher.display_number
    # and the receivable of each order is what was invoiced (settlements and AR aging read it)
    assert sorted(Order.objects.values_list("revenue_total", flat=True)) == [D("199.80"), D("1234.56")]


def test_revenue_at_shipment_books_nothing_at_invoice(company, make_order, actor):
    revenue_at("shipment")
    order = make_order([("CUP-1", "1", "99.90")])
    billing.invoice_orders(orders=[order], buyer_name="张三", actor=actor)
    assert Voucher.objects.count() == 0
    assert TimelineEntry.objects.filter(order=order, kind="invoiced").count() == 1


@pytest.mark.parametrize("status", ["received", "allocated", "picking", "cancelled"])
def test_an_order_not_shipped_is_refused_by_name(company, make_order, actor, status):
    shipped = make_order([("CUP-1", "1", "99.90")])
    open_order = make_order([("CUP-1", "1", "99.90")], status=status, number="JD-77")
    with pytest.raises(Conflict) as refused:
        billing.invoice_orders(orders=[shipped.pk, open_order.pk], buyer_name="张三", actor=actor)
    assert (refused.value.code, refused.value.field) == ("not_shipped", "orders[1]")
    assert "JD-77" in refused.value.message
    assert Invoice.objects.count() == 0 and peek("invoicing.invoice", period="2026") == 0
    assert TimelineEntry.objects.count() == 0


def test_an_order_invoiced_twice_is_refused_naming_it_and_its_invoice(company, make_order, actor):
    order = make_order([("CUP-1", "1", "99.90")], number="TB-9")
    other = make_order([("TEE-1", "1", "59.00")])
    invoice = billing.invoice_orders(orders=[order.number], buyer_name="张三", actor=actor)
    with pytest.raises(Conflict) as refused:
        billing.invoice_orders(orders=[other.pk, order.pk], buyer_name="张三", actor=actor)
    assert (refused.value.code, refused.value.field) == ("already_invoiced", "orders[1]")
    assert "TB-9" in refused.value.message and invoice.number in refused.value.message
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "error", "field"), [
    ({"buyer_name": ""}, ValidationFailed, "buyer_name"),
    ({"buyer_name": "甲", "buyer_tax_id": "91350100M000100Y4X"}, ValidationFailed, "buyer_tax_id"),
    ({"buyer_name": "甲", "orders": []}, ValidationFailed, "orders"),
    ({"buyer_name": "甲", "orders": ["NOPE-1"]}, NotFound, "orders[0]"),
    ({"buyer_name": "甲", "orders": [999999]}, NotFound, "orders[0]"),
])
def test_bad_input_is_refused_naming_the_field(company, make_order, actor, kwargs, error, field):
    order = make_order([("CUP-1", "1", "99.90")])
    kwargs = {"orders": [order.pk], **kwargs}
    with pytest.raises(error) as refused:
        billing.invoice_orders(actor=actor, **kwargs)
    assert refused.value.field == field
    assert Invoice.objects.count() == 0


def test_the_same_order_twice_in_one_request_is_refused(company, make_order, actor):
    order = make_order([("CUP-1", "1", "99.90")])
    with pytest.raises(ValidationFailed) as refused:
        billing.invoice_orders(orders=[order.pk, order.number], buyer_name="甲", actor=actor)
    assert refused.value.field == "orders[1]"


def test_a_product_without_tax_code_is_refused_naming_the_order_line(company, make_order, products, actor):
    products["TEE-1"].tax_code = ""
    products["TEE-1"].save()
    order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "1", "59.00")], number="TB-55")
    with pytest.raises(ValidationFailed) as refused:
        billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=actor)
    assert refused.value.field == "orders[0].lines[2].tax_code"
    assert refused.value.message.startswith("TB-55 #2: ")


def test_red_invoice_for_a_return_reverses_revenue_and_frees_the_order(company, make_order, actor):
    revenue_at("invoice")
    order = make_order([("CUP-1", "2", "199.80"), ("TEE-1", "1", "59.00")])
    blue = billing.invoice_orders(orders=[order.pk], buyer_name="张三", actor=actor)
    # when one cup comes back: 1 × 88.40500000 → 88.41 (half up), tax 11.49
    red = billing.reverse_invoice(invoice=blue, lines=[RedLineIn(line=1, qty="1")],
                                  confirmation_number=confirmation(), reason="退货 1 只", actor=actor)
    assert (red.amount, red.tax, red.total) == (D("-88.41"), D("-11.49"), D("-99.90"))
    reverse = sorted(VoucherLine.objects.filter(voucher__rule="sales.revenue.reverse")
                     .values_list("account__code", "debit", "credit"))
    assert reverse == [("1122", D("0"), D("99.90")), ("2221.01.06", D("11.49"), D("0")), ("5001", D("88.41"), D("0"))]
    assert TimelineEntry.objects.filter(order=order, kind="invoice_reversed").count() == 1
    order.refresh_from_db()
    assert order.revenue_booked is True
    # when the rest comes back, the order is free to be invoiced again and books revenue again
    billing.reverse_invoice(invoice=blue, confirmation_number=confirmation(), reason="余下退货", actor=actor)
    order.refresh_from_db()
    assert order.revenue_booked is False
    again = billing.invoice_orders(orders=[order.pk], buyer_name="张三", actor=actor)
    assert again.total == D("258.80")
    assert Voucher.objects.filter(rule="sales.revenue").count() == 2


def test_what_shipped_is_invoiced_and_the_shipping_fee_goes_with_it(company, make_order, actor):
    # given an order of 3 T-shirts (1134.66) of which 2 shipped before the rest was cancelled, and 12.00 freight
    revenue_at("invoice")
    order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")])
    order.lines.filter(line_no=2).update(shipped_qty=D("2"), cancelled=True)
    Order.objects.filter(pk=order.pk).update(shipping_fee=D("12.00"))
    # when it is invoiced
    invoice = billing.invoice_orders(orders=[order.pk], buyer_name="张三", actor=actor)
    # then 2/3 of the T-shirts' amount (756.44 → 669.42 + 87.02) and 运费 12.00 (10.62 + 1.38) at the first line's rate
    rows = list(invoice.lines.values_list("name", "qty", "amount", "tax"))
    assert rows == [("*日用杂品*陶瓷马克杯", D("1"), D("88.41"), D("11.49")),
                    ("*服装*纯棉T恤", D("2"), D("669.42"), D("87.02")),
                    ("*日用杂品*运费", D("1"), D("10.62"), D("1.38"))]
    assert invoice.total == D("868.34")
    order.refresh_from_db()
    assert order.revenue_total == D("868.34")


def test_an_export_order_in_dollars_is_invoiced_in_yuan_at_zero_rate(company, make_order, actor):
    from sihe.oms.models import CurrencyRate

    CurrencyRate.objects.create(currency="USD", date=actor.at.date(), rate=D("7.1234"))
    order = make_order([("CUP-1", "2", "25.00")])
    Order.objects.filter(pk=order.pk).update(currency="USD", country="US")
    invoice = billing.invoice_orders(orders=[order.pk], buyer_name="Jane Doe", actor=actor)
    assert list(invoice.lines.values_list("amount", "tax", "rate")) == [(D("178.09"), D("0.00"), D("0.0000"))]


def test_the_invoice_and_the_revenue_booked_at_shipment_agree_to_the_fen(company, make_order, actor):
    from sihe.oms import books

    # given discounted lines and freight, the way channel orders come in
    order = make_order([("TEE-1", "2", "207.00", "29.00"), ("CUP-1", "3", "88.88", "1.00"), ("CUP-1", "1", "33.33")])
    Order.objects.filter(pk=order.pk).update(shipping_fee=D("8.00"))
    order.refresh_from_db()
    # when it is invoiced
    invoice = billing.invoice_orders(orders=[order.pk], buyer_name="张三", actor=actor)
    # then a discounted line is 被折扣行 + 折扣行 and the totals are what revenue at shipment books
    rows = list(invoice.lines.values_list("row", "amount", "tax"))
    assert rows[:2] == [("discounted", D("208.85"), D("27.15")), ("discount", D("-25.66"), D("-3.34"))]
    portions = [(line, D(0), line.qty) for line in order.lines.all()]
    booked = books.revenue_amounts(order, portions, with_fees=True)
    assert (invoice.total, invoice.amount, invoice.tax) == (booked["total"], booked["net"], booked["tax"])
    assert invoice.total == D("337.21")


def test_a_refusal_inside_the_act_leaves_the_callers_transaction_usable(make_order, actor):
    # given no company (the seller): the refusal comes from inside issue_invoice, after the orders are locked
    order = make_order([("CUP-1", "1", "99.90")])
    with pytest.raises(ValidationFailed) as refused:
        billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=actor)
    assert refused.value.field == "company"
    # then the caller's transaction goes on
    assert Invoice.objects.count() == 0 and TimelineEntry.objects.count() == 0
