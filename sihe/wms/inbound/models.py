"""Inbound warehouse documents: expected receipts (ASN), the scans that received them, quality
inspections and putaways.

Quantities live in the stock ledger (`sihe.stock`); these rows say *why* a move happened:
- `Asn` + `AsnLine`: what a supplier is expected to deliver (from a purchase order, or by hand),
  or a customer is expected to send back (a return, `source_type` "oms.aftersales", no supplier),
  with what was received and rejected so far per line.
- `ReceiptScan`: one accepted scan: the lot, quantity and the receipt move it wrote.
- `InspectionRule`: products received into quality hold (质检) instead of the dock.
- `Inspection`: the hold of one scan (a reservation "QC-<id>" on the quality location keeps it
  unavailable) until released (moved to dock/bin) or rejected (returned to the supplier; a customer
  return's rejected goods stay, moved to the defective location and held there by "DEF-<id>").
- `PutawayRule`: the zone a product (or a category) is put away into.
- `Putaway`: one dock → bin transfer confirmed by scanning the bin label.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Category, Location, Partner, Product, Warehouse, Zone
from sihe.stock.models import COST, QTY, Lot, Reservation, StockMove

RETURN_SOURCE_TYPE = "oms.aftersales"  # an ASN of goods a customer sends back (退货), made by after-sales


class Asn(models.Model):
    """预到货通知 / expected receipt."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("expected")
        RECEIVING = "receiving", _("receiving")
        RECEIVED = "received", _("received")
        CLOSED = "closed", _("closed short")
        CANCELLED = "cancelled", _("cancelled")

    id = models.BigAutoField(primary_key=True)
    number = models.CharField(_("number"), max_length=40, unique=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="asns", verbose_name=_("warehouse"))
    supplier = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="asns",
                                 verbose_name=_("supplier"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.EXPECTED,
                              db_index=True)
    source_type = models.CharField(_("source type"), max_length=40, blank=True)  # e.g. "purchasing.order"
    source_id = models.CharField(_("source id"), max_length=40, blank=True)
    source_number = models.CharField(_("source number"), max_length=64, blank=True)  # the PO number people see
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    created_by = models.CharField(max_length=150, blank=True, verbose_name=_("created by"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        verbose_name = _("expected receipt")
        verbose_name_plural = _("expected receipts")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], condition=~Q(source_id=""),
                                    name="wms_asn_source_unique"),
            models.CheckConstraint(condition=Q(status__in=["expected", "receiving", "received", "closed",
                                                           "cancelled"]), name="wms_asn_status_valid"),
        ]
        indexes = [models.Index(fields=["warehouse", "status"])]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.EXPECTED, self.Status.RECEIVING)

    @property
    def is_customer_return(self) -> bool:
        return self.source_type == RETURN_SOURCE_TYPE


class AsnLine(models.Model):
    asn = models.ForeignKey(Asn, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    qty = models.DecimalField(_("expected"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **COST)
    source_line_id = models.CharField(max_length=40, blank=True)
    received_qty = models.DecimalField(_("received"), default=Decimal(0), **QTY)
    rejected_qty = models.DecimalField(_("rejected"), default=Decimal(0), **QTY)

    class Meta:
        verbose_name = _("expected receipt line")
        verbose_name_plural = _("expected receipt lines")
        ordering = ["asn_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="wms_asnline_qty_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="wms_asnline_cost_not_negative"),
            models.CheckConstraint(condition=Q(received_qty__gte=0), name="wms_asnline_received_not_negative"),
        ]

    def __str__(self):
        return f"{self.asn.number} {self.product.sku}"

    @property
    def open_qty(self) -> Decimal:
        return max(self.qty - self.received_qty, Decimal(0))

    def counted_qty(self, asn: Asn | None = None) -> Decimal:
        """What counts against the expected quantity: received less rejected (rejected goods went back
        to the supplier and have to come again) — for a customer return all that was received (its
        rejected goods stay, as defective stock)."""
        asn = asn or self.asn
        return self.received_qty if asn.is_customer_return else self.received_qty - self.rejected_qty


class ReceiptScan(models.Model):
    id = models.BigAutoField(primary_key=True)
    asn = models.ForeignKey(Asn, on_delete=models.PROTECT, related_name="scans")
    line = models.ForeignKey(AsnLine, on_delete=models.PROTECT, related_name="scans")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("quantity"), **QTY)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="+")
    barcode = models.CharField(_("barcode"), max_length=200)
    sscc = models.CharField("SSCC", max_length=18, blank=True)
    held = models.BooleanField(_("quality hold"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("receipt scan")
        verbose_name_plural = _("receipt scans")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="wms_scan_qty_positive")]


class InspectionRule(models.Model):
    """A product received into quality hold (质检) until an inspection releases it."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="inspection_rule",
                                   verbose_name=_("product"))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")

    def __str__(self):
        return f"QC {self.product.sku}"


class Inspection(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("on hold")
        RELEASED = "released", pgettext_lazy("inspection", "released")
        REJECTED = "rejected", _("rejected")

    id = models.BigAutoField(primary_key=True)
    scan = models.OneToOneField(ReceiptScan, on_delete=models.PROTECT, related_name="inspection", verbose_name=_("receipt scan"))
    asn = models.ForeignKey(Asn, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("expected receipt"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lot"))
    qty = models.DecimalField(_("quantity"), **QTY)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))  # the quality location
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reservation"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    released_to = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("released to"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.CharField(max_length=150, blank=True, verbose_name=_("decided by"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=["pending", "released", "rejected"]),
                                              name="wms_inspection_status_valid")]

    @property
    def reference(self) -> str:
        return f"QC-{self.pk}"


class PutawayRule(models.Model):
    """The zone a product (or every product of a category) is put away into, per warehouse."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+", verbose_name=_("warehouse"))
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("category"))

    class Meta:
        verbose_name = _("putaway rule")
        verbose_name_plural = _("putaway rules")
        constraints = [
            models.CheckConstraint(condition=Q(product__isnull=False) | Q(category__isnull=False),
                                   name="wms_putaway_rule_has_target"),
        ]


class Putaway(models.Model):
    id = models.BigAutoField(primary_key=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("quantity"), **QTY)
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    suggested = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("putaway")
        verbose_name_plural = _("putaways")
        ordering = ["-id"]
