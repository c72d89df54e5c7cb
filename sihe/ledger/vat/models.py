"""The company's VAT position (纳税人类型) and the acts of the VAT month-end that need a record of their own.

- `TaxProfile` (one row): 一般纳税人 or 小规模纳税人, the 征收率 a 小规模 company invoices at, and where the
  company sits (城市维护建设税 7% in a city, 5% in a county town or 镇, 1% elsewhere) with the 教育费附加 and
  地方教育附加 rates; whether a 小规模 company claims the 六税两费 half rate on them (`surcharge_relief`, in the
  windows of `SURCHARGE_RELIEFS`); and the 会计主管 and 出纳 whose names the printed voucher carries. The ledger keeps it (it decides the chart's 应交增值税 and the month-end), and the
  wings that invoice or receive invoices read it through `sihe.ledger.vat.selectors`.
- `InputVatTransfer`: one 进项税额转出 with its reason (非正常损失, 集体福利/个人消费, 简易计税/免税项目 …)
  and the voucher that books it.
"""

from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 18, "decimal_places": 2}


class SurchargeRelief(NamedTuple):
    """A reduction of the 附加税 of a 小规模纳税人 for the periods first … last (YYYY-MM, both included)."""

    first: str
    last: str
    reduction: Decimal  # the share taken off each surcharge (0.50: half)
    basis: str


# 六税两费: 城市维护建设税, 教育费附加 and 地方教育附加 (among others) at 50 % for a 小规模纳税人. The one place the
# windows live: a period outside every window gets no relief (an extension is one more row).
SURCHARGE_RELIEFS = (
    SurchargeRelief("2023-01", "2027-12", Decimal("0.50"), "财政部 税务总局公告2023年第12号"),
)


def surcharge_relief_in(period: str) -> SurchargeRelief | None:
    """The relief window that covers `period` (YYYY-MM), if any."""
    return next((r for r in SURCHARGE_RELIEFS if r.first <= period[:7] <= r.last), None)


class TaxProfile(models.Model):
    class TaxpayerType(models.TextChoices):
        GENERAL = "general", _("general VAT taxpayer")
        SMALL = "small", _("small-scale VAT taxpayer")

    class Location(models.TextChoices):
        CITY = "city", _("city (urban construction tax 7%)")
        TOWN = "town", _("county town or township (5%)")
        OTHER = "other", _("elsewhere (1%)")

    taxpayer_type = models.CharField(_("taxpayer type"), max_length=10, choices=TaxpayerType.choices,
                                     default=TaxpayerType.GENERAL)
    levy_rate = models.DecimalField(_("levy rate"), max_digits=4, decimal_places=2, default=Decimal("0.01"))
    location = models.CharField(pgettext_lazy("tax", "location"), max_length=10, choices=Location.choices, default=Location.CITY)
    education_rate = models.DecimalField(_("education surcharge rate"), max_digits=4, decimal_places=2,
                                         default=Decimal("0.03"))
    local_education_rate = models.DecimalField(_("local education surcharge rate"), max_digits=4, decimal_places=2,
                                               default=Decimal("0.02"))
    # 六税两费减半: claimed by a 小规模纳税人 in the periods of SURCHARGE_RELIEFS; no effect for a 一般纳税人
    surcharge_relief = models.BooleanField(_("half-rate surcharges (六税两费)"), default=True)
    # printed on the voucher (记账凭证) beside the names of who made, reviewed and posted it
    chief_accountant = models.CharField(_("chief accountant"), max_length=60, blank=True)
    cashier = models.CharField(_("cashier"), max_length=60, blank=True)
    # rule line id → account code it pointed to before the 专栏 were folded into one 应交增值税 (小规模)
    folded_rule_lines = models.JSONField(default=dict, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tax profile")
        verbose_name_plural = _("tax profiles")
        constraints = [
            models.CheckConstraint(condition=Q(taxpayer_type__in=["general", "small"]), name="vat_taxpayer_type"),
            models.CheckConstraint(condition=Q(location__in=["city", "town", "other"]), name="vat_location"),
        ]

    def __str__(self):
        return self.get_taxpayer_type_display()

    @property
    def is_general(self) -> bool:
        return self.taxpayer_type == self.TaxpayerType.GENERAL

    @property
    def city_tax_rate(self) -> Decimal:
        return {"city": Decimal("0.07"), "town": Decimal("0.05")}.get(self.location, Decimal("0.01"))

    def relief_in(self, period: str) -> SurchargeRelief | None:
        """The 六税两费 relief the company's surcharges of `period` get: a 小规模纳税人 that claims it, in a window."""
        if self.is_general or not self.surcharge_relief:
            return None
        return surcharge_relief_in(period)


class InputVatTransfer(models.Model):
    class Reason(models.TextChoices):
        ABNORMAL_LOSS = "abnormal_loss", _("abnormal loss (theft, loss, spoilage through poor management)")
        WELFARE = "welfare", _("collective welfare or personal consumption")
        NON_DEDUCTIBLE = "non_deductible", _("used for simplified-method or exempt sales")
        OTHER = "other", pgettext_lazy("reason", "other")

    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    account = models.CharField(_("debit account"), max_length=40)
    voucher_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("input VAT transferred out")
        verbose_name_plural = _("input VAT transferred out")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="vat_input_transfer_positive")]

    def __str__(self):
        return f"{self.date} {self.amount}"
