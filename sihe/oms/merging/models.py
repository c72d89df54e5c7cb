"""合单: orders of one buyer to one address shipped together in one shipment, each order still its own
for the books, invoices and after-sales (china-formats.md §7.2). The rules that allow it are data."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Channel, Warehouse
from sihe.oms.models import Order, OrderLine

QTY = {"max_digits": 20, "decimal_places": 6}
DEFAULT_WINDOW_HOURS = 24


class MergeRule(models.Model):
    """When orders may ship together: for one shop, one channel's shops, or every shop (no channel).
    The most specific active-or-not rule decides; a rule switched off forbids merging there."""

    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("channel"))
    shop = models.CharField(_("shop"), max_length=100, blank=True)
    active = models.BooleanField(_("merging allowed"), default=True)
    window_hours = models.PositiveIntegerField(_("time window (hours)"), default=DEFAULT_WINDOW_HOURS)
    # same company across shops: orders of one buyer from two shops of the channel may ship together
    cross_shop = models.BooleanField(_("across shops"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.CharField(_("updated by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("merge rule")
        verbose_name_plural = _("merge rules")
        constraints = [
            models.UniqueConstraint(fields=["channel", "shop"], name="merge_rule_once_per_shop"),
            models.UniqueConstraint(fields=["shop"], condition=Q(channel__isnull=True), name="merge_rule_once_global"),
        ]

    def __str__(self):
        return f"{self.channel_id or '*'}:{self.shop or '*'}"


class Merge(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("merge", "merged")
        SHIPPED = "shipped", pgettext_lazy("merge", "shipped")
        UNDONE = "undone", pgettext_lazy("merge", "undone")

    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE,
                              db_index=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    shipment_number = models.CharField(_("shipment"), max_length=100, blank=True)
    rule = models.ForeignKey(MergeRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("merged shipment")
        verbose_name_plural = _("merged shipments")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class MergeOrder(models.Model):
    """An order in a merge; an order is in one live merge at most (the database says so)."""

    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="members")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("merged order")
        verbose_name_plural = _("merged orders")
        ordering = ["merge_id", "order_id"]
        constraints = [models.UniqueConstraint(fields=["order"], condition=Q(active=True),
                                               name="merge_order_in_one_live_merge")]


class MergeLine(models.Model):
    """What of an order line the merged shipment carries: the warehouse sees one line per SKU, summed;
    this says whose units they are, so shipping tells each order its own lines (and their cost)."""

    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    qty = models.DecimalField(_("quantity"), **QTY)
    shipped_qty = models.DecimalField(_("shipped"), default=Decimal(0), **QTY)
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("merged line")
        verbose_name_plural = _("merged lines")
        ordering = ["merge_id", "id"]
