"""Outbound warehouse work: waves, pick lists in route order, check scans, parcels.

- `Wave`: pending shipments of one warehouse released together (one carrier cut-off), each given a
  tote number on the cart (`WaveShipment`).
- `PickList`: one picker's batch of a wave (one zone, at most the cart's lines / volume); its stops
  (`PickTask`) are the shipments' reserved bins and lots in the order of the planned route.
- `CheckScan`: append-only log of the 复核 scans of a shipment (what was verified at the pack bench).
- `Parcel`: what went into each box, with its weight and tracking number (for the label).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Location, Product, Warehouse, Zone
from sihe.stock.models import QTY, Lot
from sihe.wms.models import Shipment, ShipmentLine


class Wave(models.Model):
    class State(models.TextChoices):
        RELEASED = "released", pgettext_lazy("wave state", "released")
        PICKING = "picking", pgettext_lazy("wave state", "picking")
        PICKED = "picked", pgettext_lazy("wave state", "picked")
        DONE = "done", pgettext_lazy("wave state", "done")
        CANCELLED = "cancelled", pgettext_lazy("wave state", "cancelled")

    id = models.BigAutoField(primary_key=True)
    number = models.CharField(_("number"), max_length=40, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RELEASED, db_index=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    cutoff_at = models.DateTimeField(_("carrier cut-off"), null=True, blank=True)
    max_lines = models.PositiveIntegerField(_("cart capacity (lines)"), default=20)
    max_volume = models.DecimalField(_("cart capacity (m³)"), max_digits=10, decimal_places=3, null=True, blank=True)
    by_zone = models.BooleanField(_("one pick list per zone"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class WaveShipment(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="entries")
    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, related_name="wave_entry")
    tote = models.PositiveIntegerField(_("tote"))

    class Meta:
        verbose_name = _("wave shipment")
        verbose_name_plural = _("wave shipments")
        constraints = [models.UniqueConstraint(fields=["wave", "tote"], name="wms_out_wave_tote_unique")]


class PickList(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("wave state", "to pick")
        PICKING = "picking", pgettext_lazy("wave state", "picking")
        DONE = "done", pgettext_lazy("wave state", "done")
        CANCELLED = "cancelled", pgettext_lazy("wave state", "cancelled")

    id = models.BigAutoField(primary_key=True)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="picklists")
    number = models.CharField(_("number"), max_length=40, unique=True)
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    picker = models.CharField(_("picker"), max_length=150, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    method = models.CharField(_("routing method"), max_length=20, default="optimal")
    length = models.DecimalField(_("route length (m)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    # the walk in the order the lines came in (routing.in_order_length): what routing saved is the difference
    naive_length = models.DecimalField(_("unrouted length (m)"), max_digits=12, decimal_places=2, null=True,
                                       blank=True)
    layout = models.JSONField(default=dict)  # the routing Layout the route was planned on
    path = models.JSONField(default=list)  # the route's corner points [[x, y], ...] as strings
    current_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")
        ordering = ["id"]

    def __str__(self):
        return self.number


class PickTask(models.Model):
    """One stop of a pick list: take `qty` of a product (lot) from a bin for a shipment line."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("wave state", "to pick")
        DONE = "done", pgettext_lazy("wave state", "picked")
        SHORT = "short", pgettext_lazy("wave state", "short")
        CANCELLED = "cancelled", pgettext_lazy("wave state", "cancelled")  # the order was withdrawn (拦截)

    picklist = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="tasks")
    sequence = models.PositiveIntegerField(_("stop"))
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(ShipmentLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("quantity"), **QTY)
    picked_qty = models.DecimalField(_("picked"), default=Decimal(0), **QTY)
    short_qty = models.DecimalField(_("short"), default=Decimal(0), **QTY)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    tote = models.PositiveIntegerField(_("tote"), default=1)

    class Meta:
        verbose_name = _("pick task")
        verbose_name_plural = _("pick tasks")
        ordering = ["picklist_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="wms_out_task_qty_positive"),
            models.CheckConstraint(condition=Q(picked_qty__gte=0) & Q(short_qty__gte=0),
                                   name="wms_out_task_done_not_negative"),
        ]

    @property
    def open_qty(self) -> Decimal:
        return self.qty - self.picked_qty - self.short_qty


class CheckScan(models.Model):
    """复核: one verified scan at the pack bench (append-only)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(**QTY)
    checked_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("check scan")
        verbose_name_plural = _("check scans")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="wms_out_check_qty_positive")]


class Parcel(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels")
    sequence = models.PositiveIntegerField()
    weight = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3)
    volume = models.DecimalField(_("volume (m³)"), max_digits=12, decimal_places=6)
    items = models.JSONField(default=list)  # [{"sku", "qty"}]
    carrier = models.CharField(_("carrier"), max_length=40)
    tracking_no = models.CharField(_("tracking number"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["shipment_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["shipment", "sequence"], name="wms_out_parcel_seq_unique")]
