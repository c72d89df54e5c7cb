"""Vouchers: make → review (by another person) → post; refusals change nothing; the database keeps
the invariants even when code is bypassed."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from sihe.core.errors import DomainError
from sihe.core.models import AuditEntry
from sihe.ledger import balances, services
from sihe.ledger.models import Account, Balance, Voucher, VoucherLine

DAY = datetime.date(2026, 3, 5)


def capital(amount="100000.00", cf=15):
    return [
        {"account": "1002", "debit": amount, "summary": "收到投资款", "cash_flow_item": cf},
        {"account": "3001", "credit": amount, "summary": "收到投资款", "partner": "INV1"},
    ]


def test_the_chart_has_the_66_small_enterprise_accounts_and_the_vat_columns(db):
    level1 = Account.objects.filter(level=1)
    assert level1.count() == 66
    assert Account.objects.get(code="3001").name == "实收资本"
    assert Account.objects.get(code="5401").direction == "debit"
    assert Account.objects.get(code="1602").direction == "credit"
    assert Account.objects.get(code="2221").is_leaf is False
    assert Account.objects.get(role="vat_input").code == "2221.01.01"
    assert Account.objects.get(role="vat_output").name == "销项税额"
    assert Account.objects.get(role="vat_transfer_out").name == "转出未交增值税"
    assert Account.objects.get(role="vat_unpaid").code == "2221.02"
    assert Account.objects.get(code="2202.02").parent.code == "2202"
    assert set(Account.objects.filter(is_cash=True).values_list("code", flat=True)) == {"1001", "1002", "1012"}


def test_make_review_post_numbers_each_period_and_word_from_one(maker, reviewer):
    # given two drafts in March and one in April
    first = services.create_voucher(date=DAY, lines=capital("100"), actor=maker)
    second = services.create_voucher(date=DAY, lines=capital("200"), actor=maker)
    april = services.create_voucher(date=datetime.date(2026, 4, 1), lines=capital("300"), actor=maker)
    assert (first.status, first.number) == ("draft", None)
    # when reviewed and posted in the order second, first, april
    for voucher in (second, first, april):
        services.review_voucher(voucher=voucher, actor=reviewer)
        services.post_voucher(voucher=voucher, actor=reviewer)
    # then numbers follow posting order, per period
    numbers = {v.pk: (v.period.code, v.display_number, v.status) for v in Voucher.objects.all()}
    assert numbers == {
        second.pk: ("2026-03", "记-0001", "posted"),
        first.pk: ("2026-03", "记-0002", "posted"),
        april.pk: ("2026-04", "记-0001", "posted"),
    }
    bank = Balance.objects.get(account__code="1002", period="2026-03")
    assert (bank.debit, bank.credit, bank.cash_flow) == (Decimal("300.00"), Decimal("0.00"), "CF15")
    assert AuditEntry.objects.filter(object_type="ledger.voucher", action="post").count() == 3


def test_unbalanced_is_refused_naming_the_amounts(maker):
    lines = capital()
    lines[1]["credit"] = "99999.99"
    with pytest.raises(DomainError) as err:
        services.create_voucher(date=DAY, lines=lines, actor=maker)
    assert err.value.code == "unbalanced"
    assert err.value.as_dict()["debit"] == "100000.00"
    assert err.value.as_dict()["credit"] == "99999.99"
    assert Voucher.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({0: {"debit": "0"}, 1: {"credit": "0"}}, "zero_line", "lines.0.debit"),
        ({0: {"credit": "5"}}, "both_sides", "lines.0.credit"),
        ({0: {"debit": "-5"}, 1: {"credit": "-5"}}, "negative_amount", "lines.0.debit"),
        ({0: {"account": "2221"}}, "not_leaf", "lines.0.account"),
        ({0: {"account": "9999"}}, "unknown_account", "lines.0.account"),
        ({0: {"cash_flow_item": None}}, "cash_flow_item_required", "lines.0.cash_flow_item"),
        ({0: {"summary": " "}}, "required", "lines.0.summary"),
        ({1: {"warehouse": "WH1"}}, "dimension_not_tracked", "lines.1.warehouse"),
        ({0: {"debit": "abc"}}, "invalid", "lines.0.debit"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(maker, change, code, field):
    lines = capital()
    for index, values in change.items():
        lines[index].update(values)
    with pytest.raises(DomainError) as err:
        services.create_voucher(date=DAY, lines=lines, actor=maker)
    assert (err.value.code, err.value.field) == (code, field)
    assert Voucher.objects.count() == 0


def test_the_maker_cannot_review_their_own_voucher(maker):
    voucher = services.create_voucher(date=DAY, lines=capital(), actor=maker)
    with pytest.raises(DomainError) as err:
        services.review_voucher(voucher=voucher, actor=maker)
    assert err.value.code == "reviewer_is_maker"
    voucher.refresh_from_db()
    assert (voucher.status, voucher.reviewed_by) == ("draft", "")


def test_a_draft_cannot_be_posted_before_review(maker):
    voucher = services.create_voucher(date=DAY, lines=capital(), actor=maker)
    with pytest.raises(DomainError) as err:
        services.post_voucher(voucher=voucher, actor=maker)
    assert err.value.code == "not_reviewed"
    assert Balance.objects.count() == 0


def test_posting_into_a_closed_period_is_refused(maker, reviewer, actor):
    voucher = services.create_voucher(date=DAY, lines=capital(), actor=maker)
    services.review_voucher(voucher=voucher, actor=reviewer)
    with pytest.raises(DomainError):  # the close refuses: a voucher is not posted
        services.close_period(period="2026-03", actor=actor)
    services.post_voucher(voucher=voucher, actor=reviewer)
    services.close_period(period="2026-03", actor=actor)
    with pytest.raises(DomainError) as err:
        services.create_voucher(date=DAY, lines=capital(), actor=maker)
    assert err.value.code == "period_closed"
    assert Voucher.objects.count() == 1


def test_a_posted_voucher_is_immutable_and_corrected_by_a_red_reversal(post, reviewer, maker):
    original = post("2026-03-05", [("1002", "500.00", None, {"cash_flow_item": 15}), ("3001", None, "500.00")])
    with pytest.raises(DomainError) as err:
        services.update_voucher(voucher=original, actor=reviewer, memo="changed")
    assert err.value.code == "posted_immutable"
    red = services.reverse_voucher(voucher=original, actor=reviewer)
    # issue 11.10: the red voucher is a draft that another person reviews, like every voucher
    assert (red.status, red.kind, red.reversal_of_id, red.made_by) == ("draft", "reversal", original.pk,
                                                                       reviewer.username)
    with pytest.raises(DomainError) as err:
        services.review_voucher(voucher=red, actor=reviewer)
    assert err.value.code == "reviewer_is_maker"
    services.review_voucher(voucher=red, actor=maker)
    red = services.post_voucher(voucher=red, actor=maker)
    assert (red.status, red.display_number, red.reviewed_by) == ("posted", "记-0002", maker.username)
    assert [(line.account.code, line.debit, line.credit) for line in red.lines.order_by("seq")] == [
        ("1002", Decimal("-500.00"), Decimal("0.00")), ("3001", Decimal("0.00"), Decimal("-500.00")),
    ]
    bank = Balance.objects.get(account__code="1002", period="2026-03")
    assert (bank.debit, bank.credit) == (Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(DomainError) as err:
        services.reverse_voucher(voucher=original, actor=reviewer)
    assert err.value.code == "already_reversed"
    original.refresh_from_db()
    assert original.status == "posted"


def test_the_database_refuses_changing_a_posted_line(post):
    voucher = post("2026-03-05", [("1002", "500.00", None, {"cash_flow_item": 15}), ("3001", None, "500.00")])
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        VoucherLine.objects.filter(voucher=voucher).update(debit=Decimal("1"))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(memo="x")
    assert VoucherLine.objects.get(voucher=voucher, seq=1).debit == Decimal("500.00")


def test_the_database_refuses_an_unbalanced_voucher(maker):
    voucher = services.create_voucher(date=DAY, lines=capital(), actor=maker)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        VoucherLine.objects.filter(voucher=voucher, seq=1).update(debit=Decimal("1.00"))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the deferred trigger fires at commit; make it fire now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            Voucher.objects.filter(pk=voucher.pk).update(status="posted", number=1)
    assert VoucherLine.objects.get(voucher=voucher, seq=1).debit == Decimal("100000.00")


def test_cash_to_bank_needs_no_cash_flow_item(post):
    voucher = post("2026-03-05", [("1001", "10.00", None, {"cash_flow_item": 1}), ("1002", None, "10.00")])
    assert [line.cash_flow_item_id for line in voucher.lines.all()] == [None, None]


def test_incremental_balances_equal_a_rebuild_from_lines(post, reviewer, actor):
    post("2026-03-05", [("1002", "1000.00", None, {"cash_flow_item": 15}), ("3001", None, "1000.00")])
    first = post("2026-03-06", [("1405", "300.00", None, {"warehouse": "W1"}), ("2202.01", None, "300.00",
                                                                              {"partner": "S1"})])
    post("2026-04-02", [("5602.05", "20.00", None), ("1002", None, "20.00", {"cash_flow_item": 6})])
    red = services.reverse_voucher(voucher=first, actor=reviewer)
    services.review_voucher(voucher=red, actor=actor)
    services.post_voucher(voucher=red, actor=actor)
    services.close_period(period="2026-03", actor=actor)
    incremental = balances.stored()
    assert incremental == balances.computed_from_lines()
    assert balances.rebuild_balances() == len(incremental)
    assert balances.stored() == incremental


def test_11_10_a_draft_reversal_can_be_deleted_and_the_voucher_reversed_again(post, reviewer, maker):
    original = post("2026-03-05", [("1002", "500.00", None, {"cash_flow_item": 15}), ("3001", None, "500.00")])
    red = services.reverse_voucher(voucher=original, actor=reviewer)
    services.delete_voucher(voucher=red, actor=reviewer)
    assert not Voucher.objects.filter(pk=red.pk).exists()
    again = services.reverse_voucher(voucher=original, actor=reviewer)
    assert again.status == "draft"
    services.review_voucher(voucher=again, actor=maker)
    services.post_voucher(voucher=again, actor=maker)
    with pytest.raises(DomainError) as err:
        services.delete_voucher(voucher=original, actor=reviewer)
    assert err.value.code == "posted_immutable"
