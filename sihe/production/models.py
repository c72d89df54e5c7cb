"""Production (生产): work centres, bills of materials with routings, production orders and what the
floor reports against them.

A BOM says what `quantity` of its product is made from its lines (components with a scrap allowance)
through its operations (work centre, set-up and run minutes); versions of one product's BOM are valid
from a date. A phantom BOM (a kit) is never made on its own: where it appears as a component, its own
components are used instead. A production order makes `qty` of a product by one BOM version in one
warehouse; its components are reserved on release under the order's number, issued (领料) by scan or
backflushed on reported output, and the finished goods received (完工入库) at the order's cost.

Money: the order keeps the running totals its vouchers booked (materials, labour, overhead, received,
variance, by-products); `wip` = materials + labour + overhead − by-products − received − variance is the
order's 生产成本 (4001)
balance, checked against the ledger at month end.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Product, Warehouse

QTY = {"max_digits": 20, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal(0)


class WorkCentre(models.Model):
    """Where operations run (a line, a cell, a team): its hourly labour and overhead rates cost the minutes."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="work_centres",
                                  verbose_name=_("warehouse"))
    labour_rate_per_hour = models.DecimalField(_("labour rate per hour"), **RATE, default=ZERO)
    overhead_rate_per_hour = models.DecimalField(_("overhead rate per hour"), **RATE, default=ZERO)
    minutes_per_day = models.PositiveIntegerField(_("minutes per day"), default=480)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(labour_rate_per_hour__gte=0, overhead_rate_per_hour__gte=0),
                                   name="production_work_centre_rates_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Bom(models.Model):
    class Kind(models.TextChoices):
        NORMAL = "normal", _("normal")
        PHANTOM = "phantom", _("phantom (kit)")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="boms", verbose_name=_("product"))
    version = models.PositiveIntegerField(_("version"), default=1)
    valid_from = models.DateField(_("valid from"))
    quantity = models.DecimalField(_("quantity made"), **QTY, default=Decimal(1))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        ordering = ["product_id", "-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="production_bom_version_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="production_bom_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.product.sku} v{self.version}"


class BomLine(models.Model):
    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveIntegerField(_("line"))
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="used_in", verbose_name=_("component"))
    qty = models.DecimalField(_("quantity"), **QTY)
    scrap_pct = models.DecimalField(_("scrap %"), max_digits=6, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        ordering = ["bom_id", "seq"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="production_bom_line_qty_positive"),
            models.CheckConstraint(condition=Q(scrap_pct__gte=0, scrap_pct__lt=100), name="production_bom_line_scrap_pct"),
        ]


class BomOperation(models.Model):
    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="operations")
    seq = models.PositiveIntegerField(_("step"))
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="operations",
                                    verbose_name=_("work centre"))
    setup_minutes = models.DecimalField(_("set-up minutes"), max_digits=10, decimal_places=2, default=ZERO)
    minutes_per_unit = models.DecimalField(_("minutes per unit"), max_digits=12, decimal_places=4, default=ZERO)

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        ordering = ["bom_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["bom", "seq"], name="production_bom_operation_seq_unique")]


class BomByProduct(models.Model):
    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="by_products")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("by-product"))
    qty = models.DecimalField(_("quantity"), **QTY)

    class Meta:
        verbose_name = _("by-product")
        verbose_name_plural = _("by-products")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="production_by_product_qty_positive")]


class ProductionOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        RELEASED = "released", pgettext_lazy("production order", "released")
        IN_PROGRESS = "in_progress", _("in progress")
        FINISHED = "finished", pgettext_lazy("production order", "finished")
        CLOSED = "closed", pgettext_lazy("production order", "closed")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="production_orders",
                                verbose_name=_("product"))
    bom = models.ForeignKey(Bom, on_delete=models.PROTECT, related_name="orders", verbose_name=_("BOM"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="production_orders",
                                  verbose_name=_("warehouse"))
    qty = models.DecimalField(_("quantity"), **QTY)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    good_qty = models.DecimalField(_("good"), **QTY, default=ZERO)
    scrap_qty = models.DecimalField(_("scrap"), **QTY, default=ZERO)
    received_qty = models.DecimalField(_("received"), **QTY, default=ZERO)
    minutes = models.DecimalField(_("minutes"), max_digits=14, decimal_places=2, default=ZERO)
    materials_cost = models.DecimalField(_("materials"), **MONEY, default=ZERO)
    labour_cost = models.DecimalField(_("labour"), **MONEY, default=ZERO)
    overhead_cost = models.DecimalField(_("overhead"), **MONEY, default=ZERO)
    by_product_cost = models.DecimalField(_("by-products at cost"), **MONEY, default=ZERO)
    received_cost = models.DecimalField(_("received at cost"), **MONEY, default=ZERO)
    variance = models.DecimalField(_("variance"), **MONEY, default=ZERO)
    source = models.CharField(_("source"), max_length=60, blank=True)  # e.g. "mrp.proposal:12"
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="production_order_qty_positive"),
            models.CheckConstraint(condition=Q(good_qty__gte=0, scrap_qty__gte=0, received_qty__gte=0),
                                   name="production_order_counts_not_negative"),
            models.CheckConstraint(condition=Q(received_qty__lte=models.F("good_qty")),
                                   name="production_order_received_within_good"),
        ]

    def __str__(self):
        return self.number

    @property
    def wip(self) -> Decimal:
        """The order's 生产成本 (4001) balance."""
        return (self.materials_cost + self.labour_cost + self.overhead_cost - self.by_product_cost
                - self.received_cost - self.variance)

    @property
    def total_cost(self) -> Decimal:
        """What the good units cost: materials, labour and overhead less the by-products' value."""
        return self.materials_cost + self.labour_cost + self.overhead_cost - self.by_product_cost


class ProductionOrderLine(models.Model):
    """A component the order needs: `required` for the order quantity (scrap allowance included)."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveIntegerField(_("line"))
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("component"))
    qty_per_unit = models.DecimalField(_("per unit"), **QTY)
    required_qty = models.DecimalField(_("required"), **QTY)
    reserved_qty = models.DecimalField(_("reserved"), **QTY, default=ZERO)
    issued_qty = models.DecimalField(_("issued"), **QTY, default=ZERO)
    returned_qty = models.DecimalField(_("returned"), **QTY, default=ZERO)
    issued_value = models.DecimalField(_("issued at cost"), **MONEY, default=ZERO)  # net of returns

    class Meta:
        verbose_name = _("component line")
        verbose_name_plural = _("component lines")
        ordering = ["order_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["order", "component"], name="production_order_component_once"),
            models.CheckConstraint(condition=Q(issued_qty__gte=models.F("returned_qty")),
                                   name="production_order_line_returns_within_issues"),
        ]

    @property
    def net_issued(self) -> Decimal:
        return self.issued_qty - self.returned_qty


class OutputReport(models.Model):
    """报工: good and scrap units and the minutes they took at a work centre, by an operator (a person on
    the floor, the shop-floor system, or an external MES report with its own id, idempotent)."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="reports")
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="+")
    good = models.DecimalField(_("good"), **QTY, default=ZERO)
    scrap = models.DecimalField(_("scrap"), **QTY, default=ZERO)
    minutes = models.DecimalField(_("minutes"), max_digits=12, decimal_places=2, default=ZERO)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    labour_cost = models.DecimalField(**MONEY, default=ZERO)
    overhead_cost = models.DecimalField(**MONEY, default=ZERO)
    reported_at = models.DateTimeField()
    reported_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("output report")
        verbose_name_plural = _("output reports")
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=~Q(external_id=""),
                                    name="production_report_external_once"),
            models.CheckConstraint(condition=Q(good__gte=0, scrap__gte=0, minutes__gte=0),
                                   name="production_report_not_negative"),
        ]
