"""Master data: company, units, categories, products, partners, warehouses, zones, bins, channels.

Everything is addressed by a natural key (SKU, partner code, warehouse code, bin code, channel code)
so that Excel files, the API and channel adapters speak the same language as the people.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TAX_RATES = [Decimal(x) for x in ("0", "0.01", "0.03", "0.05", "0.06", "0.09", "0.13")]


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class Uom(models.Model):
    """A unit of measure; quantities in it are stored with `precision` decimal places."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    precision = models.PositiveSmallIntegerField(_("precision"), default=0)

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        constraints = [models.CheckConstraint(condition=Q(precision__lte=6), name="uom_precision_max_6")]

    def __str__(self):
        return self.code


class Category(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent category"))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class Product(models.Model):
    class MakeOrBuy(models.TextChoices):
        MAKE = "make", _("make")
        BUY = "buy", _("buy")

    class LotSizing(models.TextChoices):
        LOT_FOR_LOT = "lot_for_lot", _("lot for lot")
        FIXED = "fixed", _("fixed quantity (multiples)")
        PERIODIC = "periodic", _("period order quantity")
        WAGNER_WHITIN = "wagner_whitin", _("Wagner–Whitin (optimal)")
        SILVER_MEAL = "silver_meal", _("Silver–Meal")

    class Tracking(models.TextChoices):
        NONE = "none", pgettext_lazy("tracking", "none")
        LOT = "lot", _("lot")
        LOT_EXPIRY = "lot_expiry", _("lot + expiry")
        SERIAL = "serial", _("serial")

    class CostingMethod(models.TextChoices):
        MOVING_AVERAGE = "moving_average", _("moving weighted average")
        FIFO = "fifo", _("FIFO")

    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    gtin = models.CharField("GTIN", max_length=14, null=True, blank=True, unique=True)
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, verbose_name=_("unit"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("category")
    )
    weight = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3, default=Decimal("0"))
    volume = models.DecimalField(_("volume (m³)"), max_digits=12, decimal_places=6, default=Decimal("0"))
    tracking = models.CharField(_("tracking"), max_length=12, choices=Tracking.choices, default=Tracking.NONE)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=4, decimal_places=2, default=Decimal("0.13"))
    tax_code = models.CharField(_("tax classification code"), max_length=19, blank=True)
    tax_short_name = models.CharField(_("tax short name"), max_length=40, blank=True)
    costing_method = models.CharField(
        _("costing method"), max_length=20, choices=CostingMethod.choices, default=CostingMethod.MOVING_AVERAGE
    )
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=4, default=Decimal("0"))
    active = models.BooleanField(_("active"), default=True)
    # Planning (MRP): how the product is replenished. They may change while the product holds stock.
    make_or_buy = models.CharField(_("make or buy"), max_length=4, choices=MakeOrBuy.choices, default=MakeOrBuy.BUY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    safety_stock = models.DecimalField(_("safety stock"), max_digits=20, decimal_places=6, default=Decimal("0"))
    lot_sizing = models.CharField(_("lot sizing"), max_length=16, choices=LotSizing.choices, default=LotSizing.LOT_FOR_LOT)
    lot_size = models.DecimalField(_("lot size"), max_digits=20, decimal_places=6, default=Decimal("0"))
    order_cost = models.DecimalField(_("order cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    holding_cost_per_period = models.DecimalField(_("holding cost per unit and period"), max_digits=14,
                                                  decimal_places=6, default=Decimal("0"))
    min_order_qty = models.DecimalField(_("minimum order quantity"), max_digits=20, decimal_places=6,
                                        default=Decimal("0"))
    main_supplier = models.ForeignKey("Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("main supplier"))

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="product_weight_not_negative"),
            models.CheckConstraint(condition=Q(volume__gte=0), name="product_volume_not_negative"),
            models.CheckConstraint(
                condition=Q(tracking__in=["none", "lot", "lot_expiry", "serial"]), name="product_tracking_valid"
            ),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"

    @property
    def is_lot_tracked(self) -> bool:
        return self.tracking in (self.Tracking.LOT, self.Tracking.LOT_EXPIRY)

    @property
    def is_expiry_tracked(self) -> bool:
        return self.tracking == self.Tracking.LOT_EXPIRY


class Partner(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        SUPPLIER = "supplier", _("supplier")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=20, blank=True)
    contact = models.CharField(_("contact"), max_length=60, blank=True)
    min_shelf_life_days = models.PositiveIntegerField(_("minimum remaining shelf life (days)"), null=True, blank=True)
    # a customer's (dealer's) credit: open receivables + unshipped orders above it wait for a manager (审单)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=18, decimal_places=2, null=True, blank=True,
                                       help_text=_("empty or 0: no limit"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    cross_aisles = models.JSONField(
        _("middle cross aisles"), default=list, blank=True,
        help_text=_("bin positions after which a cross aisle runs through the racks, e.g. [10, 20]: pick routes "
                    "then plan over several blocks"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Zone(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="zones", verbose_name=_("warehouse"))
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="zone_code_unique_per_warehouse")]
        ordering = ["warehouse_id", "code"]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code}"


class Location(models.Model):
    """A bin (货位) such as A-03-05-02: zone A, aisle 3, position 5, level 2. Aisle, position and
    side place it on the warehouse map for pick routing."""

    class Kind(models.TextChoices):
        BIN = "bin", _("bin")
        DOCK = "dock", _("receiving dock")
        STAGING = "staging", _("shipping staging")
        QUALITY = "quality", pgettext_lazy("zone kind", "quality hold")

    class Side(models.TextChoices):
        LEFT = "L", _("left")
        RIGHT = "R", _("right")

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="locations", verbose_name=_("warehouse"))
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="locations", verbose_name=_("zone"))
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BIN)
    aisle = models.PositiveIntegerField(_("aisle"), default=0)
    position = models.PositiveIntegerField(_("position"), default=0)
    side = models.CharField(_("side"), max_length=1, choices=Side.choices, default=Side.LEFT)
    level = models.PositiveIntegerField(_("level"), default=0)
    capacity_volume = models.DecimalField(
        _("capacity (m³)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_unique_per_warehouse")
        ]
        ordering = ["warehouse_id", "code"]

    def __str__(self):
        return f"{self.warehouse.code}:{self.code}"


class Channel(models.Model):
    class Type(models.TextChoices):
        TAOBAO = "taobao", _("Taobao/Tmall")
        JD = "jd", _("JD")
        DOUYIN = "douyin", _("Douyin")
        SHOPIFY = "shopify", _("Shopify")
        WOOCOMMERCE = "woocommerce", _("WooCommerce")
        POS = "pos", _("POS / store")
        DEALER = "dealer", _("dealer")
        API = "api", _("API")

    code = models.CharField(_("code"), max_length=40, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    name = models.CharField(_("name"), max_length=100)
    min_shelf_life_days = models.PositiveIntegerField(_("minimum remaining shelf life (days)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ImportJob(models.Model):
    """One Excel file of master data imported in the background (files above
    settings.SIHE_IMPORT_BACKGROUND_ROWS rows); progress is processed_rows / total_rows."""

    class Kind(models.TextChoices):
        PRODUCTS = "products", _("products")
        PARTNERS = "partners", _("partners")
        LOCATIONS = "locations", _("locations")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        VALIDATING = "validating", _("validating")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.CharField(_("file"), max_length=300, help_text="path under MEDIA_ROOT")
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    created = models.DateTimeField(pgettext_lazy("timestamp", "created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "validating", "importing", "done", "failed"]),
                name="import_job_status_valid",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
