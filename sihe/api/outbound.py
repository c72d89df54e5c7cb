"""Outbound (W4–W6): waves, pick lists, scan-to-pick, check and pack."""

from ninja import Router

router = Router(tags=["warehouse"])
