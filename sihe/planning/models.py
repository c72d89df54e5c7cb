"""Planning (计划): forecasts, MRP runs with their per-item grids, and the proposals a planner confirms.

A run is a snapshot: what it read (stock, orders, forecasts, BOMs) on the day it ran and what it
planned, kept so a planner can look back at why a purchase or a production order was proposed. The
grid of an item holds its lists per bucket as decimal strings (gross, scheduled, projected, net,
planned receipts, planned releases), as the API returns them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Product, Warehouse

QTY = {"max_digits": 20, "decimal_places": 6}


class Forecast(models.Model):
    """Expected independent demand of a product on a date (one figure per product and day)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="forecasts", verbose_name=_("product"))
    date = models.DateField(_("date"))
    qty = models.DecimalField(_("quantity"), **QTY)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        ordering = ["product_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["product", "date"], name="planning_forecast_once_a_day"),
            models.CheckConstraint(condition=Q(qty__gte=0), name="planning_forecast_qty_not_negative"),
        ]

    def __str__(self):
        return f"{self.product.sku} {self.date:%Y-%m-%d}"


class MrpRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", pgettext_lazy("mrp run", "done")
        FAILED = "failed", _("failed")

    start = models.DateField(_("first day"))
    buckets = models.PositiveIntegerField(_("buckets"))
    bucket_days = models.PositiveIntegerField(_("days per bucket"))
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("warehouse"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=60, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    proposal_count = models.PositiveIntegerField(_("proposals"), default=0)
    exceptions = models.JSONField(_("exceptions"), default=list, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("MRP run")
        verbose_name_plural = _("MRP runs")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(buckets__gte=1, buckets__lte=520), name="planning_run_buckets_range"),
            models.CheckConstraint(condition=Q(bucket_days__gte=1, bucket_days__lte=366),
                                   name="planning_run_bucket_days_range"),
        ]

    def __str__(self):
        return f"MRP #{self.pk}"


class MrpItem(models.Model):
    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    llc = models.PositiveSmallIntegerField(_("low-level code"))
    on_hand = models.DecimalField(_("available at start"), **QTY)
    grid = models.JSONField(_("grid"))

    class Meta:
        verbose_name = _("MRP item")
        verbose_name_plural = _("MRP items")
        ordering = ["run_id", "llc", "product_id"]
        constraints = [models.UniqueConstraint(fields=["run", "product"], name="planning_item_once_a_run")]


class Proposal(models.Model):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("purchase")
        PRODUCTION = "production", _("production")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("proposal", "open")
        CONFIRMED = "confirmed", pgettext_lazy("proposal", "confirmed")

    run = models.ForeignKey(MrpRun, on_delete=models.CASCADE, related_name="proposals")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    qty = models.DecimalField(_("quantity"), **QTY)
    release_date = models.DateField(_("release date"))
    due_date = models.DateField(_("due date"))
    release_bucket = models.IntegerField(_("release bucket"))
    due_bucket = models.PositiveIntegerField(_("due bucket"))
    pegs = models.JSONField(_("pegged demand"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    document_type = models.CharField(_("document"), max_length=30, blank=True)
    document_id = models.BigIntegerField(null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=30, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["run_id", "release_date", "product_id"]
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="planning_proposal_qty_positive")]

    def __str__(self):
        return f"{self.product.sku} × {self.qty.normalize():f}"
