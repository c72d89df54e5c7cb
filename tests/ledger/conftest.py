"""Ledger fixtures: people with ids (maker ≠ reviewer), a helper that makes, reviews and posts."""

import datetime
from decimal import Decimal

import pytest

from sihe.core.actor import Actor
from sihe.ledger import services


@pytest.fixture
def maker(make_user):
    return Actor.for_user(make_user("accountant", "maker"))


@pytest.fixture
def reviewer(make_user):
    return Actor.for_user(make_user("accountant", "reviewer"))


@pytest.fixture
def post(maker, reviewer):
    """post("2026-03-05", [("1002", "100.00", None, ...)...]) -> a posted voucher.

    Each line is (account, debit, credit) or (account, debit, credit, {extra fields})."""

    def _post(date, lines, **kw):
        raw = []
        for line in lines:
            account, debit, credit, *rest = line
            extra = rest[0] if rest else {}
            raw.append({"account": account, "debit": debit, "credit": credit, "summary": extra.pop("summary", "测试"),
                        **extra})
        voucher = services.create_voucher(date=datetime.date.fromisoformat(date), lines=raw, actor=maker, **kw)
        services.review_voucher(voucher=voucher, actor=reviewer)
        return services.post_voucher(voucher=voucher, actor=reviewer)

    return _post


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(autouse=True)
def only_ledger_checks(monkeypatch):
    """Ledger tests post to 1405 without stock moves: run only the ledger's own month-end checks
    (other apps' checks, e.g. inventory_matches_ledger, are tested by those apps)."""
    from sihe.ledger import close

    monkeypatch.setattr(close, "_CHECKS", {k: v for k, v in close._CHECKS.items() if k in close.BUILTIN_CHECKS})


@pytest.fixture(autouse=True)
def ledger_seed(db):
    """The chart, cash-flow items and rules come from a data migration; a transactional test
    elsewhere flushes them, so put back what is missing."""
    from sihe.ledger.chart import CHART, POSTING_RULES, seed_chart
    from sihe.ledger.models import Account, PostingRule

    if Account.objects.count() < len(CHART) or PostingRule.objects.count() < len(POSTING_RULES):
        seed_chart()
