"""The invoice pages: list, detail with totals and 大写, downloads, red invoice form; and in a browser."""

import os
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpRequest
from django.test import Client

from sihe.invoicing import services
from sihe.invoicing.models import Invoice
from sihe.oms import billing

from .conftest import confirmation

SHOTS = Path(os.environ.get("SIHE_VAR_DIR") or Path(__file__).resolve().parents[2] / "var") / "screens"
BUYER_ID = "91350100M000100Y43"


def login(make_user, role: str) -> Client:
    make_user(role, username=f"{role}_inv", password="pw-inv-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(request=HttpRequest(), username=f"{role}_inv", password="pw-inv-1")
    return client


@pytest.mark.django_db
def test_list_detail_downloads_and_red_form(company, make_order, make_user, actor):
    order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")], number="TB-100")
    invoice = billing.invoice_orders(orders=[order.pk], buyer_name="上海示例食品加工有限公司", buyer_tax_id=BUYER_ID,
                                     actor=actor)
    client = login(make_user, "accountant")
    # the list shows the invoice with its total
    page = client.get("/invoices/?q=TB-100").content.decode()
    assert invoice.number in page and "1234.56" in page
    # the detail shows lines, totals, 大写 and the order
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    for text in ("*日用杂品*陶瓷马克杯", "*服装*纯棉T恤", "¥1092.53", "¥142.03", "¥1234.56", "壹仟贰佰叁拾肆圆伍角陆分",
                 "TB-100", "电子发票（普通发票）", 'name="qty_2"'):
        assert text in page, text
    xml = client.get(f"/invoices/{invoice.pk}/xml/")
    assert xml["Content-Type"] == "application/xml" and invoice.number.encode() in xml.content
    assert client.get(f"/invoices/{invoice.pk}/pdf/").content[:5] == b"%PDF-"
    # a red invoice for one returned T-shirt from the form
    number = confirmation()
    r = client.post(f"/invoices/{invoice.pk}/red/", {"scope": "lines", "qty_2": "1", "reason": "退货 RMA-9",
                                                     "confirmation_number": number})
    red = Invoice.objects.get(kind="red")
    assert r.status_code == 302 and r["Location"] == f"/invoices/{red.pk}/"
    assert str(red.total) == "-378.22" and red.confirmation_number == number
    page = client.get(r["Location"]).content.decode()
    assert "（负数）叁佰柒拾捌圆贰角贰分" in page and invoice.number in page
    assert "红字发票信息确认单编号" in page and f'data-field="confirmation_number">{number}<' in page
    # a refused red (more than is left) shows the reason and changes nothing
    r = client.post(f"/invoices/{invoice.pk}/red/", {"scope": "lines", "qty_2": "9", "reason": "x",
                                                     "confirmation_number": confirmation()}, follow=True)
    assert "lines[0].qty" in r.content.decode() and Invoice.objects.count() == 2


@pytest.mark.django_db
def test_issue_from_the_list_page(company, make_order, make_user):
    make_order([("CUP-1", "1", "99.90")], number="TB-200")
    make_order([("TEE-1", "1", "59.00")], number="TB-201")
    make_order([("TEE-1", "1", "59.00")], number="TB-202", status="picking")
    client = login(make_user, "service")
    # a refusal keeps what was typed and names the order
    r = client.post("/invoices/new/", {"orders": "TB-200，TB-202", "buyer_name": "张三"})
    page = r.content.decode()
    assert r.status_code == 409 and "orders[1]" in page and "TB-202" in page and 'value="TB-200，TB-202"' in page
    # two orders typed with a comma and a space become one invoice
    r = client.post("/invoices/new/", {"orders": "TB-200, TB-201", "buyer_name": "张三", "buyer_tax_id": ""})
    invoice = Invoice.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/invoices/{invoice.pk}/"
    assert str(invoice.total) == "158.90"
    assert login(make_user, "warehouse").post("/invoices/new/", {"orders": "TB-200"}).status_code == 403


@pytest.mark.django_db
def test_list_and_detail_pages_are_a_fixed_number_of_queries(company, make_order, make_user, actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(make_user, "accountant")
    counts = []
    for n in range(2):
        for i in range(3):
            order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "2", "100.00")], number=f"TB-N{n}{i}")
            invoice = billing.invoice_orders(orders=[order.pk], buyer_name="甲", actor=actor)
            billing.reverse_invoice(invoice=invoice, lines=[services.RedLineIn(line=1)],
                                    confirmation_number=confirmation(), reason="退货", actor=actor)
        with CaptureQueriesContext(connection) as listing:
            client.get("/invoices/")
        with CaptureQueriesContext(connection) as detail:
            client.get(f"/invoices/{invoice.pk}/")
        counts.append((len(listing), len(detail)))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_permissions_of_the_pages(company, make_order, make_user, actor):
    order = make_order([("CUP-1", "1", "99.90")])
    invoice = billing.invoice_orders(orders=[order.pk], buyer_name="张三", actor=actor)
    warehouse = login(make_user, "warehouse")
    assert warehouse.get("/invoices/").status_code == 403
    manager = login(make_user, "manager")
    assert manager.get(f"/invoices/{invoice.pk}/").status_code == 200
    assert manager.get("/invoices/999999/").status_code == 404
    assert warehouse.post(f"/invoices/{invoice.pk}/red/", {"reason": "x"}).status_code == 403
    assert Invoice.objects.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_accountant_reads_an_invoice_and_issues_a_red_one_in_the_browser(live_server, company, make_order, make_user,
                                                                        request):
    from sihe.core.actor import Actor

    # given an invoice for a shipped order (all database work before Playwright starts)
    order = make_order([("CUP-1", "1", "99.90"), ("TEE-1", "3", "1134.66")], number="TB-2025-0001")
    with transaction.atomic():
        invoice = billing.invoice_orders(orders=[order.pk], buyer_name="上海示例食品加工有限公司",
                                         buyer_tax_id=BUYER_ID, actor=Actor.system("test"))
    number = invoice.number
    make_user("accountant", username="kuaiji", password="pw-inv-1")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
            page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "kuaiji")
            page.fill("#id_password", "pw-inv-1")
            page.click("form[action='/login/'] button")
            page.wait_for_url(f"{live_server.url}/")
            # when the accountant opens 发票 from the navigation
            page.click('.sidenav a[data-nav="web_invoices:list"]')
            page.wait_for_selector("table.invoices")
            assert page.locator("table.invoices tbody tr").count() == 1
            page.screenshot(path=str(SHOTS / "invoices-list.png"), full_page=True)
            page.click(f"text={number}")
            # then the detail shows the totals and the 大写
            page.wait_for_selector("[data-field=words]")
            assert page.locator("[data-field=number]").inner_text() == number
            assert page.locator("[data-field=total]").inner_text() == "¥1234.56"
            assert page.locator("[data-field=words]").inner_text() == "⊗ 壹仟贰佰叁拾肆圆伍角陆分"
            page.screenshot(path=str(SHOTS / "invoice-detail.png"), full_page=True)
            # when one T-shirt comes back
            page.check("input[name=scope][value=lines]")
            page.fill("input[name=qty_2]", "1")
            page.fill("input[name=reason]", "退货 RMA-1")
            page.fill("input[name=confirmation_number]", "44030026120600000001")
            page.click(".red-form button[type=submit]")
            page.wait_for_selector(".red-mark")
            assert page.locator("[data-field=total]").inner_text() == "¥-378.22"
            assert page.locator("[data-field=words]").inner_text() == "⊗ （负数）叁佰柒拾捌圆贰角贰分"
            page.screenshot(path=str(SHOTS / "invoice-red.png"), full_page=True)
            # and the same page reads in English
            page.click('.lang-switch button[data-lang="en"]')
            page.wait_for_selector("html[lang=en]")
            assert page.locator(".red-mark").inner_text() == "Red (negative) invoice"
            assert "Total with tax (in words)" in page.locator("table.einvoice-lines tfoot").inner_text()
            page.screenshot(path=str(SHOTS / "invoice-red-en.png"), full_page=True)
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.django_db
def test_11_13_invoice_by_the_platform_order_number_or_picked_from_the_uninvoiced(company, make_order, make_user):
    """Issue 11.13: invoicing asked for Sihe's order number; the platform's number answered 404."""
    first = make_order([("CUP-1", "1", "99.90")], number="api-API-00022")
    first.external_id = "API-00022"
    first.save(update_fields=["external_id"])
    make_order([("TEE-1", "1", "59.00")], number="TB-301")
    make_order([("TEE-1", "1", "59.00")], number="TB-302", status="picking")
    client = login(make_user, "service")
    # the issue form lists the shipped orders not yet invoiced, not the one still picking
    page = client.get("/invoices/").content.decode()
    assert 'value="api-API-00022"' in page and 'value="TB-301"' in page and 'value="TB-302"' not in page
    # the platform's order number is taken, and a ticked order joins it
    r = client.post("/invoices/new/", {"orders": "API-00022", "order": ["TB-301"], "buyer_name": "张三"})
    invoice = Invoice.objects.get()
    assert r.status_code == 302 and str(invoice.total) == "158.90"
    assert 'value="TB-301"' not in client.get("/invoices/").content.decode()


@pytest.mark.django_db
def test_11_13_the_api_takes_the_platform_order_number(company, make_order, api_as):
    order = make_order([("CUP-1", "1", "99.90")], number="api-API-00023")
    order.external_id = "API-00023"
    order.save(update_fields=["external_id"])
    response = api_as("accountant").post("/api/v1/invoices", {"orders": ["API-00023"], "buyer_name": "张三"})
    assert response.status_code == 201, response.json_body
    assert response.json_body["total"] == "99.90"
