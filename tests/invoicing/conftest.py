from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sihe.invoicing.invoice import Party, build_invoice
from sihe.invoicing.lines import line_from_exclusive

SHANGHAI = ZoneInfo("Asia/Shanghai")
RICE, WHEAT = "1010101010000000000", "1010101020000000000"


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
