"""数电发票 as records: the invoice, its lines, the documents it bills, and the yearly number counter.

- `Invoice`: one issued 数电票 (blue, or red = 负数 reversing part or all of a blue one). The number is
  the 20-digit 发票号码 (year · province · channel · 15-digit sequence, china-formats.md §4.1),
  gapless per year. Seller and buyer are copied at issue: an issued invoice never changes, only the
  blue one's `status` follows its red invoices. A red invoice carries the 20-digit
  红字发票信息确认单编号 it was issued against (`confirmation_number`), used by no other red invoice.
- `InvoiceLine`: 项目名称 `*简称*商品名`, 税收分类编码, 规格型号, 单位, 数量, 单价 (without tax), 金额,
  税率, 税额. A red line points at the blue line it reverses.
- `InvoiceSource`: the documents billed (`oms.order` + id + number). While the blue invoice is not
  fully reversed its links are `active`, and a partial unique index keeps a document on at most one
  active invoice — the database refuses a second invoice for the same order.
- numbers: the 15-digit tail per year comes from `core.numbering` (series `invoicing.invoice`).
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HALF_FEN = Value(Decimal("0.005"))
MONEY = {"max_digits": 16, "decimal_places": 2}
QTY = {"max_digits": 20, "decimal_places": 6}


class Invoice(models.Model):
    class Kind(models.TextChoices):
        BLUE = "blue", _("blue")
        RED = "red", _("red (negative)")

    class VatType(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary invoice")
        SPECIAL = "special", _("special VAT invoice")

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PARTLY_REVERSED = "partly_reversed", _("partly reversed")
        REVERSED = "reversed", _("reversed")

    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.BLUE)
    vat_type = models.CharField(pgettext_lazy("invoice", "type"), max_length=10, choices=VatType.choices, default=VatType.ORDINARY)
    red_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reds",
                               verbose_name=_("reverses"))
    red_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # 红字发票信息确认单编号 (20 digits) of a red invoice; blank on a blue one; never on two red invoices
    confirmation_number = models.CharField(_("red-letter invoice confirmation number"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ISSUED)
    issue_date = models.DateField(_("issue date"))
    issued_at = models.DateTimeField(_("issued at"))
    buyer_name = models.CharField(pgettext_lazy("invoice", "buyer"), max_length=100)
    buyer_tax_id = models.CharField(_("buyer tax id"), max_length=20, blank=True)
    seller_name = models.CharField(_("seller"), max_length=200)
    seller_tax_id = models.CharField(_("seller tax id"), max_length=20)
    seller_address = models.CharField(_("seller address"), max_length=300, blank=True)
    seller_phone = models.CharField(_("seller phone"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount without tax"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total with tax"), **MONEY)
    total_in_words = models.CharField(_("total in words"), max_length=100)
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    drawer = models.CharField(_("drawer"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-id"]
        indexes = [models.Index(fields=["issue_date"]), models.Index(fields=["buyer_name"])]
        constraints = [
            # 价税合计 = 合计金额 + 合计税额 (within half a fen: SQLite compares decimals as floats)
            models.CheckConstraint(condition=Q(total__gte=F("amount") + F("tax") - HALF_FEN,
                                               total__lte=F("amount") + F("tax") + HALF_FEN),
                                   name="invoice_total_is_amount_plus_tax"),
            models.CheckConstraint(condition=Q(kind="blue", red_of__isnull=True, total__gt=0)
                                   | Q(kind="red", red_of__isnull=False, total__lt=0),
                                   name="invoice_kind_sign"),
            models.CheckConstraint(condition=Q(status__in=["issued", "partly_reversed", "reversed"]),
                                   name="invoice_status_valid"),
            # one 红字发票信息确认单 is used by one red invoice (a partial index: no table rebuild on SQLite,
            # which would drop the immutability triggers of migration 0003)
            models.UniqueConstraint(fields=["confirmation_number"], condition=Q(kind="red"),
                                    name="invoice_red_confirmation_once"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_red(self) -> bool:
        return self.kind == self.Kind.RED

    def can_reverse(self) -> bool:
        return self.kind == self.Kind.BLUE and self.status != self.Status.REVERSED


class InvoiceLine(models.Model):
    class Row(models.TextChoices):
        NORMAL = "normal", _("normal")
        DISCOUNTED = "discounted", _("discounted line")
        DISCOUNT = "discount", _("discount line")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    exempt = models.BooleanField(_("tax exempt"), default=False)
    seq = models.PositiveIntegerField(_("line"))
    row = models.CharField(_("row type"), max_length=10, choices=Row.choices, default=Row.NORMAL)
    name = models.CharField(_("item name"), max_length=200)
    tax_code = models.CharField(_("tax classification code"), max_length=19)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    qty = models.DecimalField(_("quantity"), **QTY, null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=24, decimal_places=8, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    tax = models.DecimalField(_("tax"), **MONEY)
    sku = models.CharField("SKU", max_length=64, blank=True)
    source_id = models.CharField(_("source document"), max_length=64, blank=True)
    red_of_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="red_lines")

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "seq"], name="invoice_line_seq_unique"),
            models.CheckConstraint(condition=Q(row__in=["normal", "discounted", "discount"]),
                                   name="invoice_line_row_valid"),
        ]

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


class InvoiceSource(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="sources")
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    source_number = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("invoice source")
        verbose_name_plural = _("invoice sources")
        indexes = [models.Index(fields=["source_type", "source_id"])]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], condition=Q(active=True),
                                    name="invoice_source_once_active"),
            models.UniqueConstraint(fields=["invoice", "source_type", "source_id"], name="invoice_source_unique"),
        ]

    def __str__(self):
        return f"{self.source_type} {self.source_number or self.source_id}"
