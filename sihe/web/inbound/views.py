"""Inbound pages: expected receipts, handheld receiving by scan, putaway, labels."""
