"""The fixed-asset and cashier pages through the browser's forms: a card acquired and depreciated, a
receipt entered, a statement uploaded, matched and the 调节表 shown balanced; a warehouse user is refused."""

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"


def client_for(make_user, role, name=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user(role, name or f"{role}_page"))
    return client


def test_pages_end_to_end(make_user, clock):
    clock.at(2026, 8, 31)  # one day: a session outlives no jump of the clock
    page = client_for(make_user, "accountant")
    assert client_for(make_user, "warehouse").get("/assets/").status_code == 403
    assert client_for(make_user, "warehouse", "w2").get("/cash/").status_code == 403

    assert page.post("/assets/categories/", {"code": "T-05", "name": "电子设备", "life_months": "36",
                                             "residual_rate": "0.05", "method": "straight_line"}).status_code == 302
    refused = page.post("/assets/new/", {"name": "服务器", "category": "T-05", "department": "管理部", "use": "admin",
                                         "acquired_on": "2026-07-01", "cost": "-5", "paid_from": "1002"})
    assert refused.status_code == 422 and "cost" in refused.content.decode()
    made = page.post("/assets/new/", {"code": "FA-SRV", "name": "服务器", "category": "T-05", "department": "管理部",
                                      "use": "admin", "acquired_on": "2026-07-01", "cost": "7200", "paid_from": "1002"})
    assert made.status_code == 302 and made["Location"].endswith("/assets/FA-SRV/")
    page.post("/assets/depreciation/", {"period": "2026-07"})
    page.post("/assets/depreciation/", {"period": "2026-08"})
    register = page.get("/assets/?period=2026-08").content.decode()
    assert "FA-SRV" in register and "190.00" in register  # (7,200 − 360) ÷ 36
    card = page.get("/assets/FA-SRV/").content.decode()
    assert "2029-07" in card

    assert page.post("/cash/", {"code": "ICBC", "name": "工行基本户", "kind": "bank", "ledger_account": "1002",
                                "bank": "icbc", "reconcile_from": "2026-07-01"}).status_code == 302
    posted = page.post("/cash/entries/new/", {"kind": "receipt", "account": "ICBC", "date": "2026-07-01",
                                              "amount": "500000", "summary": "收到投资款", "counter_account": "3001"})
    assert posted.status_code == 302
    journal = page.get("/cash/ICBC/journal/?period_from=2026-07&period_to=2026-07").content.decode()
    assert "本日合计" in journal and "本年累计" in journal and "492800.00" in journal.replace(",", "")  # 500,000 − 7,200
    upload = SimpleUploadedFile("icbc.csv", (FIXTURES / "icbc.csv").read_bytes(), content_type="text/csv")
    assert page.post("/cash/ICBC/reconcile/", {"act": "import", "file": upload}).status_code == 302
    page.post("/cash/ICBC/reconcile/", {"act": "auto"})
    recon = page.get(f"/cash/ICBC/reconcile/?date={datetime.date(2026, 7, 31)}").content.decode()
    assert "银行存款余额调节表" in recon or "Bank balance reconciliation statement" in recon
