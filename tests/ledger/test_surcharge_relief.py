"""六税两费减半 (财政部 税务总局公告2023年第12号): from 2023-01 to 2027-12 a 小规模纳税人 pays 城市维护建设税, 教育费附加 and
地方教育附加 at half. On a month's VAT of 195.00 (city, 7 %):

  full rate   城建 195.00 × 7 % = 13.65 · 教育 × 3 % = 5.85 · 地方 × 2 % = 3.90 — 23.40
  减征额      13.65 × 50 % = 6.825 → 6.83 · 5.85 × 50 % = 2.925 → 2.93 · 3.90 × 50 % = 1.95
  due         13.65 − 6.83 = 6.82 · 5.85 − 2.93 = 2.92 · 3.90 − 1.95 = 1.95 — 11.69
              (as the 附加税费申报表 works it out: the 减征额 rounded half up to the fen in a column of its own)

A 一般纳税人 gets no relief; nor does a period outside the window (2022-12, 2028-01); nor a 小规模 company that
switched the relief off. The 摘要 of the surcharge voucher says 减半征收, and the close check shows the halved figure.
"""

import datetime

import pytest
from django.test import Client

from sihe.core.audit import AuditEntry
from sihe.core.errors import ValidationFailed
from sihe.ledger.vat import checks, selectors
from sihe.ledger.vat import services as vat
from sihe.ledger.vat.models import SURCHARGE_RELIEFS, TaxProfile, surcharge_relief_in
from tests.ledger.conftest import D

HALVED = {"uct_payable": D("6.82"), "edu_payable": D("2.92"), "local_edu_payable": D("1.95")}
FULL = {"uct_payable": D("13.65"), "edu_payable": D("5.85"), "local_edu_payable": D("3.90")}


def small_scale(actor, **kw):
    return vat.set_tax_profile(actor=actor, taxpayer_type="small", levy_rate="0.03", location="city", **kw)


def small_sale(post, day: str):
    """A 小规模 sale at 征收率 3 %: Dr 1122 6,695.00 / Cr 5001 6,500.00 / Cr 2221.01 195.00."""
    return post(day, [("1122", "6695.00", None, {"partner": "C001"}), ("5001", None, "6500.00"),
                      ("2221.01", None, "195.00")])


def surcharge_lines(voucher) -> list[tuple]:
    return [(ln.account.role or ln.account.code, ln.debit, ln.credit, ln.summary)
            for ln in voucher.lines.select_related("account").order_by("seq")]


def test_the_relief_window_is_data_in_one_place():
    # given the one window of 公告2023年第12号
    assert [(r.first, r.last, r.reduction) for r in SURCHARGE_RELIEFS] == [("2023-01", "2027-12", D("0.50"))]
    # then its months get it, the months around it do not
    assert [surcharge_relief_in(p) is not None for p in ("2022-12", "2023-01", "2026-07", "2027-12", "2028-01")] == [
        False, True, True, True, False]


def test_a_small_scale_month_accrues_the_halved_surcharges(post, actor):
    # given a 小规模纳税人 (the relief on by default) with VAT 195.00 in July 2026
    profile = small_scale(actor)
    assert profile.surcharge_relief is True
    small_sale(post, "2026-07-12")
    month = selectors.month("2026-07")
    assert (month["vat_incurred"], month["surcharge_relief"]) == (D("195.00"), True)
    assert month["surcharges_due"] == month["surcharges_to_accrue"] == HALVED

    # when the surcharges are accrued
    done = vat.accrue_surcharges(period="2026-07", actor=actor)

    # then 6.82 + 2.92 + 1.95 = 11.69 is booked, and the 摘要 says why
    assert (done["amounts"], done["relief"]) == (HALVED, True)
    voucher = done["voucher"]
    assert voucher.memo == "2026-07 计提附加税（六税两费减半征收）"
    lines = surcharge_lines(voucher)
    assert [(d, c) for _a, d, c, _s in lines] == [
        (D("6.82"), D("0.00")), (D("2.92"), D("0.00")), (D("1.95"), D("0.00")),
        (D("0.00"), D("6.82")), (D("0.00"), D("2.92")), (D("0.00"), D("1.95"))]
    assert [a for a, *_ in lines][3:] == ["uct_payable", "edu_payable", "local_edu_payable"]
    assert [s for *_x, s in lines] == [
        "2026-07 计提城市维护建设税（六税两费减半征收）", "2026-07 计提教育费附加（六税两费减半征收）",
        "2026-07 计提地方教育附加（六税两费减半征收）"] * 2
    assert selectors.month("2026-07")["surcharges_to_accrue"] == dict.fromkeys(HALVED, D("0.00"))
    # a second run books nothing
    assert vat.accrue_surcharges(period="2026-07", actor=actor)["voucher"] is None


