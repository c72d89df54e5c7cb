"""Shipments: what one warehouse sends out for one document (an order's allocation to it).

A shipment holds its reservations under its own number (`Reservation.reference == shipment.number`),
so picking, packing and shipping consume exactly what was set aside for it. The order side (oms)
creates shipments and learns of their progress through `sihe.wms.shipping.on_shipped` hooks.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sihe.catalog.models import Location, Product, Warehouse
from sihe.stock.models import QTY, Lot, Reservation


class Shipment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting to pick")
        PICKING = "picking", _("picking")
        PICKED = "picked", _("picked")
        PACKED = "packed", _("packed")
        SHIPPED = "shipped", _("shipped")
        CANCELLED = "cancelled", _("cancelled")

    id = models.BigAutoField(primary_key=True)
    number = models.CharField(_("number"), max_length=100, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="shipments")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    source_type = models.CharField(_("source type"), max_length=40, blank=True)  # e.g. "oms.order"
    source_id = models.CharField(_("source id"), max_length=40, blank=True, db_index=True)
    source_number = models.CharField(_("source number"), max_length=64, blank=True)  # the order number people see
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    receiver_name = models.CharField(_("receiver"), max_length=100, blank=True)
    receiver_phone = models.CharField(_("phone"), max_length=40, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    min_shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=60, blank=True)
    cutoff_at = models.DateTimeField(_("carrier cut-off"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    cost = models.DecimalField(_("cost of goods"), max_digits=18, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["warehouse", "state"])]

    def __str__(self):
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("quantity"), **QTY)
    picked_qty = models.DecimalField(_("picked"), default=Decimal(0), **QTY)
    shipped_qty = models.DecimalField(_("shipped"), default=Decimal(0), **QTY)
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_line_id = models.CharField(max_length=40, blank=True)  # the order line it serves
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="wms_shipline_qty_positive")]


class ShipmentPick(models.Model):
    """What was actually taken for a line: the lot and bin (from a scan, or from the reservation)."""

    line = models.ForeignKey(ShipmentLine, on_delete=models.CASCADE, related_name="picks")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(**QTY)
    picked_at = models.DateTimeField(auto_now_add=True)
    picked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("shipment pick")
        verbose_name_plural = _("shipment picks")
