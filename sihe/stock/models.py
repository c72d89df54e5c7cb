"""The stock ledger: moves are the truth; quants and levels are projections of done moves.

- `StockMove`: one movement of one product (and lot) in the product's base unit. Append-only once
  done (a database trigger refuses UPDATE/DELETE of a done move); corrected by a reversing move.
- `Quant`: on hand per (product, location, lot), plus what reservations hold on it.
- `StockLevel`: on hand and reserved per (product, warehouse); the row every act on that pair
  changes with a guarded UPDATE, so it is also the pair's lock (see `locks.py`).
- `Lot`: lot or serial number with production/expiry/receipt dates.
- `Reservation` + `ReservationLine`: stock held for a document, allocated to quants (lots/bins).
- `ProductUnit`: alternate units (1 箱 = 12 件); `StockRule`: min/max per product per warehouse.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Location, Product, Uom, Warehouse

QTY = {"max_digits": 20, "decimal_places": 6}
COST = {"max_digits": 20, "decimal_places": 6}


class ProductUnit(models.Model):
    """An alternate unit of a product: `factor` base units per one of `uom` (1 BOX = 12 PCS)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="alt_units")
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT)
    factor = models.DecimalField(_("base units per unit"), **QTY)

    class Meta:
        verbose_name = _("alternate unit")
        verbose_name_plural = _("alternate units")
        constraints = [
            models.UniqueConstraint(fields=["product", "uom"], name="stock_product_unit_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="stock_product_unit_factor_positive"),
        ]

    def __str__(self):
        return f"1 {self.uom.code} = {self.factor.normalize():f} {self.product.uom.code}"


class StockRule(models.Model):
    """库存预警: below `min_qty` available the product is low in that warehouse."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_rules")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_rules")
    min_qty = models.DecimalField(_("minimum"), **QTY, default=Decimal("0"))
    max_qty = models.DecimalField(_("maximum"), **QTY, null=True, blank=True)

    class Meta:
        verbose_name = _("stock rule")
        verbose_name_plural = _("stock rules")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_rule_unique"),
            models.CheckConstraint(condition=Q(min_qty__gte=0), name="stock_rule_min_not_negative"),
        ]


class Lot(models.Model):
    """A lot (批次) or a serial number (序列号) of one product."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    number = models.CharField(_("lot number"), max_length=64)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    receipt_date = models.DateField(_("receipt date"))

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="stock_lot_unique")]
        indexes = [models.Index(fields=["product", "expiry_date"])]

    def __str__(self):
        return self.number


class Counterpart(models.TextChoices):
    """The virtual side of a move that enters or leaves the company's stock."""

    NONE = "", _("internal")
    SUPPLIER = "supplier", _("supplier")
    CUSTOMER = "customer", _("customer")
    INVENTORY = "inventory", _("inventory gain/loss")
    SCRAP = "scrap", _("scrap")
    PRODUCTION = "production", _("production")
    TRANSIT = "transit", _("in transit")
    OPENING = "opening", _("opening stock")


class StockMove(models.Model):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("receipt")
        ISSUE = "issue", _("issue")
        TRANSFER = "transfer", _("transfer")
        ADJUSTMENT = "adjustment", _("adjustment")
        SCRAP = "scrap", _("scrap")
        CONSUME = "consume", _("production consume")
        PRODUCE = "produce", _("production output")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_moves")
    qty = models.DecimalField(_("quantity"), **QTY)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    date = models.DateField(_("date"), db_index=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    src_warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    src_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dst_warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dst_location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counterpart = models.CharField(_("counterpart"), max_length=12, choices=Counterpart.choices, blank=True)
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    unit_cost = models.DecimalField(_("unit cost"), **COST, null=True, blank=True)
    reversal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [models.Index(fields=["product", "date", "id"]), models.Index(fields=["state", "id"]),
                   # the move history, newest first, paged by keyset (date, id)
                   models.Index(fields=["date", "id"], name="stock_move_date_id")]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="stock_move_qty_positive"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "done", "cancelled"]), name="stock_move_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(src_location__isnull=False) | Q(dst_location__isnull=False),
                name="stock_move_has_a_location",
            ),
            # one reversal per move (红字冲销 once): the database keeps it true whatever the path
            models.UniqueConstraint(fields=["reversal_of"], condition=Q(reversal_of__isnull=False),
                                    name="stock_move_reversed_once"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.product_id} {self.qty}"

    @property
    def is_done(self) -> bool:
        return self.state == self.State.DONE


class Quant(models.Model):
    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="quants")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="quants")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="quants")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="quants")
    qty = models.DecimalField(_("on hand"), **QTY, default=Decimal("0"))
    reserved = models.DecimalField(_("reserved"), **QTY, default=Decimal("0"))
    in_date = models.DateField(_("first receipt"))

    class Meta:
        verbose_name = _("quant")
        verbose_name_plural = _("quants")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location", "lot"], condition=Q(lot__isnull=False), name="stock_quant_unique_lot"
            ),
            models.UniqueConstraint(
                fields=["product", "location"], condition=Q(lot__isnull=True), name="stock_quant_unique_nolot"
            ),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_quant_reserved_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "warehouse"])]

    @property
    def available(self) -> Decimal:
        return self.qty - self.reserved


class StockLevel(models.Model):
    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.DecimalField(_("on hand"), **QTY, default=Decimal("0"))
    reserved = models.DecimalField(_("reserved"), **QTY, default=Decimal("0"))
    low = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_level_reserved_not_negative"),
        ]

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("reservation", "active")
        RELEASED = "released", _("released")
        CONSUMED = "consumed", _("consumed")

    id = models.BigAutoField(primary_key=True)
    reference = models.CharField(_("reference"), max_length=100, db_index=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    qty = models.DecimalField(_("quantity"), **QTY)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    min_shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    ship_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [models.CheckConstraint(condition=Q(qty__gt=0), name="stock_reservation_qty_positive")]

    def __str__(self):
        return f"{self.reference} {self.qty}"


class ReservationLine(models.Model):
    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="lines")
    quant = models.ForeignKey(Quant, on_delete=models.PROTECT, related_name="reservation_lines")
    qty = models.DecimalField(**QTY)
    open_qty = models.DecimalField(**QTY)

    class Meta:
        verbose_name = _("reservation line")
        verbose_name_plural = _("reservation lines")
        constraints = [models.CheckConstraint(condition=Q(open_qty__gte=0), name="stock_resline_open_not_negative")]
