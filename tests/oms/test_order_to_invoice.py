"""A normalized channel order becomes 数电 invoice lines whose 价税合计 is what the buyer paid."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sihe.invoicing.invoice import Party, build_invoice
from sihe.invoicing.lines import DISCOUNT, DISCOUNTED, sale_lines
from sihe.invoicing.xml import build_xml, parse_xml
from sihe.oms.channels import normalize

from .conftest import load

D = Decimal
CLOTHES, DAILY = "1040201990000000000", "1060512990000000000"
SHORT = {"TS-001-M-BLK": ("服装", CLOTHES), "SK-002-WHT": ("服装", CLOTHES), "MUG-350-WHT": ("日用杂品", DAILY)}


def invoice_for(order):
    lines = []
    for line in order.lines:
        short, code = SHORT[line.outer_sku]
        lines += sale_lines(name=f"*{short}*{line.name}", tax_code=code, tax_rate="0.13", quantity=line.qty,
                            gross=line.line_total, discount=line.discount, unit="件")
    return build_invoice(number="25442000000012345700", issued_at=datetime(2025, 3, 9, 10, tzinfo=ZoneInfo(
        "Asia/Shanghai")), seller=Party(name="示例旗舰店运营有限公司", tax_id="91440300MA5G0B7Q1W"),
        buyer=Party(name="张三"), lines=lines, remark=f"订单号: {order.external_id}")


def test_taobao_order_invoiced_at_what_the_buyer_paid():
    # given the Taobao sample: 118.00 − 14.50 and 29.90 − 1.50
    order = normalize("taobao", load("taobao"))
    # when
    invoice = invoice_for(order)
    # then each discounted line is a 被折扣行 + 折扣行 pair
    assert [line.kind for line in invoice.lines] == [DISCOUNTED, DISCOUNT, DISCOUNTED, DISCOUNT]
    tee, tee_off = invoice.lines[:2]
    assert (tee.amount, tee.tax, tee.unit_price) == (D("104.42"), D("13.58"), D("52.21"))
    assert (tee_off.amount, tee_off.tax) == (D("-12.83"), D("-1.67"))
    assert (invoice.totals.amount, invoice.totals.tax, invoice.totals.total) == (
        D("116.72"), D("15.18"), D("131.90"))  # 91.59 + 25.13, 11.91 + 3.27
    assert invoice.totals.total == order.amount_paid - order.shipping_fee
    assert invoice.total_in_words == "壹佰叁拾壹圆玖角整"
    assert parse_xml(build_xml(invoice)).problems() == []


def test_douyin_order_invoiced_at_what_the_buyer_paid():
    order = normalize("douyin", load("douyin"))
    invoice = invoice_for(order)
    assert invoice.totals.total == D("148.00")
    assert (invoice.totals.amount, invoice.totals.tax) == (D("130.97"), D("17.03"))
