"""Count tasks (盘点任务) and their lines.

A `CountTask` covers a zone, a list of bins or a list of products of one warehouse (a cycle count is
a product task created by the ABC schedule). Its `CountLine`s are the (bin, product, lot) triples
expected from the quants when the task was created, plus whatever the counters find that was not
expected. A line keeps the first count, the recount (when the first differed by more than the
task's threshold), the quantity on record at the moment of the count (`expected_qty`, never shown
to the counter of a blind count), and, after closing, what was posted and what was held back
because it is reserved.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Location, Product, Warehouse, Zone
from sihe.stock.models import QTY, Lot

MONEY = {"max_digits": 18, "decimal_places": 2}


class CountTask(models.Model):
    class Scope(models.TextChoices):
        ZONE = "zone", _("zone")
        BINS = "bins", _("bins")
        PRODUCTS = "products", _("products")
        CYCLE = "cycle", _("cycle count")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("count task", "open")
        CLOSED = "closed", pgettext_lazy("count task", "closed")
        CANCELLED = "cancelled", _("cancelled")

    id = models.BigAutoField(primary_key=True)
    number = models.CharField(_("number"), max_length=40, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="count_tasks")
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bins = models.ManyToManyField(Location, blank=True, related_name="+")
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    abc_class = models.CharField(_("ABC class"), max_length=1, blank=True)
    blind = models.BooleanField(_("blind count"), default=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    recount_qty = models.DecimalField(_("recount above (qty)"), **QTY)
    recount_pct = models.DecimalField(_("recount above (%)"), max_digits=7, decimal_places=2)
    tolerance_pct = models.DecimalField(_("accuracy tolerance (%)"), max_digits=7, decimal_places=2,
                                        default=Decimal("0"))
    allow_same_recounter = models.BooleanField(_("recount by the same person allowed"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    lines_counted = models.PositiveIntegerField(default=0)
    lines_matched = models.PositiveIntegerField(default=0)
    accuracy = models.DecimalField(_("inventory record accuracy (%)"), max_digits=6, decimal_places=2, null=True,
                                   blank=True)
    gain_value = models.DecimalField(_("gain value"), default=Decimal("0.00"), **MONEY)
    loss_value = models.DecimalField(_("loss value"), default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = _("count task")
        verbose_name_plural = _("count tasks")
        ordering = ["-id"]
        indexes = [models.Index(fields=["warehouse", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(recount_qty__gte=0) & Q(recount_pct__gte=0) & Q(tolerance_pct__gte=0),
                                   name="wms_count_thresholds_not_negative"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class CountLine(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("to count")
        COUNTED = "counted", _("counted")
        RECOUNT = "recount", _("recount needed")
        DONE = "done", _("posted")

    id = models.BigAutoField(primary_key=True)
    task = models.ForeignKey(CountTask, on_delete=models.CASCADE, related_name="lines")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    unexpected = models.BooleanField(_("found, not on record"), default=False)
    expected_qty = models.DecimalField(_("on record"), null=True, blank=True, **QTY)
    reserved_qty = models.DecimalField(_("reserved"), null=True, blank=True, **QTY)
    first_qty = models.DecimalField(_("first count"), null=True, blank=True, **QTY)
    first_by = models.CharField(max_length=150, blank=True)
    first_at = models.DateTimeField(null=True, blank=True)
    recount_qty = models.DecimalField(_("recount"), null=True, blank=True, **QTY)
    recount_by = models.CharField(max_length=150, blank=True)
    recount_at = models.DateTimeField(null=True, blank=True)
    final_qty = models.DecimalField(_("counted"), null=True, blank=True, **QTY)
    difference = models.DecimalField(_("difference"), null=True, blank=True, **QTY)
    posted_qty = models.DecimalField(_("posted"), default=Decimal(0), **QTY)
    held_qty = models.DecimalField(_("held (reserved)"), default=Decimal(0), **QTY)
    below_reserved = models.BooleanField(_("counted below reserved"), default=False)
    matched = models.BooleanField(null=True)
    value = models.DecimalField(_("value posted"), default=Decimal("0.00"), **MONEY)

    class Meta:
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        ordering = ["location__code", "product__sku", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "location", "product", "lot"], condition=Q(lot__isnull=False),
                                    name="wms_countline_unique_lot"),
            models.UniqueConstraint(fields=["task", "location", "product"], condition=Q(lot__isnull=True),
                                    name="wms_countline_unique_nolot"),
            models.CheckConstraint(condition=Q(first_qty__isnull=True) | Q(first_qty__gte=0),
                                   name="wms_countline_first_not_negative"),
            models.CheckConstraint(condition=Q(recount_qty__isnull=True) | Q(recount_qty__gte=0),
                                   name="wms_countline_recount_not_negative"),
        ]

    def __str__(self):
        return f"{self.task.number} {self.location.code} {self.product.sku}"
