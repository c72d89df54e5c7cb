"""Channel intake (O1): raw channel JSON in, one normalized order; SKU mappings; sync state."""

from ninja import Router

router = Router(tags=["channels"])
