"""After-sales cases (售后单): per order line, refund only (仅退款), return and refund (退货退款), exchange
(换货) or reissue (补发), from a channel's refund payload or the service page, with a deadline."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.catalog.models import Channel, Product
from sihe.oms.models import Order, OrderLine

AMOUNT = {"max_digits": 18, "decimal_places": 2}
QTY = {"max_digits": 20, "decimal_places": 6}
ZERO = Decimal(0)


class Case(models.Model):
    class Kind(models.TextChoices):
        REFUND_ONLY = "refund_only", _("refund only (仅退款)")
        RETURN_REFUND = "return_refund", _("return and refund (退货退款)")
        EXCHANGE = "exchange", _("exchange (换货)")
        REISSUE = "reissue", _("reissue (补发)")

    class Status(models.TextChoices):
        PENDING_APPROVAL = "pending_approval", pgettext_lazy("after-sales", "awaiting approval")
        OPEN = "open", pgettext_lazy("after-sales", "open")
        AWAITING_RETURN = "awaiting_return", pgettext_lazy("after-sales", "awaiting the return")
        RECEIVED = "received", pgettext_lazy("after-sales", "return received")
        REFUNDED = "refunded", pgettext_lazy("after-sales", "refunded")
        DONE = "done", pgettext_lazy("after-sales", "done")
        REJECTED = "rejected", pgettext_lazy("after-sales", "rejected")
        CANCELLED = "cancelled", pgettext_lazy("after-sales", "cancelled")

    class Via(models.TextChoices):
        PLATFORM = "platform", _("through the platform")
        BANK = "bank", _("by bank transfer")

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="cases", verbose_name=_("order"))
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+", verbose_name=_("channel"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # the platform's refund / after-sale id: the same payload twice is one case
    channel_ref = models.CharField(_("platform refund id"), max_length=64, blank=True)
    refund_amount = models.DecimalField(_("refund amount"), **AMOUNT)
    refunded_amount = models.DecimalField(_("refunded"), **AMOUNT, default=ZERO)
    paid_back = models.DecimalField(_("paid back"), **AMOUNT, default=ZERO)
    # the platform's subsidy on the refunded lines: revenue reversed on it too, owed back to the platform
    subsidy_reversed = models.DecimalField(_("platform subsidy reversed"), **AMOUNT, default=ZERO)
    # an exchange for a dearer (+, the buyer pays) or cheaper (−, the buyer gets money back) product
    price_difference = models.DecimalField(_("price difference"), **AMOUNT, default=ZERO)
    difference_booked_at = models.DateTimeField(_("price difference booked"), null=True, blank=True)
    refund_via = models.CharField(_("refund via"), max_length=10, choices=Via.choices, default=Via.PLATFORM)
    due_at = models.DateTimeField(_("due"))
    # the expected return (退货入库单) the warehouse scans the goods against
    return_number = models.CharField(_("expected return"), max_length=40, blank=True)
    # an exchange's or a reissue's zero-priced reshipment, and when it left
    reship_number = models.CharField(_("reshipment"), max_length=40, blank=True)
    reshipped_at = models.DateTimeField(_("reshipped"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=150, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decided_note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "channel_ref"], condition=~Q(channel_ref=""),
                                    name="aftersales_case_once_per_platform_id"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0, refunded_amount__gte=0, paid_back__gte=0),
                                   name="aftersales_amounts_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="aftersales_queue")]

    def __str__(self):
        return self.number


class CaseLine(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="case_lines",
                                   verbose_name=_("order line"))
    qty = models.DecimalField(_("quantity"), **QTY)
    amount = models.DecimalField(_("refund amount"), **AMOUNT)
    # a return: units back in the warehouse, and of them graded defective by QC
    # an exchange sends this product instead (another size or colour); empty: the same product
    replacement = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("replacement"))
    price_difference = models.DecimalField(_("price difference"), **AMOUNT, default=ZERO)
    received_qty = models.DecimalField(_("returned"), **QTY, default=ZERO)
    defective_qty = models.DecimalField(_("defective"), **QTY, default=ZERO)

    class Meta:
        verbose_name = _("after-sales line")
        verbose_name_plural = _("after-sales lines")
        ordering = ["case_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0, amount__gte=0), name="aftersales_line_positive"),
            models.UniqueConstraint(fields=["case", "order_line"], name="aftersales_line_once_per_case"),
        ]
