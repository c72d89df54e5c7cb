"""VAT fixtures: the ledger's people and posting helper, the chart as seeded, and only the ledger's and the
VAT's month-end checks (other apps' checks are tested by those apps)."""

import pytest

from tests.ledger.conftest import D, ledger_seed, maker, post, reviewer  # noqa: F401


@pytest.fixture(autouse=True)
def ledger_and_vat_checks(monkeypatch):
    from sihe.ledger import close

    keep = (*close.BUILTIN_CHECKS, "vat_carried_out", "vat_surcharges")
    monkeypatch.setattr(close, "_CHECKS", {k: v for k, v in close._CHECKS.items() if k in keep})
