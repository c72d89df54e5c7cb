"""A refund of a line with a platform subsidy (平台补贴): revenue and output VAT are reversed on the full
price (the buyer's payment + the subsidy), the receivable from the platform for both; the buyer is paid back
only what they paid, the platform takes its subsidy back."""

from decimal import Decimal

import pytest

from sihe.ledger.reports import trial_balance
from sihe.oms.models import Order, OrderLine
from tests.oms.test_platform_subsidy import account_net, jd_with_subsidy, jd_world, ship

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_jd(api_as):
    jd_world()
    r = api_as("service").post("/api/v1/channels/jd/orders", jd_with_subsidy())
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    ship(api_as("warehouse"), order["id"])
    # the second line: 69.00, of which the buyer paid 62.33 and JD's coupon 6.67
    line = OrderLine.objects.get(order_id=order["id"], line_no=2)
    assert (line.amount_paid, line.platform_subsidy) == (D("62.33"), D("6.67"))
    return {"order": order, "line": line}


def refund_line(api_as, order_id: int, line: OrderLine) -> dict:
    service = api_as("service")
    case = service.post(f"/api/v1/orders/{order_id}/aftersales",
                        {"kind": "refund_only", "lines": [{"line": str(line.pk), "qty": 1}], "reason": "质量问题"})
    assert case.status_code == 201, case.json_body
    assert case.json_body["refund_amount"] == "62.33"
    done = service.post(f"/api/v1/aftersales/{case.json_body['id']}/refund")
    assert done.status_code == 200, done.json_body
    return done.json_body


def test_refund_after_settlement_pays_the_buyer_what_they_paid_and_the_platform_its_subsidy(shipped_jd, api_as):
    order = shipped_jd["order"]
    settle = api_as("accountant").post(f"/api/v1/orders/{order['id']}/settlements",
                                       {"kind": "platform", "amount": "202.35", "fee": "10.65"})
    assert settle.status_code == 201, settle.json_body
    case = refund_line(api_as, order["id"], shipped_jd["line"])
    assert (case["refunded_amount"], case["paid_back"], case["subsidy_reversed"]) == ("62.33", "62.33", "6.67")
    # revenue 188.49 − 61.06 (69.00 / 1.13), VAT 24.51 − 7.94; the receivable is square; money out 62.33 + 6.67
    assert account_net("5001") == D("-127.43") and account_net("2221.01.06") == D("-16.57")
    assert account_net("1122") == D("0.00")
    assert account_net("1012") == D("133.35")  # 202.35 in, 62.33 to the buyer, 6.67 back to JD
    o = Order.objects.get(pk=order["id"])
    assert (o.revenue_total, o.settled_total) == (D("144.00"), D("144.00"))
    report = trial_balance(settle.json_body["settlements"][0]["date"][:7])
    assert report["totals"]["debit"] == report["totals"]["credit"]


def test_refund_before_settlement_leaves_the_platform_owing_the_rest(shipped_jd, api_as):
    order = shipped_jd["order"]
    case = refund_line(api_as, order["id"], shipped_jd["line"])
    assert (case["paid_back"], case["subsidy_reversed"]) == ("0.00", "6.67")
    assert account_net("1122", partner="jd") == D("144.00")  # 213.00 − 69.00
    # JD then settles the rest: the buyer's 124.67 + freight 6.00 and its remaining 13.33 of coupon
    r = api_as("accountant").post(f"/api/v1/orders/{order['id']}/settlements",
                                  {"kind": "platform", "amount": "144.00"})
    assert r.status_code == 201 and r.json_body["status"] == "completed", r.json_body
    assert account_net("1122") == D("0.00")
