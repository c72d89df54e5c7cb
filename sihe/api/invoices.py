"""数电发票 (E8): invoices from shipped orders, JSON/XML/PDF, red invoices."""

from ninja import Router

router = Router(tags=["invoices"])
