"""Approval rules are data an admin edits here (level, from amount, role); the documents are read-only
in the admin (they change only through the purchasing acts, which book and audit)."""

from django.contrib import admin

from sihe.core.admin import ReadOnlyAdmin
from sihe.purchasing.models import ApprovalRule, PurchaseOrder, SupplierInvoice, SupplierPayment


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["level", "name", "min_amount", "role", "active"]
    list_editable = ["min_amount", "role", "active"]
    ordering = ["level"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "supplier", "warehouse", "order_date", "total", "status"]
    list_filter = ["status", "warehouse"]
    search_fields = ["number", "supplier__name", "supplier__code"]


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "supplier", "invoice_date", "due_date", "total", "price_variance", "paid", "status"]
    list_filter = ["status"]
    search_fields = ["number", "supplier__name"]


@admin.register(SupplierPayment)
class SupplierPaymentAdmin(ReadOnlyAdmin):
    list_display = ["number", "supplier", "date", "amount", "reference"]
    search_fields = ["number", "supplier__name", "reference"]
