"""The fixed-asset and cashier pages in Debian chromium, in Chinese: the register after three months,
the truck's card with its workload schedule, the cash journal with 本日合计, and the reconciliation
with its balanced 调节表. Screenshots go to artifacts/screenshots/."""

import datetime
import os
from pathlib import Path

import pytest

from sihe.assets import services as assets
from sihe.cashbank import services as cashbank
from sihe.core.actor import Actor

SHOTS = Path(os.environ.get("SIHE_SHOTS", Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"))
FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _seed(clock, actor):
    from sihe.ledger.chart import seed_chart

    seed_chart()
    clock.at(2026, 7, 15)
    office = assets.save_category(code="T-03", name="办公设备", life_months=36, residual_rate="0.05",
                                  method="straight_line", actor=actor)
    trucks = assets.save_category(code="T-04", name="运输工具", life_months=48, residual_rate="0.05", method="workload",
                                  actor=actor)
    assets.acquire(name="办公电脑", category=office, department="管理部", use="admin", acquired_on="2026-07-15",
                   cost="12000", paid_from="1002", actor=actor, code="FA-PC")
    truck = assets.acquire(name="厢式货车", category=trucks, department="销售部", use="selling", acquired_on="2026-07-15",
                           cost="300000", total_workload="500000", workload_unit="km", paid_from="1002", actor=actor,
                           code="FA-TRUCK")
    clock.at(2026, 7, 31)
    assets.run_depreciation(period="2026-07", actor=actor)
    for period, km in (("2026-08", "4000"), ("2026-09", "5250"), ("2026-10", "3333")):
        clock.at(datetime.date(int(period[:4]), int(period[5:]), 28))
        assets.record_workload(asset=truck, period=period, quantity=km, actor=actor)
        assets.run_depreciation(period=period, actor=actor)
    clock.at(2026, 7, 1)
    bank = cashbank.save_account(code="ICBC", name="工行基本户", kind="bank", ledger_account="1002", bank="icbc",
                                 reconcile_from="2026-07-01", actor=actor)
    cash = cashbank.save_account(code="CASH", name="库存现金", kind="cash", ledger_account="1001", actor=actor)
    for date, kw in (
        ("2026-07-01", {"kind": "receipt", "account": bank, "amount": "500000", "counter_account": "3001",
                        "summary": "收到投资款"}),
        ("2026-07-03", {"kind": "payment", "account": bank, "amount": "11300", "counter_account": "2241",
                        "partner": "物业公司", "summary": "支付房租", "reference": "ZF0703"}),
        ("2026-07-05", {"kind": "transfer", "account": bank, "to_account": cash, "amount": "2000",
                        "summary": "提取备用金"}),
        ("2026-07-05", {"kind": "payment", "account": cash, "amount": "300", "counter_account": "5602.05",
                        "department": "管理部", "summary": "购买办公用品"}),
        ("2026-07-05", {"kind": "payment", "account": cash, "amount": "150", "counter_account": "5601.05",
                        "department": "销售部", "summary": "快递费"}),
        ("2026-07-08", {"kind": "payment", "account": cash, "amount": "200", "counter_account": "5602.99",
                        "department": "管理部", "summary": "差旅费"}),
        ("2026-07-31", {"kind": "receipt", "account": bank, "amount": "8000", "counter_account": "1221",
                        "partner": "张三", "summary": "收回借款"}),
        ("2026-07-31", {"kind": "payment", "account": bank, "amount": "1500", "counter_account": "5601.02",
                        "department": "销售部", "summary": "支付广告费"}),
    ):
        clock.at(datetime.date.fromisoformat(date))
        cashbank.enter(date=date, actor=actor, **kw)
    clock.at(2026, 8, 2)
    for name in ("icbc.csv", "cmb.xlsx"):
        cashbank.import_statement(account=bank, data=(FIXTURES / name).read_bytes(), file_name=name, actor=actor)
    cashbank.auto_match(account=bank, actor=actor)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_in_chromium(live_server, make_user, clock, chromium):
    from playwright.sync_api import sync_playwright

    _seed(clock, Actor.system("test"))
    clock.at(2026, 11, 3)
    make_user("accountant", username="kuaiji", password="demo-pass-1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
            page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "kuaiji")
            page.fill("#id_password", "demo-pass-1")
            page.click(".login-box button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            assert page.locator('.sidenav a[data-nav="web_assets:register"]').count() == 1
            assert page.locator('.sidenav a[data-nav="web_cashbank:accounts"]').count() == 1

            page.goto(f"{live_server.url}/assets/?period=2026-10")
            assert page.locator("h1").inner_text() == "固定资产卡片账 2026-10"
            assert "本月已计提折旧" in page.locator("#depreciation").inner_text()
            page.screenshot(path=str(SHOTS / "assets-register.png"), full_page=True)
            page.goto(f"{live_server.url}/assets/FA-TRUCK/")
            assert "工作量法" in page.content()
            page.screenshot(path=str(SHOTS / "assets-card-truck.png"), full_page=True)
            page.goto(f"{live_server.url}/cash/CASH/journal/?period_from=2026-07&period_to=2026-07")
            assert page.locator("tr.row-day").count() == 2
            page.screenshot(path=str(SHOTS / "cash-journal.png"), full_page=True)
            page.goto(f"{live_server.url}/cash/ICBC/reconcile/?date=2026-07-31")
            assert "已平衡" in page.locator("main").inner_text()
            page.screenshot(path=str(SHOTS / "bank-reconciliation.png"), full_page=True)
            page.goto(f"{live_server.url}/ledger/close/?period=2026-11")
            page.screenshot(path=str(SHOTS / "close-depreciation-check.png"), full_page=True)
            assert errors == []
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
