"""Valuation layers: the value side of every done stock move that enters or leaves a warehouse.

One layer per (move, warehouse side); `qty` and `value` are signed (+ in, − out). Layers of one
(product, warehouse) are ordered by (date, id); `running_qty/value/unit_cost` are the balance
after the layer, so a backdated move re-costs only the layers after it. Value on hand = Σ value.
FIFO in-layers keep `remaining_qty/value`; `FifoConsumption` says which in-layer an out-layer ate.
`value` is the layer's effect on the stock value; `adjust_value` is the part of an in-layer that is a
cost correction booked to cost of goods sold (receipts covering negative stock): value = base − adjust.
A revaluation layer (入库成本调整: an invoice dearer or cheaper than the receipt, or tax that cannot be
deducted) is an in-layer of qty 0 and no move: `base_value` is the amount, `revalued_qty` the quantity it is
for; the share of that quantity still on hand goes into the stock (`value`), the rest to cost of goods sold
(`adjust_value`). Under FIFO `source_layer` is the receipt's in-layer it adds to.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sihe.catalog.models import Product, Warehouse
from sihe.stock.models import StockMove

QTY = {"max_digits": 20, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 2}


class ValuationLayer(models.Model):
    class Kind(models.TextChoices):
        IN = "in", _("in")
        OUT = "out", _("out")

    id = models.BigAutoField(primary_key=True)
    move = models.ForeignKey(StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="layers")
    # No single-column indexes on product and warehouse: (product, warehouse, date, id) and (date, warehouse)
    # serve every read, and each index is one more write per layer a re-costing job rewrites (issue 18).
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="valuation_layers", db_index=False)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="valuation_layers",
                                  db_index=False)
    date = models.DateField(_("date"))
    kind = models.CharField(max_length=8, choices=Kind.choices)
    method = models.CharField(max_length=20)
    qty = models.DecimalField(_("quantity"), **QTY)
    value = models.DecimalField(_("value"), **MONEY)
    unit_cost = models.DecimalField(_("unit cost"), **QTY)
    base_value = models.DecimalField(**MONEY, default=Decimal("0"))
    adjust_value = models.DecimalField(**MONEY, default=Decimal("0"))
    remaining_qty = models.DecimalField(**QTY, default=Decimal("0"))
    remaining_value = models.DecimalField(**MONEY, default=Decimal("0"))
    uncovered_qty = models.DecimalField(**QTY, default=Decimal("0"))
    estimate_unit = models.DecimalField(**QTY, default=Decimal("0"))
    running_qty = models.DecimalField(**QTY, default=Decimal("0"))
    running_value = models.DecimalField(**MONEY, default=Decimal("0"))
    running_unit_cost = models.DecimalField(**QTY, default=Decimal("0"))
    fixed_value = models.BooleanField(default=False, help_text="base value set by the move (receipt, reversal)")
    source_layer = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     db_index=False,  # partial index below: most layers have none
                                     help_text="the layer a reversal undoes, or a transfer-in's out-layer")
    memo = models.CharField(max_length=200, blank=True)
    revalued_qty = models.DecimalField(**QTY, default=Decimal("0"),
                                       help_text="a revaluation layer: the quantity its amount is for")

    @property
    def is_revaluation(self) -> bool:
        return self.move_id is None and self.kind == self.Kind.IN and not self.qty

    class Meta:
        verbose_name = _("valuation layer")
        verbose_name_plural = _("valuation layers")
        indexes = [
            models.Index(fields=["product", "warehouse", "date", "id"]),
            models.Index(fields=["date", "warehouse"]),
            models.Index(fields=["source_layer"], condition=Q(source_layer__isnull=False),
                         name="costing_layer_source_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["in", "out"]), name="costing_layer_kind_valid"),
            models.CheckConstraint(condition=Q(remaining_qty__gte=0), name="costing_layer_remaining_not_negative"),
        ]


def layers_before(date, pk: int) -> Q:
    """Layers of one (product, warehouse) before (date, pk): a range on the (product, warehouse, date, id) index
    plus a filter of that one day — not an OR, which the databases cannot use the index for (a scan per chunk
    at 1M layers)."""
    return Q(date__lte=date) & ~Q(date=date, id__gte=pk)


def layers_from(date, pk: int) -> Q:
    """Layers (date, pk) and after, the same way."""
    return Q(date__gte=date) & ~Q(date=date, id__lt=pk)


class FifoConsumption(models.Model):
    out_layer = models.ForeignKey(ValuationLayer, on_delete=models.CASCADE, related_name="consumed")
    in_layer = models.ForeignKey(ValuationLayer, null=True, on_delete=models.CASCADE, related_name="consumers")
    qty = models.DecimalField(**QTY)
    value = models.DecimalField(**MONEY)
    is_cover = models.BooleanField(default=False, help_text="an in-layer covering an earlier negative issue")

    class Meta:
        verbose_name = _("FIFO consumption")
        verbose_name_plural = _("FIFO consumptions")


class RecostJob(models.Model):
    """Re-costing of the layers of one (product, warehouse) from a point (date, layer id) on, run by the
    worker in chunks when a backdated move has more later layers than SIHE_RECOST_INLINE_LIMIT. At most
    one open (queued or running) job per (product, warehouse): a second backdated act widens its start
    (`cursor`, the next layer to re-cost, moves back). While a job is open its books say "re-costing" and the
    month-end close refuses the periods from `from_date` on."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    OPEN = (Status.QUEUED, Status.RUNNING)

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    from_date = models.DateField(_("from date"), help_text="the earliest backdated move's date")
    from_layer = models.BigIntegerField(help_text="the earliest backdated move's layer")
    cursor_date = models.DateField(help_text="the next layer to re-cost: (cursor_date, cursor_layer) and after")
    cursor_layer = models.BigIntegerField()
    source_move_id = models.BigIntegerField(help_text="the backdated move the corrections are linked to")
    done = models.PositiveBigIntegerField(_("layers re-costed"), default=0)
    total = models.PositiveBigIntegerField(_("layers to re-cost"), default=0)
    changed = models.PositiveBigIntegerField(_("layers changed"), default=0)
    vouchers = models.PositiveIntegerField(_("correction vouchers"), default=0)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("re-costing job")
        verbose_name_plural = _("re-costing jobs")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], condition=Q(status__in=["queued", "running"]),
                                    name="costing_one_open_recost_job"),
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]),
                                   name="costing_recost_job_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "from_date"])]

    def __str__(self):
        return f"RECOST #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
