import pytest


@pytest.fixture(autouse=True)
def ledger_seed(db):
    """The chart comes from a data migration that a transactional test elsewhere flushes: put it back."""
    from sihe.ledger.chart import CHART, POSTING_RULES, seed_chart
    from sihe.ledger.models import Account, PostingRule

    if Account.objects.count() < len(CHART) or PostingRule.objects.count() < len(POSTING_RULES):
        seed_chart()
