"""The API of fixed assets and of cash and bank: the paths, the refusals as 4xx JSON naming the field,
a statement uploaded as multipart, the 调节表 and the sub-account made per bank account."""

from pathlib import Path

from django.test import Client

from sihe.ledger import reports

FIXTURES = Path(__file__).parent.parent / "fixtures" / "bank"


def test_assets_over_the_api(api_as, clock):
    clock.at(2026, 9, 28)
    api = api_as("accountant")
    assert api.post("/api/v1/asset-categories", {"code": "T-02", "name": "机器设备", "life_months": 120,
                                                 "residual_rate": "0.05"}).status_code == 200
    bad = api.post("/api/v1/assets", {"name": "车床", "category": "T-02", "department": "生产车间",
                                      "use": "manufacturing", "acquired_on": "2026-07-20", "cost": "100000",
                                      "paid_from": "9999"})
    assert bad.status_code == 422 and bad.json_body["field"] == "paid_from"
    made = api.post("/api/v1/assets", {"code": "FA-1", "name": "车床", "category": "T-02", "department": "生产车间",
                                       "use": "manufacturing", "acquired_on": "2026-07-20", "cost": "100000",
                                       "paid_from": "1002"})
    assert made.status_code == 201 and made.json_body["residual_value"] == "5000.00"
    assert api.post("/api/v1/depreciation-runs/2026-09").json_body["field"] == "period"  # August first: 409
    assert api.post("/api/v1/depreciation-runs/2026-09").status_code == 409
    assert api.post("/api/v1/depreciation-runs/2026-07").json_body["total"] == "0.00"
    august = api.post("/api/v1/depreciation-runs/2026-08").json_body
    assert august["total"] == "791.67" and august["lines"][0]["expense_account"] == "4101"
    again = api.post("/api/v1/depreciation-runs/2026-08").json_body
    assert again["voucher"] == august["voucher"]
    card = api.get("/api/v1/assets/FA-1").json_body
    assert card["accumulated"] == "791.67" and len(card["schedule"]) == 120
    assert card["schedule"][-1]["amount"] == "791.27"  # 95,000 − 119 × 791.67
    register = api.get("/api/v1/assets?period=2026-08").json_body
    assert register["net_value"] == "99208.33"
    refused = api.post("/api/v1/assets/FA-1/dispose", {"date": "2026-09-10", "proceeds": "1000",
                                                       "counter_account": "1002"})
    assert refused.status_code == 409 and refused.json_body["code"] == "depreciation_not_run"
    assert api_as("warehouse").get("/api/v1/assets").status_code == 403


def test_cash_and_bank_over_the_api(api_as, clock, make_user):
    clock.at(2026, 8, 2)
    api = api_as("accountant")
    account = api.post("/api/v1/cash-accounts", {"code": "ICBC", "name": "工行基本户", "kind": "bank",
                                                 "ledger_account": "1002.01", "bank": "icbc",
                                                 "reconcile_from": "2026-07-01"})
    assert account.status_code == 200 and account.json_body["ledger_account"] == "1002.01"
    assert reports.account_by_code("1002.01").name == "银行存款—工行基本户"  # made for this bank account
    wrong = api.post("/api/v1/cash-accounts", {"code": "X", "name": "错", "kind": "bank", "ledger_account": "1001"})
    assert wrong.status_code == 422 and wrong.json_body["field"] == "ledger_account"
    entry = api.post("/api/v1/cash-entries", {"kind": "receipt", "account": "ICBC", "date": "2026-07-01",
                                              "amount": "500000", "summary": "收到投资款", "counter_account": "3001"},
                     headers={"HTTP_IDEMPOTENCY_KEY": "cb-1"})
    assert entry.status_code == 201
    replay = api.post("/api/v1/cash-entries", {"kind": "receipt", "account": "ICBC", "date": "2026-07-01",
                                               "amount": "500000", "summary": "收到投资款", "counter_account": "3001"},
                      headers={"HTTP_IDEMPOTENCY_KEY": "cb-1"})
    assert replay.json_body["number"] == entry.json_body["number"]
    journal = api.get("/api/v1/cash-accounts/ICBC/journal?period_from=2026-07&period_to=2026-07").json_body
    assert [r["summary"] for r in journal["rows"]] == ["期初余额", "收到投资款", "本日合计", "本月合计", "本年累计"]
    assert journal["closing"] == "500000.00"

    client = Client(HTTP_AUTHORIZATION=api.headers["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE="en")
    empty = client.post("/api/v1/cash-accounts/ICBC/statements", {})
    assert empty.status_code == 422 and empty.json()["field"] == "file"
    with open(FIXTURES / "icbc.csv", "rb") as fh:
        uploaded = client.post("/api/v1/cash-accounts/ICBC/statements", {"file": fh})
    assert uploaded.status_code == 201 and uploaded.json()["lines_read"] == 3
    with open(FIXTURES / "icbc.csv", "rb") as fh:
        twice = client.post("/api/v1/cash-accounts/ICBC/statements", {"file": fh})
    assert twice.status_code == 409 and twice.json()["code"] == "duplicate_statement"
    assert api.post("/api/v1/cash-accounts/ICBC/auto-match").json_body == {"matched": 1}
    recon = api.get("/api/v1/cash-accounts/ICBC/reconciliation?date=2026-07-31").json_body
    assert recon["book_balance"] == "500000.00" and recon["bank_balance"] == "486700.00"
    assert [i["amount"] for i in recon["bank_out_not_book"]] == ["11300.00", "2000.00"]
    assert recon["adjusted_book"] == recon["adjusted_bank"] == "486700.00" and recon["balanced"]
    lines = api.get("/api/v1/cash-accounts/ICBC/statement-lines").json_body
    matched = next(line for line in lines if line["voucher_line"])
    assert api.delete(f"/api/v1/statement-lines/{matched['id']}/match").json_body["voucher_line"] is None
    again = api.post(f"/api/v1/statement-lines/{matched['id']}/match", {"voucher_line": matched["voucher_line"]})
    assert again.status_code == 200 and again.json_body["match_kind"] == "manual"
