"""The VAT month-end and the printed voucher over the API and on the pages."""

import subprocess

from django.test import Client


def sale_and_purchase(post):
    post("2026-03-10", [("1122", "1130.00", None, {"partner": "C001"}), ("5001", None, "1000.00"),
                        ("2221.01.06", None, "130.00")])
    post("2026-03-11", [("1405", "400.00", None), ("2221.01.01", "52.00", None),
                        ("2202.01", None, "452.00", {"partner": "S001"})])


def test_vat_month_end_over_the_api(post, api_as):
    sale_and_purchase(post)
    acc = api_as("accountant")
    r = acc.get("/api/v1/ledger/vat/2026-03")
    assert r.status_code == 200
    assert (r.json_body["output"], r.json_body["input"], r.json_body["to_carry_out"]) == ("130.00", "52.00", "78.00")
    r = acc.post("/api/v1/ledger/vat/2026-03/carry-out")
    assert r.status_code == 200 and r.json_body["voucher"].startswith("记-")
    assert r.json_body["month"]["carried_out"] == "78.00"
    r = acc.post("/api/v1/ledger/vat/2026-03/surcharges")
    assert r.json_body["month"]["surcharges_accrued"] == {"uct_payable": "5.46", "edu_payable": "2.34",
                                                          "local_edu_payable": "1.56"}
    r = acc.post("/api/v1/ledger/input-vat-transfers", {"date": "2026-03-25", "amount": "5.20", "reason": "other"})
    assert (r.status_code, r.json_body["field"]) == (422, "note")
    r = acc.post("/api/v1/ledger/input-vat-transfers", {"date": "2026-03-25", "amount": "5.20",
                                                        "reason": "welfare", "account": "2211", "note": "发放职工福利"})
    assert r.status_code == 201 and r.json_body["voucher_id"]
    assert acc.get("/api/v1/ledger/vat/2026-03").json_body["to_carry_out"] == "5.20"
    assert api_as("warehouse").post("/api/v1/ledger/vat/2026-03/carry-out").status_code == 403
    assert acc.post("/api/v1/ledger/vat/2026-13/carry-out").status_code == 422


def test_voucher_pdf_over_the_api(post, api_as, tmp_path):
    sale_and_purchase(post)
    acc = api_as("accountant")
    r = acc.client.get("/api/v1/vouchers/pdf?period=2026-03&from=1&to=2&paper=voucher", **acc.headers)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    path = tmp_path / "v.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "记-0001" in text and "记-0002" in text and "合计：人民币壹仟壹佰叁拾元整" in text
    assert "合计：人民币肆佰伍拾贰元整" in text
    r = acc.get("/api/v1/vouchers/999999/pdf")
    assert r.status_code == 404


def test_close_page_shows_the_vat_steps_and_the_voucher_page_prints(post, make_user):
    sale_and_purchase(post)
    client = Client()
    client.force_login(make_user("accountant", "acc_page"))
    page = client.get("/ledger/close/?period=2026-03").content.decode()
    assert 'id="vat-month"' in page and "78.00" in page and "vat_carried_out" in page
    r = client.post("/ledger/vat/carry-out/", {"period": "2026-03"})
    assert r.status_code == 302
    page = client.get("/ledger/close/?period=2026-03").content.decode()
    assert 'data-vat="carried">78.00' in page
    from sihe.ledger.models import Voucher

    v = Voucher.objects.order_by("id").first()
    page = client.get(f"/ledger/vouchers/{v.pk}/").content.decode()
    assert f"/ledger/vouchers/{v.pk}/pdf/" in page
    r = client.get(f"/ledger/vouchers/{v.pk}/pdf/?paper=voucher")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get("/ledger/tax-profile/").status_code == 200


def test_tax_profile_over_the_api_and_the_page(api_as, make_user):
    acc = api_as("accountant")
    r = acc.put("/api/v1/ledger/tax-profile", {"location": "town", "chief_accountant": "赵会计", "cashier": "钱出纳"})
    assert r.status_code == 200
    assert (r.json_body["taxpayer_type"], r.json_body["city_tax_rate"], r.json_body["cashier"]) == ("general", "0.05",
                                                                                                 "钱出纳")
    assert acc.put("/api/v1/ledger/tax-profile", {"levy_rate": "0.02"}).status_code == 422
    assert api_as("warehouse").put("/api/v1/ledger/tax-profile", {"location": "city"}).status_code == 403
    client = Client()
    client.force_login(make_user("accountant", "acc_profile"))
    assert client.post("/ledger/tax-profile/", {"taxpayer_type": "small", "levy_rate": "0.03", "location": "other",
                                                "chief_accountant": "孙主管", "cashier": ""}).status_code == 302
    r = acc.get("/api/v1/ledger/tax-profile")
    assert (r.json_body["taxpayer_type"], r.json_body["levy_rate"], r.json_body["chief_accountant"]) == (
        "small", "0.03", "孙主管")
