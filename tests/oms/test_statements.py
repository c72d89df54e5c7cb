"""Platform settlement statements (账单, issue 16): a channel's bill imported in one act; each row matched to
an order by its platform order number is settled through `receipt.platform` (fees to 5601.03 平台佣金及服务费) when it
is what is still receivable; the rest are differences that change nothing; a row settled once is never
settled again."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sihe.ledger.models import VoucherLine
from sihe.oms.models import Order, Settlement, SettlementStatement, StatementRow
from sihe.oms.statements import header_key, parse

from .conftest import load
from .test_platform_subsidy import jd_with_subsidy, jd_world
from .world import build

D = Decimal
pytestmark = pytest.mark.django_db
TID = "3712345678901234567"


def account_net(code: str) -> Decimal:
    rows = VoucherLine.objects.filter(account__code=code, voucher__status="posted")
    return sum((r.debit - r.credit for r in rows), D(0))


def shipped(api_as, channel: str, payload: dict) -> dict:
    service, warehouse = api_as("service"), api_as("warehouse")
    r = service.post(f"/api/v1/channels/{channel}/orders", payload)
    assert r.status_code == 201, r.json_body
    order = r.json_body["order"]
    r = warehouse.post(f"/api/v1/orders/{order['id']}/ship", {"carrier": "SF", "tracking_no": f"SF{order['id']}"})
    assert r.status_code == 200, r.json_body
    return r.json_body


def upload(api, channel: str, name: str, content: bytes):
    response = api.client.post(f"/api/v1/channels/{channel}/statements",
                               {"file": SimpleUploadedFile(name, content)}, **api.headers)
    response.json_body = response.json()
    return response


def jd_bill(*rows: tuple[str, str, str, str, str]) -> bytes:
    """京东结算单 (one row per 费用项): 单据编号, 订单编号, 费用项, 金额, 收支方向, 结算时间."""
    lines = ["单据编号,订单编号,费用项,金额,收支方向,结算时间"]
    lines += [f"{ref},{order},{kind},{amount},{direction},2026-12-05 10:00:00" for ref, order, kind, amount, direction in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_jd_bill_settles_the_subsidised_order_and_lists_the_differences(api_as):
    # given the JD order with a coupon of 20.00 shipped: 213.00 still receivable from JD
    jd_world()
    order = shipped(api_as, "jd", jd_with_subsidy())
    assert order["amounts"]["revenue_booked"] == "213.00"
    accountant = api_as("accountant")

    # when JD's 结算单 pays 213.00 of goods less a 10.65 commission, and lists an order we do not know
    bill = jd_bill(("JD-1", "312345678901", "货款", "213.00", "收入"), ("JD-2", "312345678901", "佣金", "10.65", "支出"),
                   ("JD-3", "399999999999", "货款", "50.00", "收入"))
    r = upload(accountant, "jd", "京东结算单.csv", bill)

    # then the order is settled to the fen (fees to 5601.03) and the stranger is a difference
    assert r.status_code == 201, r.json_body
    body = r.json_body
    assert (body["layout"], body["rows_read"], body["matched"], body["differences"]) == ("items", 3, 1, 1)
    assert (body["amount_total"], body["fee_total"]) == ("202.35", "10.65")
    settled, unknown = body["rows"]
    assert (settled["status"], settled["amount"], settled["fee"], settled["lines"]) == ("matched", "202.35", "10.65", [2, 3])
    assert settled["order"]["number"] == order["number"] and settled["date"] == "2026-12-05"
    assert (unknown["status"], unknown["reason"], unknown["order"]) == ("difference", "unknown_order", None)
    assert account_net("1012") == D("202.35") and account_net("5601.03") == D("10.65")
    assert account_net("1122") == D("0.00")
    assert Order.objects.get(pk=order["id"]).status == "completed"
    (settlement,) = Settlement.objects.all()
    assert settlement.date.isoformat() == "2026-12-05" and settlement.kind == "platform"

    # when the same bill is imported again: nothing twice
    again = upload(accountant, "jd", "京东结算单.csv", bill)
    assert again.status_code == 201, again.json_body
    assert (again.json_body["matched"], again.json_body["duplicates"], again.json_body["differences"]) == (0, 1, 1)
    assert Settlement.objects.count() == 1 and account_net("1012") == D("202.35")

    # and the list and the detail read back
    listed = accountant.get("/api/v1/statements?channel=jd").json_body
    assert listed["count"] == 2 and listed["items"][0]["id"] == again.json_body["id"]
    detail = accountant.get(f"/api/v1/statements/{body['id']}?status=difference").json_body
    assert [row["order_no"] for row in detail["rows"]] == ["399999999999"]


def test_amounts_that_differ_from_the_receivable_change_nothing(api_as):
    build(stock={"SH": 10})
    taobao = shipped(api_as, "tb", load("taobao"))
    douyin = shipped(api_as, "dy", load("douyin"))
    accountant = api_as("accountant")
    tb_open, dy_open = D(taobao["amounts"]["revenue_booked"]), D(douyin["amounts"]["revenue_booked"])
    dy_id = douyin["external_id"]
    # 抖店结算账单: one row per order, 实际结算金额 after its fees
    bill = ("订单号,结算时间,实际结算金额,平台服务费,佣金\n"
            f"{TID},2026-12-05,{tb_open - 5},3.00,1.00\n"
            f"{dy_id},2026-12-05,{dy_open},1.00,0\n").encode()
    r = upload(accountant, "dy", "抖店结算账单.csv", bill)
    assert r.status_code == 201, r.json_body
    rows = {row["order_no"]: row for row in r.json_body["rows"]}
    # the Taobao order is no order of the Douyin shop
    assert rows[TID]["reason"] == "unknown_order"
    assert (rows[dy_id]["reason"], rows[dy_id]["total"], rows[dy_id]["receivable"]) == (
        "over_settlement", str(dy_open + 1), str(dy_open))
    r = upload(accountant, "tb", "淘宝结算明细.csv", bill)
    rows = {row["order_no"]: row for row in r.json_body["rows"]}
    assert (rows[TID]["reason"], rows[TID]["total"], rows[TID]["receivable"]) == (
        "amount_differs", str(tb_open - 1), str(tb_open))
    assert Settlement.objects.count() == 0 and account_net("1012") == D("0.00")
    assert SettlementStatement.objects.count() == 2
    assert StatementRow.objects.filter(status="matched").count() == 0


def test_an_alipay_statement_in_gbk_with_its_preamble_settles_the_taobao_order(api_as):
    build(stock={"SH": 10})
    taobao = shipped(api_as, "tb", load("taobao"))
    gross = D(taobao["amounts"]["revenue_booked"])
    accountant = api_as("accountant")
    text = "\n".join([
        "#支付宝账务明细查询",
        "#账号：[20880123456789010156]",
        "#起始日期：[2026年12月01日 00:00:00]   终止日期：[2026年12月06日 00:00:00]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注",
        f"20261205001\t,2026120522001\t,T200P{TID}\t,纯棉短袖T恤,2026-12-05 09:00:00,买家,{gross},,{gross},支付宝,交易付款,",
        f"20261205002\t,2026120522002\t,T200P{TID}\t,纯棉短袖T恤,2026-12-05 09:00:01,天猫,,6.60,{gross - D('6.60')},支付宝,基础软件服务费,天猫佣金",
        "20261205003\t,,,提现,2026-12-05 12:00:00,银行卡,,100.00,0.00,支付宝,提现,",
        "#-----------------------------------------账务明细列表结束------------------------------------",
        "#支出合计：2笔，共106.60元",
    ]) + "\n"
    r = upload(accountant, "tb", "支付宝账务明细.csv", text.encode("gb18030"))
    assert r.status_code == 201, r.json_body
    body = r.json_body
    assert body["layout"] == "alipay" and (body["matched"], body["differences"]) == (1, 1)
    row = body["rows"][0]
    assert (row["order_no"], row["amount"], row["fee"], row["row_ref"]) == (
        TID, str(gross - D("6.60")), "6.60", "20261205001,20261205002")
    withdrawal = body["rows"][1]
    assert (withdrawal["order_no"], withdrawal["reason"], withdrawal["amount"]) == ("", "unknown_order", "-100.00")
    assert account_net("5601.03") == D("6.60") and account_net("1122") == D("0.00")


def test_a_douyin_excel_bill_with_a_title_row(api_as):
    build(stock={"SH": 10})
    douyin = shipped(api_as, "dy", load("douyin"))
    gross = D(douyin["amounts"]["revenue_booked"])
    accountant = api_as("accountant")
    book = Workbook()
    sheet = book.active
    sheet.append(["抖店结算账单 2026-12-05"])
    sheet.append(["结算时间", "结算单号", "订单号", "子订单号", "实际结算金额（元）", "平台服务费", "佣金", "渠道分成",
                  "招商服务费", "其他分成"])
    sheet.append(["2026-12-05 08:00:00", "S1", douyin["external_id"], "x", str(gross - D("9.00")), "5.00", "3.00",
                  "1.00", "0", "0"])
    out = io.BytesIO()
    book.save(out)
    r = upload(accountant, "dy", "抖店结算账单.xlsx", out.getvalue())
    assert r.status_code == 201, r.json_body
    assert (r.json_body["layout"], r.json_body["matched"], r.json_body["fee_total"]) == ("orders", 1, "9.00")
    assert account_net("5601.03") == D("9.00")
    assert Order.objects.get(pk=douyin["id"]).status == "completed"


def test_bad_files_and_channels_are_refused_whole(api_as):
    build(stock={"SH": 1})
    accountant = api_as("accountant")
    r = upload(accountant, "tb", "x.csv", "名称,备注\n甲,乙\n".encode())
    assert r.status_code == 422 and r.json_body["code"] == "invalid_file" and r.json_body["field"] == "file"
    r = upload(accountant, "tb", "x.csv", f"订单号,结算金额,结算时间\n{TID},12.x,2026-12-05\n{TID},1,2026-13-40\n".encode())
    assert r.status_code == 422 and [e["row"] for e in r.json_body["errors"]] == [2, 3], r.json_body
    assert r.json_body["errors"][0]["field"] == "结算金额"
    r = upload(accountant, "dealer", "x.csv", f"订单号,结算金额\n{TID},1\n".encode())
    assert r.status_code == 422 and r.json_body["code"] == "not_a_platform"
    r = upload(accountant, "nope", "x.csv", b"a")
    assert r.status_code == 404
    assert SettlementStatement.objects.count() == 0
    service = api_as("service")
    assert upload(service, "tb", "x.csv", f"订单号,结算金额\n{TID},1\n".encode()).status_code == 403
    assert service.get("/api/v1/statements").status_code == 403
    assert accountant.get("/api/v1/statements/999").json_body["field"] == "statement_id"


def test_headers_are_read_as_people_write_them():
    assert header_key(" 收入金额（+元） ") == "收入金额"
    assert header_key("Order_No") == "order_no"

    class Shop:
        code, type = "tb", "taobao"

    parsed = parse("订单号\t结算金额\t佣金\n=\"T200P123\"\t¥1,000.50\t-3\n".encode(), file_name="x.txt",
                   channel=Shop())
    (group,) = parsed.groups
    assert (group.order_no, group.amount, group.fee) == ("123", D("1000.50"), D("3.00"))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_bill_imported_on_4_connections_at_once_settles_once():
    import threading

    from django.conf import settings
    from django.db import connection, transaction

    from sihe.core.actor import Actor
    from sihe.oms import services, statements

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("needs real parallel PostgreSQL connections")
    world = build(stock={"SH": 10})
    order = services.receive_order(channel_code="tb", body=load("taobao"), actor=world["actor"]).order
    services.ship_order(order=order, carrier="SF", tracking_no="SF1", actor=world["actor"])
    order.refresh_from_db()
    bill = f"订单号,结算金额,佣金,结算时间\n{TID},{order.revenue_total - 5},5.00,2026-12-05\n".encode()
    channel, barrier, errors = world["channels"]["tb"], threading.Barrier(4), []

    def run(i):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic(durable=True):
                statements.import_statement(channel=channel, content=bill, file_name="b.csv", actor=Actor.system(f"t{i}"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert Settlement.objects.count() == 1
    assert sorted(SettlementStatement.objects.values_list("matched", "duplicates")) == [(0, 1)] * 3 + [(1, 0)]
    assert account_net("1122") == D("0.00")
