"""The order engine's settings, kept in one `ReviewPolicy` row an admin edits (created with defaults)."""

from sihe.core import batch, sqlrows
from sihe.oms.models import ReviewPolicy

_POLICY = (f'SELECT {sqlrows.columns(ReviewPolicy, "r")}{{more}} FROM "{ReviewPolicy._meta.db_table}" r '
           f'ORDER BY r."id" LIMIT 1')


def _load() -> ReviewPolicy:
    row = sqlrows.first(_POLICY.format(more=""), [], ReviewPolicy)  # read by every order's act (sihe.core.sqlrows)
    return row if row is not None else ReviewPolicy.objects.create()


def policy_with(name: str, column: str, params: list) -> ReviewPolicy | None:
    """The settings row with one more value computed in the same statement (`column`, SQL with `params`), set
    on it as `name`; kept for the act as `policy()` keeps it. None when there is no row yet."""
    row = sqlrows.first(_POLICY.format(more=f", {column}"), params, ReviewPolicy, extra=(name,))
    keep(row)
    return row


def policy() -> ReviewPolicy:
    """The settings row, read once per act (sihe.core.batch)."""
    return batch.memo("oms.policy", _load)


def keep(row: ReviewPolicy | None) -> None:
    """The settings row read along with another of the act's reads (an order's lock): `policy()` answers from it
    for the rest of the act. None (no row yet) leaves `policy()` to create it."""
    if row is not None:
        batch.memo("oms.policy", lambda: row)


def revenue_recognition() -> str:
    """"shipment" (revenue booked when goods leave) or "invoice" (when the 数电发票 is issued)."""
    return policy().revenue_at
