"""Purchasing: purchase orders and their approvals, receipts as the warehouse reports them,
supplier invoices matched three ways (order – receipt – invoice), payments and returns.

Quantities on a line are in the product's base unit (`qty`); the buyer's purchase unit and its
factor are kept beside it (`unit`, `unit_qty`) with the price per purchase unit. Money is CNY,
2 places; unit prices with 6. Received, invoiced and returned quantities are projections kept by
the services with guarded `F()` updates inside the act that causes them.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Partner, Product, Warehouse

QTY = {"max_digits": 20, "decimal_places": 6}
PRICE = {"max_digits": 20, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal(0)


class ApprovalRule(models.Model):
    """A purchase order whose total (tax included) is at least `min_amount` needs an approval at
    `level` by a user of `role` (admins may approve every level). Levels are approved in order, each
    by a different person, never by the order's maker."""

    level = models.PositiveSmallIntegerField(pgettext_lazy("approval", "level"))
    min_amount = models.DecimalField(_("from amount (tax incl.)"), **MONEY)
    role = models.CharField(_("role"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["level"], name="purchasing_approval_rule_level_unique"),
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="purchasing_approval_rule_amount_positive"),
        ]

    def __str__(self):
        return f"L{self.level} ≥ {self.min_amount} {self.role}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        APPROVED = "approved", _("approved")
        CONFIRMED = "confirmed", _("confirmed")
        PARTIALLY_RECEIVED = "partially_received", _("partially received")
        RECEIVED = "received", _("received")
        CLOSED = "closed", pgettext_lazy("purchase order", "closed")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="purchase_orders",
                                 verbose_name=_("supplier"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="purchase_orders",
                                  verbose_name=_("warehouse"))
    order_date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    net = models.DecimalField(_("amount excl. tax"), **MONEY, default=ZERO)
    tax = models.DecimalField(_("tax"), **MONEY, default=ZERO)
    total = models.DecimalField(_("total"), **MONEY, default=ZERO)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_by_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("created by (user id)"))
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"))
    asn_id = models.BigIntegerField(_("expected receipt"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-id"]
        indexes = [models.Index(fields=["supplier", "status"]), models.Index(fields=["status", "id"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "pending_approval", "approved", "confirmed",
                                                            "partially_received", "received", "closed", "cancelled"]), name="purchasing_po_status_valid"),
        ]

    def __str__(self):
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="purchase_lines")
    qty = models.DecimalField(_("ordered (base unit)"), **QTY)
    unit = models.CharField(_("purchase unit"), max_length=20, blank=True)
    unit_qty = models.DecimalField(_("ordered (purchase unit)"), **QTY)
    price = models.DecimalField(_("price excl. tax per purchase unit"), **PRICE)
    unit_cost = models.DecimalField(_("cost per base unit"), **PRICE)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=4, decimal_places=2)
    net = models.DecimalField(_("amount excl. tax"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    received_qty = models.DecimalField(_("received"), **QTY, default=ZERO)
    received_value = models.DecimalField(_("received at cost"), **MONEY, default=ZERO)
    returned_qty = models.DecimalField(_("returned"), **QTY, default=ZERO)
    returned_value = models.DecimalField(_("returned at cost"), **MONEY, default=ZERO)
    invoiced_qty = models.DecimalField(_("invoiced"), **QTY, default=ZERO)
    invoiced_value = models.DecimalField(_("estimate cleared by invoices"), **MONEY, default=ZERO)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["order_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="purchasing_po_line_unique"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="purchasing_po_line_qty_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="purchasing_po_line_price_not_negative"),
            models.CheckConstraint(condition=Q(received_qty__gte=0) & Q(invoiced_qty__gte=0) & Q(returned_qty__gte=0),
                                   name="purchasing_po_line_progress_not_negative"),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.line_no} {self.product_id}"

    @property
    def net_received_qty(self) -> Decimal:
        return self.received_qty - self.returned_qty

    @property
    def open_qty(self) -> Decimal:
        return max(self.qty - self.net_received_qty, ZERO)


class PurchaseApproval(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="approvals")
    level = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20)
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("purchase approval")
        verbose_name_plural = _("purchase approvals")
        ordering = ["order_id", "level"]
        constraints = [models.UniqueConstraint(fields=["order", "level"], name="purchasing_approval_once_per_level")]


class Receipt(models.Model):
    """What the warehouse reported received (or returned, negative) for a PO line, at the cost the
    receipt was booked (库存商品 / 应付账款—暂估)."""

    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipts")
    qty = models.DecimalField(**QTY)
    value = models.DecimalField(**MONEY)
    asn_id = models.BigIntegerField(null=True, blank=True)
    asn_line_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, default="receipt")  # receipt | return
    at = models.DateTimeField()
    username = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("purchase receipt")
        verbose_name_plural = _("purchase receipts")
        ordering = ["id"]


class SupplierInvoice(models.Model):
    class VatType(models.TextChoices):
        SPECIAL = "special", _("special VAT invoice")
        ORDINARY = "ordinary", _("ordinary invoice")
        EXEMPT = "exempt", _("tax-exempt invoice")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("supplier invoice", "open")
        PARTIALLY_PAID = "partially_paid", _("partially paid")
        PAID = "paid", _("paid")

    supplier = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="supplier_invoices",
                                 verbose_name=_("supplier"))
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="invoices",
                              verbose_name=_("purchase order"))
    number = models.CharField(_("invoice number"), max_length=40)
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    net = models.DecimalField(_("amount excl. tax"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    estimate = models.DecimalField(_("estimate reversed"), **MONEY)
    price_variance = models.DecimalField(_("price variance"), **MONEY)
    paid = models.DecimalField(_("paid"), **MONEY, default=ZERO)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    voucher_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("voucher id"))
    # 专票 (deductible after 勾选/认证: its tax waits in 应交税费—待认证进项税额), 普票 (tax is part of the cost),
    # 免税 (no tax). A small-scale buyer deducts nothing, whatever the type.
    vat_type = models.CharField(pgettext_lazy("supplier invoice", "type"), max_length=10, choices=VatType.choices,
                                default=VatType.SPECIAL)
    deductible = models.BooleanField(_("input VAT deductible"), default=False)
    certified_on = models.DateField(_("certified on"), null=True, blank=True)
    certified_by = models.CharField(max_length=150, blank=True)
    certify_voucher_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.CharField(max_length=150, verbose_name=_("created by"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        ordering = ["-id"]
        indexes = [models.Index(fields=["supplier", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "number"], name="purchasing_invoice_number_unique"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=models.F("total")),
                                   name="purchasing_invoice_paid_within_total"),
        ]

    def __str__(self):
        return self.number

    @property
    def open_amount(self) -> Decimal:
        return self.total - self.paid


class SupplierInvoiceLine(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    qty = models.DecimalField(**QTY)
    price = models.DecimalField(**PRICE)
    tax_rate = models.DecimalField(max_digits=4, decimal_places=2)
    net = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    estimate = models.DecimalField(**MONEY)
    variance = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("supplier invoice line")
        verbose_name_plural = _("supplier invoice lines")
        ordering = ["invoice_id", "id"]


class SupplierPayment(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="supplier_payments", verbose_name=_("supplier"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    voucher_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("voucher id"))
    created_by = models.CharField(max_length=150, verbose_name=_("created by"))
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="purchasing_payment_positive")]

    def __str__(self):
        return self.number


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(SupplierPayment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        ordering = ["payment_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="purchasing_allocation_positive")]
