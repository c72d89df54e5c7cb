"""Counting (W7) and lot traceability (W10)."""

from ninja import Router

router = Router(tags=["warehouse"])
