"""Orders from every channel, in one shape: the order, its lines, its timeline, and what feeds intake
(SKU mappings, intake errors a person can fix and replay, channel sync state, review rules).

An order's allocation is its shipments (sihe.wms Shipment, source_type "oms.order"): one per warehouse.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Channel, Partner, Product
from sihe.core import sqlrows

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0.00")}
QTY = {"max_digits": 20, "decimal_places": 6}


class Order(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("order status", "received")
        HELD = "held", _("held")
        REVIEWED = "reviewed", _("reviewed")
        ALLOCATED = "allocated", _("allocated")
        PICKING = "picking", _("picking")
        SHIPPED = "shipped", _("shipped")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    class Hold(models.TextChoices):
        NONE = "", _("none")
        AMOUNT_LIMIT = "amount_limit", _("amount above the review limit")
        BLACKLIST = "blacklist", _("buyer or receiver on the blacklist")
        BAD_ADDRESS = "bad_address", _("address incomplete or unknown")
        OUT_OF_STOCK = "out_of_stock", _("out of stock")
        NOT_PAID = "not_paid", _("not paid yet")
        REFUND = "refund", _("refund requested")
        MANUAL = "manual", _("held by a person")
        CREDIT = "credit", _("over the customer's credit limit")

    id = models.BigAutoField(primary_key=True)
    number = models.CharField(_("number"), max_length=80, unique=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(_("channel order id"), max_length=64)
    shop = models.CharField(_("shop"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    hold_reason = models.CharField(_("hold reason"), max_length=20, choices=Hold.choices, blank=True, default="")
    hold_detail = models.CharField(_("hold detail"), max_length=300, blank=True)
    channel_status = models.CharField(_("channel status"), max_length=60, blank=True)
    refund_status = models.CharField(_("refund status"), max_length=60, blank=True)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
                                verbose_name=_("customer"))
    buyer_id = models.CharField(_("buyer id"), max_length=100, blank=True)
    buyer_nick = models.CharField(_("buyer"), max_length=100, blank=True)
    buyer_email = models.CharField(_("buyer email"), max_length=200, blank=True)
    buyer_message = models.CharField(_("buyer message"), max_length=500, blank=True)
    receiver_name = models.CharField(_("receiver"), max_length=100, blank=True)
    receiver_phone = models.CharField(_("phone"), max_length=40, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    street = models.CharField(_("street"), max_length=100, blank=True)
    address = models.CharField(_("address detail"), max_length=300, blank=True)
    zip = models.CharField(_("postcode"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=40, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    goods_total = models.DecimalField(_("goods total"), **AMOUNT)
    discount_total = models.DecimalField(_("discounts"), **AMOUNT)
    shipping_fee = models.DecimalField(_("shipping fee"), **AMOUNT)
    fee_total = models.DecimalField(_("other fees"), **AMOUNT)
    tax_total = models.DecimalField(_("tax added"), **AMOUNT)
    amount_paid = models.DecimalField(_("amount paid"), **AMOUNT)
    platform_subsidy = models.DecimalField(_("platform subsidy"), **AMOUNT)
    refunded_total = models.DecimalField(_("refunded"), **AMOUNT)
    revenue_total = models.DecimalField(_("revenue booked (tax incl.)"), **AMOUNT)
    settled_total = models.DecimalField(_("settled"), **AMOUNT)
    prices_include_tax = models.BooleanField(default=True)
    ordered_at = models.DateTimeField(_("ordered at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    channel_updated_at = models.DateTimeField(_("channel updated at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    # the ship-by time told the buyer when the order was first allocated (on-time shipment is measured against it)
    promised_ship_at = models.DateTimeField(_("promised ship time"), null=True, blank=True)
    min_shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    revenue_booked = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    payload = models.JSONField(_("channel payload"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="oms_order_channel_external")]
        indexes = [models.Index(fields=["channel", "status"]), models.Index(fields=["hold_reason"]),
                   # the order list, newest first, paged by keyset (received_at, id)
                   models.Index(fields=["received_at", "id"], name="oms_order_received_keyset")]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.SHIPPED, self.Status.COMPLETED, self.Status.CANCELLED)

    @property
    def full_address(self) -> str:
        return "".join(p for p in (self.province, self.city, self.district, self.street, self.address) if p)


class OrderLineQuerySet(models.QuerySet):
    def add_each(self, field: str, deltas: dict[int, Decimal]) -> int:
        """`field` += delta for each line (id → delta) in one UPDATE, not one per line (`sqlrows.update_each`:
        the lines named, whatever this queryset's filter)."""
        return sqlrows.update_each(self.model, field, deltas, add=True)


class OrderLine(models.Model):
    objects = OrderLineQuerySet.as_manager()

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    external_line_id = models.CharField(max_length=64, blank=True)
    channel_sku = models.CharField(_("channel SKU"), max_length=100, blank=True)
    outer_sku = models.CharField(_("outer id"), max_length=100, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    name = models.CharField(_("name"), max_length=300, blank=True)
    spec = models.JSONField(default=dict, blank=True)
    qty = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=6)
    line_total = models.DecimalField(_("line total"), **AMOUNT)
    discount = models.DecimalField(_("discount"), **AMOUNT)
    tax = models.DecimalField(_("tax added"), **AMOUNT)
    amount_paid = models.DecimalField(_("amount"), **AMOUNT)
    # the part of `discount` the platform (or a 达人) pays the seller: revenue, owed by the platform
    platform_subsidy = models.DecimalField(_("platform subsidy"), **AMOUNT)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=4, decimal_places=2)
    allocated_qty = models.DecimalField(_("allocated"), default=Decimal(0), **QTY)
    shipped_qty = models.DecimalField(_("shipped"), default=Decimal(0), **QTY)
    refund_status = models.CharField(_("refund status"), max_length=60, blank=True)
    cancelled = models.BooleanField(default=False)
    held = models.BooleanField(default=False)  # a refund in progress: this line does not ship (退款商品拆单)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="oms_line_no_unique"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="oms_line_qty_positive"),
        ]

    @property
    def prices_include_tax(self) -> bool:
        return self.order.prices_include_tax

    @property
    def backorder_qty(self) -> Decimal:
        return Decimal(0) if self.cancelled or self.held else max(self.qty - self.allocated_qty, Decimal(0))


