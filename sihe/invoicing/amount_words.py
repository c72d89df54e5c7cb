"""价税合计 in 大写: the rule lives in `sihe.core.amount_words` (the ledger prints voucher totals with it
too, and may import only core); kept here so invoicing's imports stay as they were."""

from sihe.core.amount_words import DIGITS, LIMIT, amount_in_words

__all__ = ["DIGITS", "LIMIT", "amount_in_words"]
