"""B2B sales (dealers): customer groups, price lists with quantity breaks, promotions, quotations that
become orders of Sihe's own channel format, advance receipts (预收账款 2203) and customer receipts
spread over several orders or invoices. The order itself is an ordinary `oms.Order`: the same review
(credit limit), allocation, shipping, invoicing and receivable."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Partner, Product
from sihe.oms.models import Order, Settlement

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0.00")}
QTY = {"max_digits": 20, "decimal_places": 6}


class CustomerGroup(models.Model):
    """A class of customers with its own prices and promotions (一级经销商, 二级经销商, 大客户)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["code"]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    """A customer's group (one at a time): kept here so the catalog's partner knows nothing of B2B prices."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="b2b_membership",
                                   verbose_name=_("customer"))
    group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, related_name="members",
                              verbose_name=_("customer group"))

    class Meta:
        verbose_name = _("customer group member")
        verbose_name_plural = _("customer group members")


class PriceList(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, related_name="price_lists",
                              verbose_name=_("customer group"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                              name="b2b_price_list_dates")]

    def __str__(self):
        return f"{self.code} {self.name}"


class PriceBreak(models.Model):
    """The unit price (tax included) of a product from `min_qty` units on."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="breaks",
                                   verbose_name=_("price list"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    min_qty = models.DecimalField(_("from quantity"), default=Decimal(1), **QTY)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("price break")
        verbose_name_plural = _("price breaks")
        ordering = ["price_list", "product", "min_qty"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "min_qty"], name="b2b_price_break_unique"),
            models.CheckConstraint(condition=Q(min_qty__gt=0) & Q(unit_price__gte=0), name="b2b_price_break_positive"),
        ]


class Promotion(models.Model):
    class Kind(models.TextChoices):
        SPEND_SAVE = "spend_save", _("spend X save Y (满减)")
        PERCENT = "percent", _("percentage off (折扣)")
        GIFT = "gift", _("free gift (赠品)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="promotions", verbose_name=_("customer group"),
                              help_text=_("empty: every customer"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    threshold = models.DecimalField(_("spend at least"), **AMOUNT)
    amount = models.DecimalField(_("amount off"), **AMOUNT)
    percent = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2, default=Decimal(0))
    gift_product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("gift"))
    gift_qty = models.DecimalField(_("gift quantity"), default=Decimal(0), **QTY)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lt=100), name="b2b_promo_percent")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Quotation(models.Model):
    """A price offered to a dealer (报价单), valid until a date; accepted, it becomes one order."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("quotation status", "draft")
        SENT = "sent", pgettext_lazy("quotation status", "sent")
        ACCEPTED = "accepted", pgettext_lazy("quotation status", "accepted")
        CONVERTED = "converted", pgettext_lazy("quotation status", "converted to an order")
        CANCELLED = "cancelled", pgettext_lazy("quotation status", "cancelled")

    number = models.CharField(_("number"), max_length=40, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="quotations", verbose_name=_("customer"))
    group = models.ForeignKey(CustomerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("customer group"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    quote_date = models.DateField(_("quotation date"))
    valid_until = models.DateField(_("valid until"))
    receiver_name = models.CharField(_("receiver"), max_length=100, blank=True)
    receiver_phone = models.CharField(_("phone"), max_length=40, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address detail"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    goods_total = models.DecimalField(_("goods total"), **AMOUNT)
    discount_total = models.DecimalField(_("discounts"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    promotions = models.JSONField(_("promotions applied"), default=list, blank=True)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="quotation",
                                 verbose_name=_("order"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class QuotationLine(models.Model):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    qty = models.DecimalField(_("quantity"), **QTY)
    list_price = models.DecimalField(_("list price"), max_digits=18, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=2)
    price_source = models.CharField(_("price from"), max_length=60, blank=True)
    line_total = models.DecimalField(_("line total"), **AMOUNT)
    discount = models.DecimalField(_("discount"), **AMOUNT)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    gift = models.BooleanField(_("gift"), default=False)
    promotion = models.CharField(_("promotion"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")
        ordering = ["quotation", "line_no"]
        constraints = [models.UniqueConstraint(fields=["quotation", "line_no"], name="b2b_quote_line_no"),
                       models.CheckConstraint(condition=Q(qty__gt=0), name="b2b_quote_line_qty_positive")]


class Advance(models.Model):
    """Money a customer paid before it owes it (预收账款 2203): booked 银行存款 / 预收账款, applied to the
    receivable of its orders when their revenue is booked (预收账款 / 应收账款)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="advances", verbose_name=_("customer"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    applied = models.DecimalField(_("applied"), **AMOUNT)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    quotation = models.ForeignKey(Quotation, null=True, blank=True, on_delete=models.PROTECT, related_name="advances",
                                  verbose_name=_("quotation"))
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="advances",
                              verbose_name=_("order"))
    voucher_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("advance receipt")
        verbose_name_plural = _("advance receipts")
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(applied__gte=0) & Q(applied__lte=models.F("amount")),
                                              name="b2b_advance_applied_within")]

    def __str__(self):
        return self.number

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.applied


class AdvanceApplication(models.Model):
    advance = models.ForeignKey(Advance, on_delete=models.PROTECT, related_name="applications")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    date = models.DateField(_("date"))
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("advance applied")
        verbose_name_plural = _("advances applied")


class Receipt(models.Model):
    """One payment from a customer (a bank transfer), applied over several orders or invoices; what is
    left over stays as an advance (预收)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="b2b_receipts",
                                verbose_name=_("customer"))
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    account = models.CharField(_("account"), max_length=20, default="1002")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    unapplied = models.DecimalField(_("unapplied (advance)"), **AMOUNT)
    advance = models.OneToOneField(Advance, null=True, blank=True, on_delete=models.PROTECT, related_name="receipt")
    created_at = models.DateTimeField(_("created at"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("customer receipt")
        verbose_name_plural = _("customer receipts")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class ReceiptAllocation(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="allocations")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    invoice_number = models.CharField(_("invoice"), max_length=20, blank=True)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("receipt allocation")
        verbose_name_plural = _("receipt allocations")
        ordering = ["receipt", "id"]