class TimelineEntry(models.Model):
    """One step of an order's life, in words a person reads ("已分配至上海仓，预计16:00发货")."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    message_en = models.CharField(max_length=500, blank=True)
    actor = models.CharField(max_length=150, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["order", "at", "id"]


class SkuMapping(models.Model):
    """A channel's SKU id or outer id (with its variant, 颜色/尺码) → our product."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="sku_mappings", verbose_name=_("channel"))
    channel_sku = models.CharField(_("channel SKU / outer id"), max_length=100)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="channel_mappings", verbose_name=_("product"))
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("SKU mapping")
        verbose_name_plural = _("SKU mappings")
        constraints = [models.UniqueConstraint(fields=["channel", "channel_sku"], name="oms_mapping_unique")]


class IntakeError(models.Model):
    """A payload we refused: kept here only, with its reason, until a person fixes and replays it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("intake error", "open")
        REPLAYED = "replayed", _("replayed")
        DISMISSED = "dismissed", _("dismissed")

    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="intake_errors")
    channel_code = models.CharField(max_length=40)
    external_id = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=40)
    field = models.CharField(max_length=200, blank=True)
    reason = models.CharField(max_length=500)
    raw = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("intake error")
        verbose_name_plural = _("intake errors")


class ChannelSync(models.Model):
    """How a channel's orders come in and how current they are (last pull, lag, errors)."""

    class Mode(models.TextChoices):
        PUSH = "push", _("pushed to our API")
        PULL = "pull", _("pulled from the channel")
        WEBHOOK = "webhook", _("channel webhook")

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="sync", verbose_name=_("channel"))
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PUSH, verbose_name=_("mode"))
    endpoint = models.URLField(blank=True, verbose_name=_("endpoint"))
    secret = models.CharField(max_length=200, blank=True, verbose_name=_("secret"))
    cursor = models.CharField(max_length=100, blank=True, verbose_name=_("cursor"))
    last_pull_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last pull at"))
    last_order_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last order at"))
    last_lag_seconds = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True, verbose_name=_("last lag (seconds)"))
    orders_in = models.PositiveIntegerField(default=0, verbose_name=_("orders in"))
    errors = models.PositiveIntegerField(default=0, verbose_name=_("errors"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    last_error_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last error at"))
    safety_stock = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal(0), verbose_name=_("safety stock"))
    # Stock back to the shop: ATP = floor((free − safety stock) × share_percent / 100), pushed to stock_endpoint
    # at most push_per_second requests a second (the platform's rate limit for this shop).
    share_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(0), MaxValueValidator(100)], verbose_name=_("share of free stock (%)"))
    stock_endpoint = models.URLField(blank=True, verbose_name=_("stock push endpoint"))
    push_per_second = models.DecimalField(max_digits=8, decimal_places=3, default=Decimal("2"),
                                          verbose_name=_("stock pushes per second"))

    class Meta:
        verbose_name = _("channel sync settings")
        verbose_name_plural = _("channel sync settings")


