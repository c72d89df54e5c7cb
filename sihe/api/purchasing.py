"""Purchasing (E4): purchase orders, approvals, supplier invoices, payments, AP aging."""

from ninja import Router

router = Router(tags=["purchasing"])
