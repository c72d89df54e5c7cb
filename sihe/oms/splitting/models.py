"""拆单: one shipment of an order split into two that leave apart (china-formats.md §7.3). The order stays
one for the books and the invoice; each child shipment keeps the platform order id, the source shipment
and the split batch (`Split.number`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Warehouse
from sihe.oms.models import Order, OrderLine

QTY = {"max_digits": 20, "decimal_places": 6}


class Split(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("split", "split")
        UNDONE = "undone", pgettext_lazy("split", "joined again")

    class Reason(models.TextChoices):
        MANUAL = "manual", pgettext_lazy("split", "chosen goods (指定商品拆单)")
        OVERWEIGHT = "overweight", pgettext_lazy("split", "over the carrier's weight limit (超重拆单)")

    number = models.CharField(_("split batch"), max_length=30, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    platform_order_id = models.CharField(_("platform order id"), max_length=64, blank=True)
    source_shipment = models.CharField(_("source shipment"), max_length=100)
    joined_shipment = models.CharField(_("joined shipment"), max_length=100, blank=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, default=Reason.MANUAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("split shipment")
        verbose_name_plural = _("split shipments")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["source_shipment"], name="split_source_shipment_once")]

    def __str__(self):
        return self.number


class SplitPart(models.Model):
    """One child shipment of a split (part 1: the goods chosen, part 2: the rest)."""

    split = models.ForeignKey(Split, on_delete=models.CASCADE, related_name="parts")
    part = models.PositiveSmallIntegerField(_("part"))
    shipment_number = models.CharField(_("shipment"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("split part")
        verbose_name_plural = _("split parts")
        ordering = ["split_id", "part"]
        constraints = [models.UniqueConstraint(fields=["split", "part"], name="split_part_once")]


class SplitLine(models.Model):
    """How much of an order line a part carries: per line, the parts add up to the source shipment."""

    part = models.ForeignKey(SplitPart, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("quantity"), **QTY)

    class Meta:
        verbose_name = _("split line")
        verbose_name_plural = _("split lines")
        ordering = ["part_id", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(qty__gt=0), name="split_line_qty_positive")]


class CarrierWeightLimit(models.Model):
    """The heaviest parcel a carrier takes (超重拆单): a shipment heavier than this is split into parcels."""

    carrier = models.CharField(_("carrier"), max_length=40, unique=True)
    max_kg = models.DecimalField(_("weight limit (kg)"), max_digits=10, decimal_places=3)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("carrier weight limit")
        verbose_name_plural = _("carrier weight limits")
        ordering = ["carrier"]
        constraints = [models.CheckConstraint(condition=models.Q(max_kg__gt=0), name="carrier_weight_limit_positive")]

    def __str__(self):
        return f"{self.carrier} ≤ {self.max_kg} kg"
