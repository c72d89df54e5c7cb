"""The 利润表 其中 lines read seeded sub-accounts (by role), the system books to them, the data migration adds
them to a database seeded before them (moving an in-use parent's balance into its 其他 sub-account), and the
opening balances are entered on a page.

Figures (yuan): 业务招待费 300 and 办公费 500 → 02表 line 14 管理费用 800, line 16 业务招待费 300; 城建税 70 +
教育费附加 30 + 地方教育附加 20 → line 3 税金及附加 120, line 6 城市维护建设税 70, line 10 教育费附加 50; net loss
920. A platform receipt of 103.50 with 5.17 commission: 1012 98.33, 5601.03 5.17 → line 11 销售费用 5.17.
"""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client

from sihe.core.errors import DomainError
from sihe.ledger import balances, reports, services, statements
from sihe.ledger.models import Account, Balance, OpeningBalance, PostingRuleLine, VoucherLine

D = Decimal
SHOTS = Path(os.environ.get("SIHE_SHOTS", Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"))


def income(period):
    return {line["line_no"]: line["current"] for line in statements.income_statement(period)["lines"]}


def test_the_other_lines_read_the_seeded_sub_accounts(post):
    # given entertainment, office costs and the surcharges booked on the seeded sub-accounts
    post("2026-03-05", [("5602.02", "300.00", None, {"summary": "业务招待"}), ("5602.05", "500.00", None),
                        ("1002", None, "800.00", {"cash_flow_item": 6})])
    post("2026-03-31", [("5403.03", "70.00", None), ("5403.07", "30.00", None), ("5403.07", "20.00", None),
                        ("2221.05", None, "70.00"), ("2221.06", None, "30.00"), ("2221.07", None, "20.00")])
    # then the 02表 shows them on their 其中 lines
    lines = income("2026-03")
    assert (lines[14], lines[16], lines[15], lines[17]) == (D("800.00"), D("300.00"), D("0.00"), D("0.00"))
    assert (lines[3], lines[6], lines[10], lines[4]) == (D("120.00"), D("70.00"), D("50.00"), D("0.00"))
    assert lines[32] == D("-920.00")
    assert statements.balance_sheet("2026-03")["balanced"]


def test_the_seeded_chart_names_and_roles():
    seeded = {a.code: (a.name, a.role, a.is_leaf) for a in Account.objects.filter(code__regex=r"^5(301|403|60[123]|711)")}
    assert seeded["5403"] == ("税金及附加", "", False)
    assert seeded["5403.03"] == ("城市维护建设税", "tax_urban_construction", True)
    assert seeded["5403.07"] == ("教育费附加、地方教育附加", "tax_education_surcharge", True)
    assert seeded["5602.02"] == ("业务招待费", "admin_entertainment", True)
    assert seeded["5602.03"] == ("研究费用", "admin_research", True)
    assert seeded["5603.01"] == ("利息费用", "finance_interest", True)
    assert seeded["5601.03"] == ("平台佣金及服务费", "selling_platform_fees", True)
    assert seeded["5301.01"] == ("政府补助", "government_grant", True)
    assert seeded["5711.05"] == ("税收滞纳金", "tax_late_fee", True)
    # every role a 其中 line reads is on one seeded account
    roles = {role for _name, role, _leaf in seeded.values() if role}
    assert set(statements.STATEMENT_ROLES) <= roles
    assert Account.objects.get(code="5602.06").dim_department  # depreciation by department


def test_a_parent_with_sub_accounts_takes_no_postings(post):
    with pytest.raises(DomainError) as refused:
        post("2026-03-05", [("5602", "10.00", None), ("1002", None, "10.00", {"cash_flow_item": 6})])
    assert refused.value.code == "not_leaf"
    assert not VoucherLine.objects.exists()


def test_the_platform_commission_books_its_sub_account(actor):
    services.book(rule="receipt.platform", date=datetime.date(2026, 3, 10),
                  amounts={"amount": D("98.33"), "fee": D("5.17"), "total": D("103.50")}, source_type="t",
                  source_id="S1", memo="", actor=actor, dimensions={"partner": "TB"})
    booked = {(ln.account.code, ln.debit, ln.credit) for ln in VoucherLine.objects.select_related("account")}
    assert booked == {("1012", D("98.33"), D("0.00")), ("5601.03", D("5.17"), D("0.00")),
                      ("1122", D("0.00"), D("103.50"))}
    assert income("2026-03")[11] == D("5.17")


def _as_before_the_sub_accounts(parent: str):
    """The chart of a database seeded before 0008: `parent` a leaf, its rule lines on it, no sub-accounts."""
    children = Account.objects.filter(code__startswith=f"{parent}.")
    PostingRuleLine.objects.filter(account__in=children).update(account=Account.objects.get(code=parent))
    children.delete()
    Account.objects.filter(code=parent).update(is_leaf=True)


def _migrate():
    from importlib import import_module

    import_module("sihe.ledger.migrations.0008_statement_sub_accounts").add_sub_accounts(apps, None)


def test_the_migration_moves_an_in_use_5403_into_its_other_sub_account(post, actor):
    # given a database seeded before the sub-accounts, with 5403 posted to and in the opening balances
    _as_before_the_sub_accounts("5403")
    services.import_opening_balances(period="2026-03", rows=[
        {"account": "1002", "ytd_debit": "1000", "ytd_credit": "100", "year_start_debit": "0"},
        {"account": "3103", "ytd_debit": "100", "ytd_credit": "1000", "credit": "900"},
        {"account": "5001", "ytd_credit": "1000"}, {"account": "5403", "ytd_debit": "100"},
    ], cash_flows={"1": "1000", "5": "100"}, actor=actor)
    old = post("2026-03-31", [("5403", "112.53", None), ("2221.05", None, "112.53")])
    assert income("2026-03")[3] == D("112.53")
    # when the migration runs
    _migrate()
    # then 5403 has its sub-accounts, its balance lives in 5403.99 其他, the voucher is unchanged
    parent, other = Account.objects.get(code="5403"), Account.objects.get(code="5403.99")
    assert not parent.is_leaf and parent.moved_into_id == other.pk
    assert Account.objects.get(code="5403.03").role == "tax_urban_construction"
    assert list(old.lines.values_list("account__code", flat=True)) == ["5403", "2221.05"]
    assert OpeningBalance.objects.get(account=other).ytd_debit == D("100.00")
    assert not Balance.objects.filter(account=parent).exists()
    assert balances.stored() == balances.computed_from_lines()
    rows = {r["code"]: r for r in reports.trial_balance("2026-03")["rows"]}
    assert (rows["5403"]["closing"], rows["5403.99"]["closing"]) == (D("112.53"), D("112.53"))
    lines = income("2026-03")
    assert (lines[3], lines[6], lines[10]) == (D("112.53"), D("0.00"), D("0.00"))  # the old lines are not split
    # and from now on 5403 refuses postings; the month's surcharge goes to its line
    with pytest.raises(DomainError):
        post("2026-03-31", [("5403", "1.00", None), ("2221.05", None, "1.00")])
    post("2026-03-31", [("5403.03", "7.00", None), ("2221.05", None, "7.00")])
    assert income("2026-03")[6] == D("7.00")


def test_the_migration_turns_the_platform_rule_to_its_commission_sub_account(actor):
    # given 5601 as it was: a leaf the rule receipt.platform books commission to, in use
    _as_before_the_sub_accounts("5601")
    amounts = {"amount": D("98.33"), "fee": D("5.17"), "total": D("103.50")}
    services.book(rule="receipt.platform", date=datetime.date(2026, 3, 10), amounts=amounts, source_type="t",
                  source_id="S1", memo="", actor=actor, dimensions={"partner": "TB"})
    # when the migration runs
    _migrate()
    # then the rule books 5601.03 and the earlier commission counts on 5601.99 其他
    rule_accounts = PostingRuleLine.objects.filter(rule__code="receipt.platform").values_list("account__code", flat=True)
    assert list(rule_accounts.order_by("seq")) == ["1012", "5601.03", "1122"]
    assert Account.objects.get(code="5601").moved_into.code == "5601.99"
    services.book(rule="receipt.platform", date=datetime.date(2026, 3, 11), amounts=amounts, source_type="t",
                  source_id="S2", memo="", actor=actor, dimensions={"partner": "TB"})
    rows = {r["code"]: r for r in reports.trial_balance("2026-03")["rows"]}
    assert (rows["5601"]["closing"], rows["5601.99"]["closing"], rows["5601.03"]["closing"]) == (
        D("10.34"), D("5.17"), D("5.17"))
    assert income("2026-03")[11] == D("10.34")


def test_the_migration_leaves_a_seeded_database_alone():
    before = list(Account.objects.order_by("code").values_list("code", "is_leaf", "role"))
    _migrate()
    assert list(Account.objects.order_by("code").values_list("code", "is_leaf", "role")) == before


# -- 建账 on the page ------------------------------------------------------------------------------

def _client(make_user, role="accountant", lang="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(make_user(role, f"{role}_{lang}"))
    return client


def _row_numbers(page: str) -> dict[str, int]:
    import re

    return {code: int(n) for n, code in re.findall(r'name="r(\d+)-account" value="([0-9.]+)"', page)}


def _accounts(page: str) -> dict[str, str]:
    """The hidden account input of every row, as the browser posts them."""
    return {f"r{n}-account": code for code, n in _row_numbers(page).items()}


def test_an_accountant_enters_a_mid_year_opening_on_the_page(make_user):
    client = _client(make_user)
    page = client.get("/ledger/opening/enter/").content.decode()
    assert "年初余额" in page and 'name="r0-year_start_debit"' in page
    numbers = _row_numbers(page)
    count = int(__import__("re").search(r'name="rows" value="(\d+)"', page).group(1))
    assert 'name="r{}-debit"'.format(numbers["5001"]) not in page  # 损益类: 本年累计 only
    form = {"rows": str(count), "period": "2026-07", **_accounts(page)}
    n = numbers
    form |= {f"r{n['1002']}-year_start_debit": "300000", f"r{n['1002']}-ytd_debit": "500000",
             f"r{n['1002']}-ytd_credit": "394308",
             f"r{n['3001']}-year_start_credit": "300000", f"r{n['3001']}-credit": "300000",
             f"r{n['3103']}-ytd_debit": "394308", f"r{n['3103']}-ytd_credit": "500000", f"r{n['3103']}-credit": "105692",
             f"r{n['5001']}-ytd_credit": "500000", f"r{n['5602.02']}-ytd_debit": "5000",
             f"r{n['5602.05']}-ytd_debit": "389308", "cf1": "500000", "cf6": "394308"}
    # a wrong 期初 is refused naming the account and the column, and nothing is saved
    wrong = client.post("/ledger/opening/enter/", form | {f"r{n['1002']}-debit": "405000"})
    assert wrong.status_code == 422
    text = wrong.content.decode()
    assert "1002 银行存款" in text and "期初借方" in text and "405000" in text
    assert f'data-field-error="r{n["1002"]}-debit"' in text
    assert not OpeningBalance.objects.exists()
    # the right one (期初 following from 年初 + 借 − 贷) is saved and checked
    saved = client.post("/ledger/opening/enter/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    summary = reports.opening_summary()
    assert summary["period"] == "2026-07" and summary["balanced"], [c for c in summary["checks"] if not c["ok"]]
    rows = {r["account"]: r for r in summary["rows"]}
    assert rows["1002"]["debit"] == D("405692.00") and rows["5602.02"]["ytd_debit"] == D("5000.00")
    assert income("2026-07")[16] == D("0.00")
    ytd = {line["line_no"]: line["comparative"] for line in statements.income_statement("2026-07")["lines"]}
    assert (ytd[14], ytd[16], ytd[32]) == (D("394308.00"), D("5000.00"), D("105692.00"))
    # the form shows what is saved
    again = client.get("/ledger/opening/enter/").content.decode()
    assert f'name="r{_row_numbers(again)["1002"]}-ytd_credit" value="394308.00"' in again


def test_the_opening_form_refuses_an_unbalanced_set_in_english(make_user):
    client = _client(make_user, lang="en")
    page = client.get("/ledger/opening/enter/").content.decode()
    n = _row_numbers(page)
    count = int(__import__("re").search(r'name="rows" value="(\d+)"', page).group(1))
    refused = client.post("/ledger/opening/enter/", {"rows": str(count), "period": "2026-01", **_accounts(page),
                                                     f"r{n['1002']}-debit": "1000", f"r{n['3001']}-credit": "900"})
    assert refused.status_code == 422
    assert "opening balances do not balance: debit 1000.00 ≠ credit 900.00" in refused.content.decode()
    pl = client.post("/ledger/opening/enter/", {"rows": str(count), "period": "2026-01", **_accounts(page),
                                                f"r{n['1002']}-debit": "abc", f"r{n['3001']}-credit": "900"})
    assert pl.status_code == 422 and "1002" in pl.content.decode() and "opening debit (期初借方)" in pl.content.decode()
    assert not OpeningBalance.objects.exists()
    assert _client(make_user, "warehouse").get("/ledger/opening/enter/").status_code == 403
    assert _client(make_user, "warehouse", "en").post("/ledger/opening/enter/", {"rows": "0"}).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_opening_form_in_chromium(live_server, make_user, chromium):
    from playwright.sync_api import sync_playwright

    make_user("accountant", username="kuaiji", password="demo-pass-1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=args, headless=True)
            page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "kuaiji")
            page.fill("#id_password", "demo-pass-1")
            page.click(".login-box button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            page.goto(f"{live_server.url}/ledger/opening/")
            page.click('a[href="/ledger/opening/enter/"]')
            page.fill('input[name="period"]', "2026-07")

            def cell(code, key):
                return page.locator(f'tr[data-account="{code}"] input[name$="-{key}"]').first

            cell("1002", "year_start_debit").fill("300000")
            cell("1002", "ytd_debit").fill("500000")
            cell("1002", "ytd_credit").fill("394308")
            cell("1002", "debit").fill("405000")  # a typing error
            cell("3001", "credit").fill("300000")
            cell("3001", "year_start_credit").fill("300000")
            cell("3103", "ytd_debit").fill("394308")
            cell("3103", "ytd_credit").fill("500000")
            cell("3103", "credit").fill("105692")
            cell("5001", "ytd_credit").fill("500000")
            cell("5602.02", "ytd_debit").fill("5000")
            cell("5602.05", "ytd_debit").fill("389308")
            page.fill('input[name="cf1"]', "500000")
            page.fill('input[name="cf6"]', "394308")
            page.click("form.opening-form button[type=submit]")
            alert = page.locator("p.msg.error[role=alert]")
            assert "1002 银行存款" in alert.inner_text() and "期初借方" in alert.inner_text()
            page.locator('tr.row-error').first.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "opening-form-error.png"), full_page=False)
            cell("1002", "debit").fill("")
            page.click("form.opening-form button[type=submit]")
            page.wait_for_url(f"{live_server.url}/ledger/opening/")
            assert page.locator('li[data-check="opening_balanced"].ok').count() == 1
            assert page.locator('li.fail').count() == 0, page.locator("ul.checks").inner_text()
            page.screenshot(path=str(SHOTS / "opening-saved.png"), full_page=True)
            assert errors == []
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# -- 科目表 on the page ---------------------------------------------------------------------------

def test_the_chart_page_adds_a_sub_account_and_moves_an_in_use_balance(make_user, post):
    # given 2241 其他应付款 in use (300.00 owed)
    post("2026-03-05", [("5602.02", "300.00", None), ("2241", None, "300.00")])
    client = _client(make_user)
    page = client.get("/ledger/accounts/").content.decode()
    assert 'data-account="5602.02"' in page and "16 业务招待费" in page
    # a wrong code is refused naming the field, nothing added
    refused = client.post("/ledger/accounts/", {"parent": "2241", "code": "2242.01", "name": "押金"})
    assert refused.status_code == 422 and 'data-field-error="code"' in refused.content.decode()
    assert not Account.objects.filter(code="2242.01").exists()
    # when the accountant adds 2241.01 押金 on the page
    added = client.post("/ledger/accounts/", {"parent": "2241", "code": "2241.01", "name": "押金",
                                             "dimensions": ["partner"]}, follow=True)
    # then the balance moved into it and the page says so
    assert "2241 的余额已转入" in added.content.decode() or "moved into" in added.content.decode()
    parent, child = Account.objects.get(code="2241"), Account.objects.get(code="2241.01")
    assert not parent.is_leaf and parent.moved_into_id == child.pk and child.dim_partner
    rows = {r["code"]: r for r in reports.trial_balance("2026-03")["rows"]}
    assert (rows["2241"]["closing"], rows["2241.01"]["closing"]) == (D("300.00"), D("300.00"))
    assert _client(make_user, "warehouse").get("/ledger/accounts/").status_code == 403