class AtpPush(models.Model):
    """The stock figure a shop should show for one SKU, and what was last pushed there: one row per
    (channel, product), updated in place, so a burst of stock changes is pushed once (sihe/oms/stockpush.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("stock push", "pending")
        PUSHED = "pushed", pgettext_lazy("stock push", "pushed")
        FAILED = "failed", pgettext_lazy("stock push", "failed")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="atp_pushes", verbose_name=_("channel"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="atp_pushes", verbose_name=_("product"))
    quantity = models.DecimalField(**QTY, verbose_name=_("figure to push"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    queued_at = models.DateTimeField(verbose_name=_("queued for push at"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    leased_until = models.DateTimeField(null=True, blank=True, verbose_name=_("leased until"))
    lease_token = models.CharField(max_length=32, blank=True, verbose_name=_("lease token"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    last_error_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last error at"))
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("last HTTP status"))
    pushed_quantity = models.DecimalField(**QTY, null=True, blank=True, verbose_name=_("last pushed figure"))
    pushed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last pushed at"))

    class Meta:
        verbose_name = _("stock push")
        verbose_name_plural = _("stock pushes")
        constraints = [models.UniqueConstraint(fields=["channel", "product"], name="oms_atp_push_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="oms_atp_push_due")]


class ReviewPolicy(models.Model):
    """The order engine's settings (one row): review limits, out-of-stock handling, revenue timing."""

    class Stockout(models.TextChoices):
        BACKORDER = "backorder", _("ship what is there, backorder the rest (补发)")
        HOLD = "hold", _("hold the whole order")

    class Revenue(models.TextChoices):
        SHIPMENT = "shipment", _("at shipment")
        INVOICE = "invoice", _("at invoice")

    amount_limit = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("20000.00"), verbose_name=_("amount limit"))
    hold_buyer_message = models.BooleanField(default=False, verbose_name=_("hold orders with a buyer message"))
    stockout = models.CharField(max_length=10, choices=Stockout.choices, default=Stockout.BACKORDER, verbose_name=_("when out of stock"))
    revenue_at = models.CharField(max_length=10, choices=Revenue.choices, default=Revenue.SHIPMENT, verbose_name=_("revenue at"))
    split_penalty_km = models.DecimalField(max_digits=10, decimal_places=1, default=Decimal("500.0"), verbose_name=_("split penalty (km)"))
    default_carrier = models.CharField(max_length=40, default="SF", verbose_name=_("default carrier"))
    ship_by_hour = models.PositiveSmallIntegerField(default=16, verbose_name=_("ship by (hour)"))

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")


class Blacklist(models.Model):
    class Kind(models.TextChoices):
        BUYER = "buyer", _("buyer id")
        PHONE = "phone", _("phone")
        ADDRESS = "address", _("address contains")

    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    value = models.CharField(max_length=200, verbose_name=_("value"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="oms_blacklist_unique")]


class Settlement(models.Model):
    """Money in for orders: a platform settlement (支付宝/平台, net of commission) or a bank receipt."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("platform settlement")
        BANK = "bank", _("bank receipt")
        ADVANCE = "advance", _("advance applied (预收冲应收)")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(**AMOUNT)  # money received
    fee = models.DecimalField(**AMOUNT)  # platform commission kept back
    date = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    voucher_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")


class CurrencyRate(models.Model):
    """The rate of a foreign currency in CNY from a date on (orders of Shopify/WooCommerce stores abroad)."""

    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    date = models.DateField(verbose_name=_("date"))
    rate = models.DecimalField(max_digits=14, decimal_places=6, verbose_name=_("rate"))

    class Meta:
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        constraints = [models.UniqueConstraint(fields=["currency", "date"], name="oms_rate_unique"),
                       models.CheckConstraint(condition=Q(rate__gt=0), name="oms_rate_positive")]


class SettlementStatement(models.Model):
    """A platform's settlement statement (账单: 支付宝账务明细, 京东结算单, 抖店结算账单) imported for one channel;
    its rows are matched to orders and settled, or listed as differences (sihe.oms.statements)."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="statements",
                                verbose_name=_("channel"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    layout = models.CharField(_("layout"), max_length=20)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    duplicates = models.PositiveIntegerField(_("already settled"), default=0)
    differences = models.PositiveIntegerField(_("differences"), default=0)
    amount_total = models.DecimalField(_("settled amount"), **AMOUNT)
    fee_total = models.DecimalField(_("fees"), **AMOUNT)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.CharField(_("imported by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")

    def __str__(self):
        return f"{self.channel_id}:{self.pk} {self.file_name}"


class StatementRow(models.Model):
    """One order's settlement on a statement (its file rows taken together): matched and settled, a
    duplicate of a row settled before (`key`), or a difference with its reason."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("matched")
        DUPLICATE = "duplicate", _("already settled")
        DIFFERENCE = "difference", _("difference")

    statement = models.ForeignKey(SettlementStatement, on_delete=models.CASCADE, related_name="rows")
    line_no = models.PositiveIntegerField(_("line"))
    lines = models.CharField(max_length=200, blank=True)  # the file's line numbers taken together ("5,6,7")
    row_ref = models.CharField(_("row id"), max_length=200, blank=True)
    order_no = models.CharField(_("order number"), max_length=80, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_rows")
    amount = models.DecimalField(_("settled amount"), **AMOUNT)
    fee = models.DecimalField(_("fee"), **AMOUNT)
    date = models.DateField(_("date"), null=True, blank=True)
    receivable = models.DecimalField(_("still receivable"), max_digits=18, decimal_places=2, null=True, blank=True)
    key = models.CharField(max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    settlement = models.ForeignKey(Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("statement row")
        verbose_name_plural = _("statement rows")
        ordering = ["statement", "line_no"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=Q(status="matched"),
                                               name="oms_statement_row_settled_once")]
        indexes = [models.Index(fields=["key"])]
