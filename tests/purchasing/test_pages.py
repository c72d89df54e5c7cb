"""Purchasing pages: PO list and new form, detail with received / ordered and the approve / confirm
buttons, the invoice form, supplier invoices with the payment form, AP aging and its Excel."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from sihe.core.actor import Actor
from sihe.purchasing import services
from sihe.purchasing.models import PurchaseOrder, SupplierInvoice
from sihe.purchasing.services import OrderLine
from sihe.wms.inbound import services as inbound
from sihe.wms.inbound.models import Asn

pytestmark = pytest.mark.django_db
D = Decimal


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.fixture
def po(wh, supplier, products, people):
    return services.create_order(supplier=supplier, warehouse=wh, actor=people["buyer"][1], lines=[
        OrderLine(product=products["MILK"], qty="10000", price="5"),
        OrderLine(product=products["TEA"], qty="10", price="8", field="lines[1]")])


def test_the_buyer_creates_an_order_on_the_page(wh, supplier, products, people):
    client = client_of(people["buyer"][0])
    r = client.get("/purchasing/?new=1")
    assert r.status_code == 200 and "新建采购订单" in r.content.decode()
    r = client.post("/purchasing/", {"supplier": "S01", "warehouse": "WH1", "expected_date": "2026-12-20",
                                     "sku_0": "TEA", "qty_0": "12", "price_0": "8.5", "tax_rate_0": "0.13",
                                     "sku_1": "", "qty_1": ""})
    po = PurchaseOrder.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/purchasing/orders/{po.pk}/"
    assert (po.total, po.expected_date) == (D("115.26"), datetime.date(2026, 12, 20))
    # a bad line is shown with its field, nothing is created
    r = client.post("/purchasing/", {"supplier": "S01", "warehouse": "WH1", "sku_0": "TEA", "qty_0": "-1",
                                     "price_0": "1"}, follow=True)
    assert "第1行 数量" in r.content.decode() and PurchaseOrder.objects.count() == 1


def test_11_14_the_order_form_reports_every_problem_at_once(wh, supplier, products, people):
    """Issue 11.14: an unknown SKU and a bad price on another line: only the SKU was reported."""
    client = client_of(people["buyer"][0])
    r = client.post("/purchasing/", {"supplier": "S01", "warehouse": "WH1", "sku_0": "NOPE", "qty_0": "1",
                                     "price_0": "1", "sku_1": "TEA", "qty_1": "2", "price_1": "abc",
                                     "sku_2": "MILK", "qty_2": "-3", "price_2": "1"}, follow=True)
    page = r.content.decode()
    assert "第1行 商品编码" in page and "NOPE" in page
    assert "第2行 单价" in page and "第3行 数量" in page
    assert PurchaseOrder.objects.count() == 0


def test_list_detail_approve_and_confirm_by_buttons(po, people, django_assert_max_num_queries):
    buyer, boss = client_of(people["buyer"][0]), client_of(people["boss"][0])
    with django_assert_max_num_queries(12):
        r = buyer.get("/purchasing/")
    assert r.status_code == 200 and po.number in r.content.decode()
    page = buyer.get(f"/purchasing/orders/{po.pk}/").content.decode()
    assert 'id="confirm"' in page and 'id="approve"' not in page  # the maker sees no approve button
    # confirming before approval shows the reason
    r = buyer.post(f"/purchasing/orders/{po.pk}/confirm/", follow=True)
    assert "须先经" in r.content.decode() and "经理" in r.content.decode()
    assert 'id="approve"' in boss.get(f"/purchasing/orders/{po.pk}/").content.decode()
    boss.post(f"/purchasing/orders/{po.pk}/approve/")
    buyer.post(f"/purchasing/orders/{po.pk}/confirm/")
    po.refresh_from_db()
    assert po.status == "confirmed" and po.asn_id
    # the warehouse receives 4000 MILK: the page shows 4000 / 10000
    inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=f"(01)0{po.lines.first().product.gtin}"
                         "(10)L1(17)271231", qty="4000", actor=Actor.system("clerk"))
    page = buyer.get(f"/purchasing/orders/{po.pk}/").content.decode()
    assert "4000 / 10000" in page and "部分收货" in page


def test_invoice_form_payment_form_aging_and_excel(po, people, products):
    boss = people["boss"][1]
    services.approve(order=po, actor=boss)
    po = services.confirm(order=po, actor=people["buyer"][1])
    inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=f"(01)0{products['TEA'].gtin}", qty="10",
                         actor=Actor.system("clerk"))
    acc = client_of(people["accountant"][0])
    tea = po.lines.get(line_no=2)
    page = acc.get(f"/purchasing/orders/{po.pk}/").content.decode()
    assert 'id="invoice-form"' in page
    r = acc.post(f"/purchasing/orders/{po.pk}/invoice/", {"number": "INV-9", "invoice_date": "2026-11-01",
                                                         f"qty_{tea.pk}": "10", f"price_{tea.pk}": "8.1"})
    assert r.status_code == 302
    inv = SupplierInvoice.objects.get()
    assert (inv.total, inv.price_variance) == (D("91.53"), D("1.00"))
    assert "INV-9" in acc.get("/purchasing/invoices/").content.decode()
    r = acc.post("/purchasing/invoices/", {"supplier": "S01", "amount": "50", "date": "2026-11-20"})
    assert r.status_code == 302
    inv.refresh_from_db()
    assert (inv.paid, inv.status) == (D("50.00"), "partially_paid")
    page = acc.get("/purchasing/ap-aging/?as_of=2026-12-15").content.decode()
    assert "41.53" in page
    r = acc.get("/purchasing/ap-aging/?as_of=2026-12-15&format=xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet["A1"].value == "应付账款账龄 截至 2026-12-15（按发票日期）"
    assert [c.value for c in sheet[3]] == ["S01", "上海乳业有限公司", 0, 41.53, 0, 0, 41.53]
    assert [c.value for c in sheet[4]] == ["合计", None, 0, 41.53, 0, 0, 41.53]
    # a warehouse user may not post invoices
    from tests.purchasing.conftest import quick_user

    clerk = client_of(quick_user("warehouse", "clerk"))
    assert clerk.post(f"/purchasing/orders/{po.pk}/invoice/", {"number": "X"}).status_code == 403


def test_pages_speak_english_too_and_approval_rules_are_edited_in_the_admin(po, people):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["buyer"][0])
    page = client.get(f"/purchasing/orders/{po.pk}/").content.decode()
    assert "Purchase order" in page and "Received / ordered" in page and "Confirm to supplier" in page
    assert "Accounts payable" not in page
    assert "AP aging" in client.get("/purchasing/ap-aging/").content.decode()
    root = people["admin"][0]
    root.is_staff = root.is_superuser = True
    root.save(update_fields=["is_staff", "is_superuser"])
    r = client_of(root).get("/admin/purchasing/approvalrule/")
    assert r.status_code == 200 and "50000" in r.content.decode()


def test_return_form(po, people, products):
    services.approve(order=po, actor=people["boss"][1])
    po = services.confirm(order=po, actor=people["buyer"][1])
    inbound.receive_scan(asn=Asn.objects.get(pk=po.asn_id), barcode=f"(01)0{products['TEA'].gtin}", qty="10",
                         actor=Actor.system("clerk"))
    buyer = client_of(people["buyer"][0])
    assert 'id="return-form"' in buyer.get(f"/purchasing/orders/{po.pk}/").content.decode()
    tea = po.lines.get(line_no=2)
    r = buyer.post(f"/purchasing/orders/{po.pk}/return/", {f"ret_{tea.pk}": "4", "reason": "破损"}, follow=True)
    assert "TEA 4" in r.content.decode()
    tea.refresh_from_db()
    assert (tea.returned_qty, tea.returned_value) == (D(4), D("32.00"))
    r = buyer.post(f"/purchasing/orders/{po.pk}/return/", {f"ret_{tea.pk}": "7"}, follow=True)
    tea.refresh_from_db()
    assert "只能退已收货未开票的 6" in r.content.decode() and tea.returned_qty == D(4)
