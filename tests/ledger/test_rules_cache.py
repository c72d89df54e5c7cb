"""Issue 18: a posting rule is read from the database once, then kept across acts until the rules'
version token changes — which the database does itself on every write to the rules, their lines, the
accounts and the cash-flow items, and which a rolled-back write leaves as it was."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sihe.ledger import rules, services
from sihe.ledger.models import Account, CashFlowItem, PostingRule, PostingRuleLine, RulesVersion

DAY = datetime.date(2026, 3, 10)


def token() -> str:
    return RulesVersion.objects.get(pk=1).token


def book(actor, source_id: str):
    return services.book(rule="stock.scrap", date=DAY, amounts={"value": Decimal("10.00")}, source_type="stock.move",
                         source_id=source_id, memo="", actor=actor, dimensions={"warehouse": "WH1"})


def rule_reads(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return sum(1 for query in captured.captured_queries
               if '"ledger_postingrule"' in query["sql"] or '"ledger_postingruleline"' in query["sql"])


def debit_account(voucher) -> str:
    return voucher.lines.get(seq=1).account.code


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["rule update", "line raw update", "account insert", "account update",
                                   "cash flow item update"])
def test_every_write_to_the_rules_gives_a_new_token(write):
    before = token()
    if write == "rule update":
        PostingRule.objects.filter(code="stock.scrap").update(updated_by="someone")
    elif write == "line raw update":
        with connection.cursor() as cur:
            cur.execute("UPDATE ledger_postingruleline SET summary = summary")
    elif write == "account insert":
        Account.objects.create(code="5711.98", name="测试", parent=Account.objects.get(code="5711"), level=2,
                               category="profit_loss", direction="debit")
    elif write == "account update":
        Account.objects.filter(code="1901").update(name="待处理财产损溢")
    else:
        CashFlowItem.objects.filter(pk=CashFlowItem.objects.first().pk).update(name="x")
    assert token() != before
    assert len(token()) == 32


@pytest.mark.django_db
def test_reads_and_other_writes_keep_the_token(actor):
    before = token()
    book(actor, "M-1")
    assert token() == before


@pytest.mark.django_db
def test_a_rule_is_read_once_and_kept_across_acts(actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # as if the act committed
        first = rule_reads(lambda: book(actor, "M-1"))
    with django_capture_on_commit_callbacks(execute=True):
        second = rule_reads(lambda: book(actor, "M-2"))
    assert (first, second) == (2, 0)


@pytest.mark.django_db
def test_a_changed_rule_line_is_booked_at_once(actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert debit_account(book(actor, "M-1")) == "1901"
    line = PostingRuleLine.objects.get(rule__code="stock.scrap", seq=1)
    rules.update_rule_line(line=line, actor=actor, account="5711.99", side="debit", amount_key="value",
                           summary="{memo}")
    with django_capture_on_commit_callbacks(execute=True):
        assert debit_account(book(actor, "M-2")) == "5711.99"


@pytest.mark.django_db
def test_a_rolled_back_change_is_never_taken_for_the_rule(actor, django_capture_on_commit_callbacks):
    before = token()
    line = PostingRuleLine.objects.get(rule__code="stock.scrap", seq=1)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            rules.update_rule_line(line=line, actor=actor, account="5711.99", side="debit", amount_key="value",
                                   summary="{memo}")
            assert debit_account(book(actor, "M-1")) == "5711.99"
            raise RuntimeError("undo")
    assert token() == before
    with django_capture_on_commit_callbacks(execute=True):
        assert debit_account(book(actor, "M-2")) == "1901"
