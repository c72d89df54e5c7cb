"""The order engine's settings, kept in one `ReviewPolicy` row an admin edits (created with defaults)."""

from sihe.core import batch, sqlrows
from sihe.oms.models import ReviewPolicy


def _load() -> ReviewPolicy:
    row = sqlrows.first(  # read by every order's act (sihe.core.sqlrows)
        f'SELECT {sqlrows.columns(ReviewPolicy, "r")} FROM "{ReviewPolicy._meta.db_table}" r ORDER BY r."id" LIMIT 1',
        [], ReviewPolicy)
    return row if row is not None else ReviewPolicy.objects.create()


def policy() -> ReviewPolicy:
    """The settings row, read once per act (sihe.core.batch)."""
    return batch.memo("oms.policy", _load)


def revenue_recognition() -> str:
    """"shipment" (revenue booked when goods leave) or "invoice" (when the 数电发票 is issued)."""
    return policy().revenue_at