def test_the_quarter_close_check_shows_the_halved_figure(post, actor):
    # given a 小规模纳税人 with VAT 195.00 in September, the quarter's last month
    small_scale(actor)
    small_sale(post, "2026-09-12")

    # then the check refuses with the halved amount still to accrue
    ok, detail = checks.vat_surcharges("2026-09")
    assert not ok and "195.00" in detail and "11.69" in detail and "23.40" not in detail
    assert "六税两费减半征收" in detail

    # when accrued, it passes with the halved figure
    vat.accrue_surcharges(period="2026-09", actor=actor)
    ok, detail = checks.vat_surcharges("2026-09")
    assert ok and "195.00" in detail and "11.69" in detail and "六税两费减半征收" in detail


def test_a_general_taxpayer_gets_no_relief(post, actor):
    # given a 一般纳税人 (relief flag left on) with 销项 195.00 carried out in July
    assert selectors.profile().surcharge_relief is True
    post("2026-07-12", [("1122", "1695.00", None, {"partner": "C001"}), ("5001", None, "1500.00"),
                        ("2221.01.06", None, "195.00")])
    vat.carry_out_vat(period="2026-07", actor=actor)
    assert selectors.month("2026-07")["surcharge_relief"] is False

    # when the surcharges are accrued
    done = vat.accrue_surcharges(period="2026-07", actor=actor)

    # then at the full rate, with no 减半 in the 摘要
    assert (done["amounts"], done["relief"]) == (FULL, False)
    assert done["voucher"].memo == "2026-07 计提附加税"
    assert not any("减半" in s for *_x, s in surcharge_lines(done["voucher"]))
    ok, detail = checks.vat_surcharges("2026-07")
    assert ok and "23.40" in detail and "减半" not in detail


@pytest.mark.parametrize(("day", "expected"), [("2022-12-12", FULL), ("2023-01-12", HALVED),
                                               ("2027-12-12", HALVED), ("2028-01-12", FULL)])
def test_only_the_periods_in_the_window_get_the_relief(post, actor, clock, day, expected):
    # given a 小规模纳税人 with VAT 195.00 in a month at either edge of the window
    clock.at(datetime.date.fromisoformat(day) + datetime.timedelta(days=20))
    small_scale(actor)
    small_sale(post, day)
    period = day[:7]

    # when accrued
    done = vat.accrue_surcharges(period=period, actor=actor)

    # then halved inside 2023-01 … 2027-12 only
    assert done["amounts"] == expected
    assert selectors.month(period)["surcharge_relief"] is (expected is HALVED)
    assert ("减半征收" in done["voucher"].memo) is (expected is HALVED)


def test_the_relief_switched_off_gives_the_full_rate(post, actor):
    # given a 小规模纳税人 whose July was accrued at half
    small_scale(actor)
    small_sale(post, "2026-07-12")
    vat.accrue_surcharges(period="2026-07", actor=actor)

    # when the relief is switched off
    profile = vat.set_tax_profile(actor=actor, surcharge_relief=False)

    # then the month calls for the full rate: the second run books what is missing, 6.83 + 2.93 + 1.95
    assert profile.surcharge_relief is False
    assert AuditEntry.objects.filter(object_type="ledger_vat.taxprofile", field="surcharge_relief",
                                     old_value="True", new_value="False").count() == 1
    month = selectors.month("2026-07")
    assert (month["surcharge_relief"], month["surcharges_due"]) == (False, FULL)
    done = vat.accrue_surcharges(period="2026-07", actor=actor)
    assert done["amounts"] == {"uct_payable": D("6.83"), "edu_payable": D("2.93"), "local_edu_payable": D("1.95")}
    assert done["voucher"].memo == "2026-07 计提附加税"
    assert selectors.month("2026-07")["surcharges_accrued"] == FULL

    # and a fresh month of a company that never claimed it is at the full rate from the start
    small_sale(post, "2026-08-12")
    assert vat.accrue_surcharges(period="2026-08", actor=actor)["amounts"] == FULL


def test_a_bad_relief_value_is_refused_naming_the_field(actor):
    small_scale(actor)
    with pytest.raises(ValidationFailed) as err:
        vat.set_tax_profile(actor=actor, surcharge_relief="yes")
    assert err.value.field == "surcharge_relief"
    assert TaxProfile.objects.get(pk=1).surcharge_relief is True


