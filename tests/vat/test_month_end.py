"""VAT month-end of a 一般纳税人 (city: 城建税 7%), figures worked out by hand:

2026-03  销项 12,345.67 × 13% = 1,604.94 (1,604.9371); 进项 5,432.10 × 13% = 706.17 (706.173);
         goods costing 300.00 stolen → 进项税额转出 300.00 × 13% = 39.00.
         转出未交增值税 = 1,604.94 + 39.00 − 706.17 = 937.77
         城建税 937.77 × 7% = 65.64 (65.6439), 教育费附加 × 3% = 28.13 (28.1331), 地方教育附加 × 2% = 18.76 (18.7554)
2026-04  销项 130.00, 进项 390.00 → 留抵 260.00, nothing carried out, no surcharge
2026-05  销项 325.00 − 留抵 260.00 → 转出未交增值税 65.00; surcharges 4.55, 1.95, 1.30
"""

import pytest

from sihe.core.errors import DomainError
from sihe.ledger import reports, services, statements
from sihe.ledger.models import Account, VoucherLine
from sihe.ledger.vat import selectors
from sihe.ledger.vat import services as vat
from tests.ledger.conftest import D


def sale(post, date, net, tax):
    total = str(D(net) + D(tax))
    post(date, [("1122", total, None, {"partner": "C001"}), ("5001", None, net), ("2221.01.06", None, tax)])


def purchase(post, date, net, tax):
    total = str(D(net) + D(tax))
    post(date, [("1405", net, None), ("2221.01.01", tax, None), ("2202.01", None, total, {"partner": "S001"})])


def lines_of(voucher):
    return [(ln.account.code, ln.debit, ln.credit) for ln in VoucherLine.objects.filter(voucher=voucher)
            .select_related("account").order_by("seq")]


@pytest.fixture
def march(post, actor):
    sale(post, "2026-03-10", "12345.67", "1604.94")
    purchase(post, "2026-03-12", "5432.10", "706.17")
    post("2026-03-20", [("1901", "300.00", None), ("1405", None, "300.00")])  # stolen goods 待处理
    vat.transfer_out_input_vat(date="2026-03-20", amount="39.00", reason="abnormal_loss", note="仓库失窃",
                               actor=actor)


def test_march_carry_out_and_surcharges_to_the_fen(march, actor):
    month = selectors.month("2026-03")
    assert (month["output"], month["input"], month["input_transferred_out"]) == (D("1604.94"), D("706.17"), D("39.00"))
    assert month["to_carry_out"] == D("937.77")

    done = vat.carry_out_vat(period="2026-03", actor=actor)
    assert done["amount"] == D("937.77")
    assert lines_of(done["voucher"]) == [("2221.01.04", D("937.77"), D("0.00")), ("2221.02", D("0.00"), D("937.77"))]
    assert done["voucher"].date.isoformat() == "2026-03-31"

    accrued = vat.accrue_surcharges(period="2026-03", actor=actor)
    assert accrued["amounts"] == {"uct_payable": D("65.64"), "edu_payable": D("28.13"), "local_edu_payable": D("18.76")}
    assert lines_of(accrued["voucher"]) == [
        ("5403.03", D("65.64"), D("0.00")), ("5403.07", D("28.13"), D("0.00")), ("5403.07", D("18.76"), D("0.00")),
        ("2221.05", D("0.00"), D("65.64")), ("2221.06", D("0.00"), D("28.13")), ("2221.07", D("0.00"), D("18.76"))]
    # a second run books nothing more
    assert vat.accrue_surcharges(period="2026-03", actor=actor)["voucher"] is None
    assert vat.carry_out_vat(period="2026-03", actor=actor)["voucher"] is None

    rows = {r["code"]: r for r in reports.trial_balance("2026-03")["rows"]}
    assert rows["2221.02"]["closing"] == D("937.77")  # 未交增值税, credit
    assert rows["2221.01"]["closing"] == D("0.00")  # 应交增值税 carried out to nothing
    assert rows["5403"]["closing"] == D("112.53")
    # 城建税 on 5403.03, 教育费附加 and 地方教育附加 on 5403.07: the 利润表 其中 lines 6 and 10 show them
    assert (rows["5403.03"]["closing"], rows["5403.07"]["closing"]) == (D("65.64"), D("46.89"))
    income = {line["line_no"]: line["current"] for line in statements.income_statement("2026-03")["lines"]}
    assert (income[3], income[6], income[10]) == (D("112.53"), D("65.64"), D("46.89"))


