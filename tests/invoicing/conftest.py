import itertools
from datetime import datetime
from decimal import Decimal
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sihe.catalog.demo import credit_code
from sihe.catalog.models import Channel, Company, Partner, Product, Uom
from sihe.invoicing.invoice import Party, build_invoice
from sihe.invoicing.lines import line_from_exclusive
from sihe.oms.models import Order, OrderLine, ReviewPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")
RICE, WHEAT = "1010101010000000000", "1010101020000000000"
_CONFIRMATIONS = itertools.count(1)


def confirmation() -> str:
    """A fresh 20-digit 红字发票信息确认单编号 for a red invoice (each used once)."""
    return f"3101{next(_CONFIRMATIONS):016d}"


@pytest.fixture
def seller():
    return Party(name="深圳市示例粮油贸易有限公司", tax_id="91440300MA5G0B7Q1W", address="深圳市南山区示例路1号",
                 phone="0755-00000000", bank="示例银行深圳分行", account="6222000000000000000")


@pytest.fixture
def buyer():
    return Party(name="上海示例食品加工有限公司", tax_id="91310115MA1H7K8L2M")


@pytest.fixture
def blue(seller, buyer):
    """The invoice of samples/einvoice-shudian.xml: 236.45 + 21.28 = 257.73."""
    return build_invoice(
        number="25442000000012345678",
        issued_at=datetime(2025, 3, 8, 14, 30, tzinfo=SHANGHAI),
        seller=seller,
        buyer=buyer,
        lines=[
            line_from_exclusive(name="*谷物*稻谷", tax_code=RICE, tax_rate="0.09", quantity=3,
                                unit_price=Decimal("50.01"), spec="一等", unit="千克"),
            line_from_exclusive(name="*谷物*小麦", tax_code=WHEAT, tax_rate="0.09", quantity=7,
                                unit_price=Decimal("12.3456"), unit="千克"),
        ],
        remark="订单号: SO-2025-000123",
        drawer="王会计",
    )


# -- orders for the billing tests (rows; the order flow itself is tested in tests/oms) -----------

CUP, SHIRT = "1090511010000000000", "1040201010000000000"


@pytest.fixture
def company(db):
    return Company.objects.create(name="上海四合贸易有限公司", credit_code=credit_code("310118", 66881230),
                                  province="上海市", city="上海市", district="青浦区", address="华志路 1688 号")


@pytest.fixture
def shop(db):
    return Channel.objects.create(code="TB-SHOP", type=Channel.Type.choices[0][0], name="淘宝旗舰店")


@pytest.fixture
def products(db):
    uom = Uom.objects.get_or_create(code="PCS", defaults={"name": "件"})[0]
    return {
        "CUP-1": Product.objects.create(sku="CUP-1", name="陶瓷马克杯", uom=uom, tax_rate=D("0.13"), tax_code=CUP,
                                        tax_short_name="日用杂品"),
        "TEE-1": Product.objects.create(sku="TEE-1", name="纯棉T恤", uom=uom, tax_rate=D("0.13"), tax_code=SHIRT,
                                        tax_short_name="服装"),
    }


def revenue_at(when: str) -> None:
    row = ReviewPolicy.objects.order_by("pk").first() or ReviewPolicy.objects.create()
    row.revenue_at = when
    row.save()


@pytest.fixture
def make_order(shop, products):
    count = [0]

    def _make(lines, *, status="shipped", number=None, partner: Partner | None = None) -> Order:
        count[0] += 1
        now = timezone.now()
        order = Order.objects.create(
            number=number or f"TB-{count[0]:04d}", channel=shop, external_id=str(count[0]), status=status,
            ordered_at=now, channel_updated_at=now, partner=partner,
            amount_paid=sum((D(line[2]) for line in lines), D("0.00")))
        for n, (sku, qty, paid, *off) in enumerate(lines, start=1):
            discount = D(off[0]) if off else D("0.00")
            OrderLine.objects.create(order=order, line_no=n, product=products[sku], name=products[sku].name,
                                     qty=D(qty), unit_price=(D(paid) + discount) / D(qty), line_total=D(paid) + discount,
                                     discount=discount, amount_paid=D(paid), tax_rate=D("0.13"),
                                     spec={"颜色": "白"} if sku == "TEE-1" else {},
                                     shipped_qty=D(qty) if status in ("shipped", "completed") else D(0))
        return order

    return _make