def test_the_relief_over_the_api(post, api_as, clock):
    acc = api_as("accountant")
    # the profile shows the relief, on by default
    r = acc.get("/api/v1/ledger/tax-profile")
    assert (r.status_code, r.json_body["surcharge_relief"]) == (200, True)
    r = acc.put("/api/v1/ledger/tax-profile", {"taxpayer_type": "small", "levy_rate": "0.03"})
    assert (r.status_code, r.json_body["taxpayer_type"], r.json_body["surcharge_relief"]) == (200, "small", True)

    # the month says its surcharges are halved
    small_sale(post, "2026-07-12")
    r = acc.post("/api/v1/ledger/vat/2026-07/surcharges")
    assert r.status_code == 200 and r.json_body["month"]["surcharge_relief"] is True
    assert r.json_body["month"]["surcharges_accrued"] == {"uct_payable": "6.82", "edu_payable": "2.92",
                                                          "local_edu_payable": "1.95"}

    # bad values: 422 naming the field, nothing changed
    for bad in ("yes", 1, "maybe", None):
        body = {"surcharge_relief": bad} if bad is not None else {"surcharge_relief": [True]}
        r = acc.put("/api/v1/ledger/tax-profile", body)
        assert (r.status_code, r.json_body["field"]) == (422, "surcharge_relief"), bad
    assert TaxProfile.objects.get(pk=1).surcharge_relief is True

    # switched off: the existing fields keep their names, the month is at the full rate
    r = acc.put("/api/v1/ledger/tax-profile", {"surcharge_relief": False})
    assert r.status_code == 200
    assert {k: r.json_body[k] for k in ("taxpayer_type", "levy_rate", "location", "city_tax_rate",
                                        "surcharge_relief")} == {
        "taxpayer_type": "small", "levy_rate": "0.03", "location": "city", "city_tax_rate": "0.07",
        "surcharge_relief": False}
    r = acc.get("/api/v1/ledger/vat/2026-07")
    assert (r.json_body["surcharge_relief"], r.json_body["surcharges_to_accrue"]) == (
        False, {"uct_payable": "6.83", "edu_payable": "2.93", "local_edu_payable": "1.95"})


def test_the_openapi_schema_documents_the_relief(anonymous_api, db):
    schemas = anonymous_api.get("/api/v1/openapi.json").json_body["components"]["schemas"]
    assert "surcharge_relief" in schemas["TaxProfileIn"]["properties"]
    assert "surcharge_relief" in schemas["TaxProfileOut"]["properties"]
    assert "surcharge_relief" in schemas["TaxProfileOut"]["required"]
    assert "surcharge_relief" in schemas["VatMonthOut"]["properties"]
    assert "2023年第12号" in schemas["TaxProfileIn"]["properties"]["surcharge_relief"]["description"]


def test_the_relief_on_the_tax_profile_page_and_the_close_page(post, actor, make_user):
    small_scale(actor)
    client = Client()
    client.force_login(make_user("accountant", "acc_relief"))
    page = client.get("/ledger/tax-profile/").content.decode()
    assert 'name="surcharge_relief" value="1" checked' in page

    # the close page says the month's surcharges are halved
    small_sale(post, "2026-07-12")
    page = client.get("/ledger/close/?period=2026-07").content.decode()
    assert 'data-vat="relief"' in page and "6.82" in page

    # unticked (the hidden "0" alone is posted): off; the other fields unchanged
    r = client.post("/ledger/tax-profile/", {"taxpayer_type": "small", "levy_rate": "0.03", "location": "city",
                                             "surcharge_relief": "0", "chief_accountant": "", "cashier": ""})
    assert r.status_code == 302
    profile = TaxProfile.objects.get(pk=1)
    assert (profile.surcharge_relief, profile.taxpayer_type) == (False, "small")
    assert 'name="surcharge_relief" value="1">' in client.get("/ledger/tax-profile/").content.decode()
    assert 'data-vat="relief"' not in client.get("/ledger/close/?period=2026-07").content.decode()

    # ticked again: on; a bad value is refused and changes nothing
    client.post("/ledger/tax-profile/", {"surcharge_relief": ["0", "1"]})
    assert TaxProfile.objects.get(pk=1).surcharge_relief is True
    r = client.post("/ledger/tax-profile/", {"surcharge_relief": "maybe"}, follow=True)
    assert TaxProfile.objects.get(pk=1).surcharge_relief is True
    assert any(m.level_tag == "error" for m in r.context["messages"])

