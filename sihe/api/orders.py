"""Orders (O2, O5, O6): list, detail with timeline, allocation, shipments, vouchers; ship."""

from ninja import Router

router = Router(tags=["orders"])
