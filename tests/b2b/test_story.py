"""The dealer story of issue 16 (B2B sales): a dealer of 一级经销商 gets a quotation with a price break, a
满减 and a gift, accepts it and it becomes an order of the dealer channel; it ships and is invoiced; the
dealer paid an advance before, and pays the rest with one receipt that also clears an older invoice; the
statement ends at 0.00 and the books balance — every figure to the fen."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from sihe.invoicing.models import InvoiceLine
from sihe.ledger.models import VoucherLine
from sihe.ledger.reports import trial_balance
from sihe.oms import billing, services
from sihe.oms.b2b import selectors
from sihe.oms.b2b import services as b2b
from sihe.oms.models import Order
from sihe.stock.models import StockMove
from tests.oms.world import dealer_order

from .world import dealer_world

D = Decimal
pytestmark = pytest.mark.django_db
RECEIVER = {"name": "王经理", "phone": "13800000000"}  # the address is the dealer's own


def net(code: str, partner: str = "") -> Decimal:
    rows = VoucherLine.objects.filter(account__code=code, voucher__status="posted")
    if partner:
        rows = rows.filter(partner=partner)
    return sum((r.debit - r.credit for r in rows), D(0))


def act(verb, **kwargs):
    with transaction.atomic():
        return verb(**kwargs)


def test_story_a_dealer_quotation_to_cash_to_the_fen(clock):
    world = dealer_world()
    actor, dealer = world["actor"], world["dealer"]
    # an older order of ¥100.00, shipped and invoiced, still owed
    old = services.receive_order(channel_code="dealer", body=dealer_order("D-OLD", 2, "50.00"), actor=actor).order
    act(services.ship_order, order=old, carrier="SF", tracking_no="SF0", actor=actor)
    old_invoice = act(billing.invoice_orders, orders=[old], buyer_name=dealer.name, buyer_tax_id="",
                      actor=actor)

    # the quotation: 12 T-shirts reach the 10-unit break (45.00), 7 caps at their list price 33.33
    quotation = act(b2b.create_quotation, partner=dealer, actor=actor, receiver=RECEIVER, lines=[
        b2b.LineIn(sku="TEE-BLK-M", qty="12"), b2b.LineIn(sku="CAP-RED", qty=7, field="lines[1]")])
    lines = list(quotation.lines.order_by("line_no"))
    assert [(ln.product.sku, ln.unit_price, ln.price_source, ln.line_total, ln.discount, ln.amount, ln.gift)
            for ln in lines] == [
        ("TEE-BLK-M", D("45.00"), "PL-L1-2026 ≥ 10", D("540.00"), D("20.95"), D("519.05"), False),
        ("CAP-RED", D("33.33"), "list_price", D("233.31"), D("9.05"), D("224.26"), False),
        ("MUG-350", D("0.00"), "gift", D("0.00"), D("0.00"), D("0.00"), True),
    ]
    # 满500减30 on 773.31 → 30.00 spread 540.00 : 233.31 (20.95 + 9.05); the mug for reaching 300
    assert (quotation.goods_total, quotation.discount_total, quotation.total) == (
        D("773.31"), D("30.00"), D("743.31"))
    assert [p["code"] for p in quotation.promotions] == ["MJ500-30", "GIFT-MUG"]
    assert quotation.number == "BJ202612-00001" and quotation.valid_until == datetime.date(2026, 12, 17)

    # the dealer pays ¥300.00 in advance: 银行存款 / 预收账款
    advance = act(b2b.receive_advance, partner=dealer, amount="300.00", quotation=quotation, actor=actor,
                  reference="网银 0001")
    assert (net("1002"), net("2203", dealer.code)) == (D("300.00"), D("-300.00"))

    act(b2b.send, quotation=quotation, actor=actor)
    act(b2b.accept, quotation=quotation, actor=actor)
    order = act(b2b.convert, quotation=quotation, actor=actor)
    quotation.refresh_from_db()
    advance.refresh_from_db()
    assert quotation.status == "converted" and quotation.order == order and advance.order == order
    # an order of the dealer channel, reviewed (credit 100 + 743.31 within 5000) and allocated
    assert (order.channel.code, order.partner, order.status, order.external_id) == (
        "dealer", dealer, Order.Status.ALLOCATED, quotation.number)
    assert [(ln.product.sku, ln.qty, ln.line_total, ln.discount, ln.amount_paid) for ln in order.lines.all()] == [
        ("TEE-BLK-M", D(12), D("540.00"), D("20.95"), D("519.05")),
        ("CAP-RED", D(7), D("233.31"), D("9.05"), D("224.26")),
        ("MUG-350", D(1), D("0.00"), D("0.00"), D("0.00")),
    ]

    # shipped: revenue 743.31 at shipment, the advance applied to it at once (预收账款 / 应收账款)
    clock.advance(days=1)
    act(services.ship_order, order=order, carrier="SF", tracking_no="SF1", actor=actor)
    order.refresh_from_db()
    advance.refresh_from_db()
    assert (order.revenue_total, order.settled_total, advance.applied) == (D("743.31"), D("300.00"), D("300.00"))
    assert net("2203", dealer.code) == D("0.00")
    # the gift left the warehouse at its cost (8.00) though it earns nothing
    mug_out = StockMove.objects.get(product=world["mug"], kind="issue")
    assert (mug_out.qty, mug_out.layers.get().value) == (D(1), D("-8.00"))
    # cost of sales: the older order 2 × 20.00, this one 12 × 20.00 + 7 × 12.00 + the gift 1 × 8.00
    assert net("5401") == D("40.00") + D("332.00")

    invoice = act(billing.invoice_orders, orders=[order], buyer_name=dealer.name, buyer_tax_id="",
                  actor=actor)
    assert invoice.total == D("743.31")
    rows = [(ln.name, ln.amount, ln.tax) for ln in InvoiceLine.objects.filter(invoice=invoice).order_by("seq")]
    # each discounted line as 被折扣行 + 折扣行 (the 满减 share it carries), no line for the gift
    assert rows == [("*服装*纯棉短袖T恤 黑色 M", D("477.88"), D("62.12")), ("*服装*纯棉短袖T恤 黑色 M", D("-18.54"), D("-2.41")),
                    ("*服装*棒球帽 红色", D("206.47"), D("26.84")), ("*服装*棒球帽 红色", D("-8.01"), D("-1.04"))]

    # one receipt: the older invoice and the rest of this order, 100.00 + 443.31
    clock.advance(days=1)
    receipt = act(b2b.record_receipt, partner=dealer, amount="543.31", actor=actor, reference="网银 0002",
                  allocations=[b2b.AllocationIn(invoice=old_invoice.number),
                               b2b.AllocationIn(order=order.number, field="allocations[1]")])
    assert [(a.order.number, a.amount) for a in receipt.allocations.all()] == [
        (old.number, D("100.00")), (order.number, D("443.31"))]
    assert receipt.unapplied == D("0.00")
    old.refresh_from_db()
    order.refresh_from_db()
    assert (old.status, order.status) == (Order.Status.COMPLETED, Order.Status.COMPLETED)
    assert services.ar_aging()["totals"]["total"] == D("0.00")

    # the statement: opening 0, the lines, closing 0.00
    report = selectors.statement(partner=dealer, date_from=datetime.date(2026, 12, 1),
                                 date_to=datetime.date(2026, 12, 31))
    assert report["opening"] == "0.00" and report["closing"] == "0.00"
    assert [(r["kind"], r["debit"], r["credit"], r["balance"]) for r in report["lines"]] == [
        ("sale", "100.00", "0.00", "100.00"),
        ("advance", "0.00", "300.00", "-200.00"),
        ("sale", "743.31", "0.00", "543.31"),
        ("receipt", "0.00", "100.00", "443.31"),
        ("receipt", "0.00", "443.31", "0.00"),
    ]
    assert (report["debit_total"], report["credit_total"]) == ("843.31", "843.31")
    # the books: receivable and advances clear, bank 843.31, revenue 746.29 net of output VAT 97.02
    assert (net("1122", dealer.code), net("2203", dealer.code), net("1002")) == (D("0.00"), D("0.00"), D("843.31"))
    assert net("5001") + net("2221.01.06") == D("-843.31")
    tb = trial_balance("2026-12")
    assert tb["totals"]["debit"] == tb["totals"]["credit"]
