"""Receiving (W2, W3): expected receipts, scans, inspections, putaway, labels."""

from ninja import Router

router = Router(tags=["warehouse"])
