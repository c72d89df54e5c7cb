"""A 小规模纳税人 keeps 应交增值税 as one account (no 专栏): its sale at 征收率 1% books
Dr 1122 10,100.00 / Cr 5001 10,000.00 / Cr 2221.01 100.00 (china-formats.md §2); surcharges on the 100.00 at the
六税两费 half rate (tests/ledger/test_surcharge_relief.py): 城建税 7.00 / 2 = 3.50, 教育费附加 1.50, 地方教育附加 1.00.
Switching back once 应交增值税 holds postings is refused."""

import datetime

import pytest

from sihe.core.errors import DomainError
from sihe.ledger import services
from sihe.ledger.models import Account, VoucherLine
from sihe.ledger.vat import selectors
from sihe.ledger.vat import services as vat
from tests.ledger.conftest import D


def test_small_scale_sale_posts_to_one_vat_account(actor):
    vat.set_tax_profile(actor=actor, taxpayer_type="small", levy_rate="0.01")
    vat_account = Account.objects.get(code="2221.01")
    assert vat_account.is_leaf and vat_account.role == "vat_payable"
    assert not Account.objects.filter(code__startswith="2221.01.").exists()

    voucher = services.book(rule="sales.revenue", date=datetime.date(2026, 3, 5),
                            amounts={"total": "10100.00", "net": "10000.00", "tax": "100.00"}, source_type="test",
                            source_id="1", memo="小规模销售", actor=actor, dimensions={"partner": "C001"})
    lines = [(ln.account.code, ln.debit, ln.credit) for ln in VoucherLine.objects.filter(voucher=voucher)
             .select_related("account").order_by("seq")]
    assert lines == [("1122", D("10100.00"), D("0.00")), ("5001", D("0.00"), D("10000.00")),
                     ("2221.01", D("0.00"), D("100.00"))]

    month = selectors.month("2026-03")
    assert not month["general"] and month["vat_incurred"] == D("100.00")
    done = vat.accrue_surcharges(period="2026-03", actor=actor)
    assert done["amounts"] == {"uct_payable": D("3.50"), "edu_payable": D("1.50"), "local_edu_payable": D("1.00")}
    with pytest.raises(DomainError) as err:
        vat.carry_out_vat(period="2026-03", actor=actor)
    assert err.value.code == "not_general_taxpayer"

    with pytest.raises(DomainError) as err:
        vat.set_tax_profile(actor=actor, taxpayer_type="general")
    assert err.value.code == "vat_columns_in_use"


def test_back_to_general_restores_the_columns_and_rules(actor):
    vat.set_tax_profile(actor=actor, taxpayer_type="small")
    vat.set_tax_profile(actor=actor, taxpayer_type="general")
    assert Account.objects.get(role="vat_output").code == "2221.01.06"
    assert Account.objects.get(role="vat_input").direction == "debit"
    voucher = services.book(rule="sales.revenue", date=datetime.date(2026, 3, 5),
                            amounts={"total": "113.00", "net": "100.00", "tax": "13.00"}, source_type="test",
                            source_id="2", memo="一般纳税人销售", actor=actor)
    assert "2221.01.06" in {ln.account.code for ln in voucher.lines.all()}


def test_becoming_small_scale_after_vat_was_posted_is_refused(post, actor):
    post("2026-03-10", [("1122", "113.00", None), ("5001", None, "100.00"), ("2221.01.06", None, "13.00")])
    with pytest.raises(DomainError) as err:
        vat.set_tax_profile(actor=actor, taxpayer_type="small")
    assert err.value.code == "vat_columns_in_use"
    assert selectors.taxpayer_type() == "general"