def test_the_input_vat_column_shows_a_debit_balance(post):
    """进项税额 is a debit-side 专栏: 170.30 of input VAT is a debit balance of 170.30, not −170.30."""
    purchase(post, "2026-03-12", "1310.00", "170.30")
    rows = {r["code"]: r for r in reports.trial_balance("2026-03")["rows"]}
    assert Account.objects.get(code="2221.01.01").direction == "debit"
    assert rows["2221.01.01"]["closing"] == D("170.30")
    assert rows["2221.01.01"]["closing_debit"] == D("170.30")


def test_close_is_refused_until_vat_is_carried_out_and_surcharges_accrued(march, actor):
    with pytest.raises(DomainError) as err:
        services.close_period(period="2026-03", actor=actor)
    assert err.value.code == "close_checks_failed"
    failed = {c["code"] for c in err.value.extra["checks"] if not c["ok"]}
    assert failed == {"vat_carried_out", "vat_surcharges"}

    vat.carry_out_vat(period="2026-03", actor=actor)
    with pytest.raises(DomainError) as err:
        services.close_period(period="2026-03", actor=actor)
    assert {c["code"] for c in err.value.extra["checks"] if not c["ok"]} == {"vat_surcharges"}

    vat.accrue_surcharges(period="2026-03", actor=actor)
    closed = services.close_period(period="2026-03", actor=actor)
    assert closed["status"] == "closed"


def test_credit_carried_forward_then_used(march, post, actor):
    vat.carry_out_vat(period="2026-03", actor=actor)
    vat.accrue_surcharges(period="2026-03", actor=actor)
    services.close_period(period="2026-03", actor=actor)

    sale(post, "2026-04-08", "1000.00", "130.00")
    purchase(post, "2026-04-09", "3000.00", "390.00")
    april = selectors.month("2026-04")
    assert (april["to_carry_out"], april["credit_carried_forward"]) == (D("0.00"), D("260.00"))
    assert vat.carry_out_vat(period="2026-04", actor=actor)["voucher"] is None
    assert vat.accrue_surcharges(period="2026-04", actor=actor)["voucher"] is None
    assert services.close_period(period="2026-04", actor=actor)["status"] == "closed"  # 留抵 needs no step

    sale(post, "2026-05-06", "2500.00", "325.00")
    may = vat.carry_out_vat(period="2026-05", actor=actor)
    assert may["amount"] == D("65.00")  # 325.00 − 留抵 260.00
    assert vat.accrue_surcharges(period="2026-05", actor=actor)["amounts"] == {
        "uct_payable": D("4.55"), "edu_payable": D("1.95"), "local_edu_payable": D("1.30")}
    rows = {r["code"]: r for r in reports.trial_balance("2026-05")["rows"]}
    assert rows["2221.02"]["closing"] == D("1002.77")  # 937.77 + 65.00, nothing paid yet


def test_input_vat_transfer_needs_a_reason_and_changes_nothing_when_refused(actor):
    with pytest.raises(DomainError) as err:
        vat.transfer_out_input_vat(date="2026-03-20", amount="10.00", reason="other", actor=actor, account="5602")
    assert (err.value.code, err.value.field) == ("reason_required", "note")
    with pytest.raises(DomainError) as err:
        vat.transfer_out_input_vat(date="2026-03-20", amount="10.00", reason="stolen", actor=actor)
    assert err.value.field == "reason"
    assert not selectors.input_transfers().exists()


def test_surcharges_of_a_county_town_are_5_percent(march, actor):
    vat.set_tax_profile(actor=actor, location="town")
    vat.carry_out_vat(period="2026-03", actor=actor)
    assert vat.accrue_surcharges(period="2026-03", actor=actor)["amounts"]["uct_payable"] == D("46.89")  # 937.77×5%
