"""Supplier invoices by type (issue 17): a 专票's tax waits in 待认证进项税额 until 勾选/认证, a 普票's tax is
cost — the goods' cost while they are in stock (入库成本调整) —, a small-scale buyer deducts nothing. The received order: TEA 40 at 8.00 (receipt cost 320.00)."""

import pytest

from sihe.core.errors import DomainError
from sihe.costing import services as costing
from sihe.costing.checks import inventory_matches_ledger
from sihe.ledger.models import Voucher
from sihe.ledger.vat import selectors as vat
from sihe.ledger.vat import services as vat_services
from sihe.purchasing import services
from sihe.purchasing.services import InvoiceLine
from tests.purchasing.test_invoices import DAY, D, lines_of, received  # noqa: F401


def test_a_special_invoice_waits_for_certification_then_becomes_input_vat(received, products, people):  # noqa: F811
    acc = people["accountant"][1]
    inv = services.post_invoice(order=received, number="SP1", actor=acc, invoice_date=DAY, lines=[
        InvoiceLine(product=products["TEA"], qty="40", price="8")])
    assert (inv.vat_type, inv.deductible, inv.tax) == ("special", True, D("41.60"))  # 320.00 × 13 %
    assert lines_of(Voucher.objects.get(pk=inv.voucher_id)) == [
        ("2202.02", D("320.00"), D(0), ""), ("2221.09", D("41.60"), D(0), ""), ("2202.01", D(0), D("361.60"), "S01")]
    assert vat.month("2026-11")["input"] == D("0.00")
    assert vat.month("2026-11")["pending_input"] == D("41.60")

    services.certify_invoices(invoices=[inv], actor=acc, date=DAY.replace(day=20))
    inv.refresh_from_db()
    assert inv.certified_on.isoformat() == "2026-11-20"
    assert lines_of(Voucher.objects.get(pk=inv.certify_voucher_id)) == [
        ("2221.01.01", D("41.60"), D(0), ""), ("2221.09", D(0), D("41.60"), "")]
    assert vat.month("2026-11")["input"] == D("41.60")

    with pytest.raises(DomainError) as err:
        services.certify_invoices(invoices=[inv], actor=acc, date=DAY.replace(day=21))
    assert (err.value.status, err.value.code) == (409, "not_awaiting_certification")


def test_an_ordinary_invoice_puts_its_tax_into_cost(received, products, people):  # noqa: F811
    acc = people["accountant"][1]
    inv = services.post_invoice(order=received, number="PP1", actor=acc, invoice_date=DAY, vat_type="ordinary",
                                lines=[InvoiceLine(product=products["TEA"], qty="40", price="8")])
    assert not inv.deductible
    assert lines_of(Voucher.objects.get(pk=inv.voucher_id)) == [
        ("2202.02", D("320.00"), D(0), ""), ("5401", D("41.60"), D(0), ""), ("2202.01", D(0), D("361.60"), "S01")]
    # the 40 TEA are all still in stock, so the 41.60 is theirs: 入库成本调整 Dr 1405 / Cr 5401, 8.00 → 9.04 a unit
    adjustment = Voucher.objects.get(source_type="valuation_layer")
    assert lines_of(adjustment) == [("1405", D("41.60"), D(0), ""), ("5401", D(0), D("41.60"), "")]
    assert adjustment.memo == f"入库成本调整 {received.number} 发票 PP1"
    assert costing.valuation(product=products["TEA"]) == {"method": "moving_average", "qty": D(40),
                                                          "value": D("361.60"), "unit_cost": D("9.04")}
    assert inventory_matches_ledger("2026-11")[0]
    with pytest.raises(DomainError) as err:
        services.certify_invoices(invoices=[inv], actor=acc)
    assert err.value.code == "not_awaiting_certification"


def test_a_small_scale_buyer_deducts_nothing_even_on_a_special_invoice(received, products, people, actor):  # noqa: F811
    vat_services.set_tax_profile(actor=actor, taxpayer_type="small")
    acc = people["accountant"][1]
    inv = services.post_invoice(order=received, number="SP2", actor=acc, invoice_date=DAY,
                                lines=[InvoiceLine(product=products["TEA"], qty="40", price="8")])
    assert (inv.vat_type, inv.deductible) == ("special", False)
    assert lines_of(Voucher.objects.get(pk=inv.voucher_id)) == [
        ("2202.02", D("320.00"), D(0), ""), ("5401", D("41.60"), D(0), ""), ("2202.01", D(0), D("361.60"), "S01")]


def test_a_tax_exempt_invoice_with_tax_is_refused(received, products, people):  # noqa: F811
    with pytest.raises(DomainError) as err:
        services.post_invoice(order=received, number="MS1", actor=people["accountant"][1], invoice_date=DAY,
                              vat_type="exempt", lines=[InvoiceLine(product=products["TEA"], qty="40", price="8")])
    assert (err.value.code, err.value.field) == ("exempt_with_tax", "lines[0].tax_rate")
