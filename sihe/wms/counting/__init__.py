"""Counting: count tasks, blind counts, recounts, adjustments with vouchers, accuracy; lot traceability."""
