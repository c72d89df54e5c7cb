"""The ledger pages: permission per page, the new-voucher form, review/post buttons, close, rules,
opening balances from Excel, report downloads."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sihe.ledger.models import Attachment, OpeningBalance, Period, PostingRuleLine, Voucher

PAGES = ["vouchers", "voucher_new", "trial_balance", "statements", "close", "ledgers", "rules", "opening"]


def client_for(make_user, role, name=None):
    user = make_user(role, name or f"{role}_page")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_each_page_opens_for_an_accountant_and_is_refused_to_a_warehouse_user(make_user, name):
    from django.urls import reverse

    url = reverse(f"web_ledger:{name}")
    assert client_for(make_user, "accountant").get(url).status_code == 200
    assert client_for(make_user, "warehouse").get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_make_review_post_and_attach_through_the_pages(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    maker = client_for(make_user, "accountant", "maker")
    checker = client_for(make_user, "accountant", "checker")
    form = {"date": "2026-03-05", "word": "记", "memo": "投资",
            "summary_0": "收到投资款", "account_0": "1002", "debit_0": "1000", "cash_flow_item_0": "15",
            "summary_1": "收到投资款", "account_1": "3001", "credit_1": "999"}
    refused = maker.post("/ledger/vouchers/new/", form)
    assert refused.status_code == 422
    assert "借贷不平" in refused.content.decode()
    assert Voucher.objects.count() == 0
    response = maker.post("/ledger/vouchers/new/", {**form, "credit_1": "1000"})
    voucher = Voucher.objects.get()
    assert response.url == f"/ledger/vouchers/{voucher.pk}/"
    maker.post(f"/ledger/vouchers/{voucher.pk}/review/")
    voucher.refresh_from_db()
    assert voucher.status == "draft"  # the maker may not review
    checker.post(f"/ledger/vouchers/{voucher.pk}/review/")
    checker.post(f"/ledger/vouchers/{voucher.pk}/post/")
    voucher.refresh_from_db()
    assert (voucher.status, voucher.display_number) == ("posted", "记-0001")
    maker.post(f"/ledger/vouchers/{voucher.pk}/attachments/", {"file": SimpleUploadedFile("银行回单.pdf", b"%PDF-1.4")})
    attachment = Attachment.objects.get()
    assert (attachment.voucher_id, attachment.name, attachment.size) == (voucher.pk, "银行回单.pdf", 8)
    assert (tmp_path / "ledger" / "vouchers" / str(voucher.pk) / "银行回单.pdf").exists()
    page = checker.get(f"/ledger/vouchers/{voucher.pk}/").content.decode()
    assert "记-0001" in page
    assert "银行回单.pdf" in page
    assert "1000.00" in page
    # issue 13.4: through the service — the voucher's trail names the file; the download keeps the name
    from sihe.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="attach", object_id=str(voucher.pk)).count() == 1
    download = checker.get(f"/ledger/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4"
    assert "filename*=utf-8''%E9%93%B6%E8%A1%8C%E5%9B%9E%E5%8D%95.pdf" in download["Content-Disposition"]
    empty = maker.post(f"/ledger/vouchers/{voucher.pk}/attachments/", {"file": SimpleUploadedFile("空.pdf", b"")},
                       follow=True)
    assert Attachment.objects.count() == 1 and "文件是空的" in empty.content.decode()


def test_close_page_shows_the_checks_and_closes_in_one_click(make_user):
    client = client_for(make_user, "accountant")
    page = client.get("/ledger/close/?period=2026-03").content.decode()
    assert 'data-check="trial_balance"' in page
    client.post("/ledger/close/?period=2026-03", {"act": "close"})
    assert Period.objects.get(code="2026-03").status == "closed"
    client.post("/ledger/close/?period=2026-03", {"act": "reopen", "reason": "补录"})
    assert Period.objects.get(code="2026-03").status == "open"


def test_an_accountant_changes_a_posting_rule_on_the_page(make_user):
    client = client_for(make_user, "accountant")
    line = PostingRuleLine.objects.get(rule__code="stock.issue", seq=1)
    client.post("/ledger/rules/", {"line": line.pk, "side": "debit", "account": "5402", "amount_key": "value",
                                   "summary": "其他业务成本 {source_id}"})
    line.refresh_from_db()
    assert (line.account.code, line.summary, line.rule.updated_by) == ("5402", "其他业务成本 {source_id}",
                                                                       "accountant_page")
    client.post("/ledger/rules/", {"line": line.pk, "side": "debit", "account": "5401.99", "amount_key": "value"})
    line.refresh_from_db()
    assert line.account.code == "5402"


def _xlsx(rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("opening.xlsx", out.getvalue())


def test_opening_balances_from_excel_are_checked_before_saving(make_user):
    client = client_for(make_user, "accountant")
    header = ["科目编码", "科目名称", "借方", "贷方", "往来单位"]
    bad = client.post("/ledger/opening/", {"period": "2026-01", "file": _xlsx([
        header, ["1002", "银行存款", 1000, None, None], ["3001", "实收资本", None, 900, "INV1"]])})
    assert bad.status_code == 422
    assert "1000.00" in bad.content.decode() and OpeningBalance.objects.count() == 0
    client.post("/ledger/opening/", {"period": "2026-01", "file": _xlsx([
        header, ["1002", "银行存款", 1000, None, None], ["1122", "应收账款", 200, None, "C01"],
        ["3001", "实收资本", None, 1200, "INV1"]])})
    assert sorted(OpeningBalance.objects.values_list("account__code", "debit", "credit", "partner")) == [
        ("1002", Decimal("1000.00"), Decimal("0.00"), ""), ("1122", Decimal("200.00"), Decimal("0.00"), "C01"),
        ("3001", Decimal("0.00"), Decimal("1200.00"), "INV1"),
    ]
    from sihe.ledger import reports, statements

    tb = reports.trial_balance("2026-02")["totals"]
    assert (tb["opening_debit"], tb["opening_credit"], tb["balanced"]) == (Decimal("1200.00"), Decimal("1200.00"), True)
    bs = {line["line_no"]: line for line in statements.balance_sheet("2026-02")["lines"]}
    assert (bs[1]["current"], bs[4]["current"], bs[48]["current"], bs[30]["comparative"]) == (
        Decimal("1000.00"), Decimal("200.00"), Decimal("1200.00"), Decimal("1200.00"))


def test_report_downloads(make_user):
    client = client_for(make_user, "manager")
    assert client.get("/ledger/trial-balance/?period=2026-03&format=pdf").content[:5] == b"%PDF-"
    assert client.get("/ledger/statements/?kind=income-statement&period=2026-03&format=xlsx").content[:2] == b"PK"
    assert client.get("/ledger/ledgers/?account=1002&period=2026-03&kind=general&format=pdf").content[:5] == b"%PDF-"


@pytest.mark.browser
def test_statement_page_in_chromium(transactional_db, live_server, make_user, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    make_user("accountant", "browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page()
        page.goto(f"{live_server.url}/login/?next=/ledger/statements/%3Fperiod%3D2026-03")
        page.fill("input[name=username]", "browser")
        page.fill("input[name=password]", "pw")
        page.press("input[name=password]", "Enter")
        page.wait_for_selector("tr[data-line='53']")
        assert page.locator("h1").inner_text().startswith("资产负债表")
        page.screenshot(path=str(tmp_path / "balance-sheet.png"), full_page=True)
        page.goto(f"{live_server.url}/ledger/close/?period=2026-03")
        page.wait_for_selector("tr[data-check='trial_balance']")
        page.screenshot(path=str(tmp_path / "close.png"), full_page=True)
        browser.close()
