"""Purchasing pages: purchase orders, approvals, supplier invoices, payments, AP aging."""
