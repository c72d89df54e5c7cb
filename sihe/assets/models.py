"""固定资产 per 小企业会计准则: a category gives the defaults (life, residual rate, method, accounts), a card
is one asset, a run is one month's depreciation (one voucher), a line is what one asset took that month.

Depreciation starts the month after acquisition (当月增加的固定资产当月不计提折旧，从下月起计提) and an
asset disposed of in a month still depreciates that month (当月减少的当月照提，从下月起不提)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Method(models.TextChoices):
    STRAIGHT_LINE = "straight_line", _("straight-line (年限平均法)")
    WORKLOAD = "workload", _("workload (工作量法)")


class Use(models.TextChoices):
    """What the asset serves decides where its depreciation is expensed."""

    MANUFACTURING = "manufacturing", _("manufacturing (制造费用)")
    ADMIN = "admin", _("administration (管理费用)")
    SELLING = "selling", _("selling (销售费用)")


class Category(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    life_months = models.PositiveIntegerField(_("useful life (months)"))
    residual_rate = models.DecimalField(_("residual rate"), max_digits=5, decimal_places=4)
    method = models.CharField(_("depreciation method"), max_length=20, choices=Method.choices,
                              default=Method.STRAIGHT_LINE)
    asset_account = models.CharField(_("asset account"), max_length=40, default="1601")
    depreciation_account = models.CharField(_("accumulated depreciation account"), max_length=40, default="1602")
    expense_manufacturing = models.CharField(_("expense account, manufacturing"), max_length=40, default="4101")
    expense_admin = models.CharField(_("expense account, administration"), max_length=40, default="5602")
    expense_selling = models.CharField(_("expense account, selling"), max_length=40, default="5601")

    class Meta:
        ordering = ["code"]
        verbose_name = _("asset category")

    def __str__(self):
        return f"{self.code} {self.name}"

    def expense_account(self, use: str) -> str:
        return {Use.MANUFACTURING: self.expense_manufacturing, Use.ADMIN: self.expense_admin,
                Use.SELLING: self.expense_selling}[use]


class Asset(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", pgettext_lazy("asset", "in use")
        DISPOSED = "disposed", pgettext_lazy("asset", "disposed")

    code = models.CharField(_("asset number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="assets")
    department = models.CharField(_("department"), max_length=40)
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    acquired_on = models.DateField(_("acquisition date"))
    cost = models.DecimalField(_("original cost"), max_digits=18, decimal_places=2)
    residual_value = models.DecimalField(_("residual value"), max_digits=18, decimal_places=2)
    life_months = models.PositiveIntegerField(_("useful life (months)"))
    method = models.CharField(_("depreciation method"), max_length=20, choices=Method.choices)
    total_workload = models.DecimalField(_("total workload"), max_digits=18, decimal_places=4, null=True, blank=True)
    workload_unit = models.CharField(_("workload unit"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_USE)
    acquisition_voucher_id = models.IntegerField(null=True, blank=True)
    disposed_on = models.DateField(_("disposal date"), null=True, blank=True)
    disposal_voucher_id = models.IntegerField(null=True, blank=True)
    disposal_proceeds = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    disposal_costs = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    disposal_gain = models.DecimalField(max_digits=18, decimal_places=2, default=0)  # negative: a loss
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]
        verbose_name = _("fixed asset")
        constraints = [
            models.CheckConstraint(condition=Q(cost__gt=0), name="assets_cost_positive"),
            models.CheckConstraint(condition=Q(residual_value__gte=0), name="assets_residual_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def depreciable(self):
        return self.cost - self.residual_value


class Workload(models.Model):
    """工作量: the units an asset worked in one month (km driven, machine hours), entered before the run."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="workloads")
    period = models.CharField(max_length=7)
    quantity = models.DecimalField(max_digits=18, decimal_places=4)
    entered_by = models.CharField(max_length=150)
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["asset", "period"]
        verbose_name = _("workload")
        verbose_name_plural = _("workloads")
        constraints = [models.UniqueConstraint(fields=["asset", "period"], name="assets_workload_once")]


class DepreciationRun(models.Model):
    period = models.CharField(max_length=7, unique=True)
    voucher_id = models.IntegerField(null=True, blank=True)
    total = models.DecimalField(max_digits=18, decimal_places=2)
    run_by = models.CharField(max_length=150)
    run_at = models.DateTimeField()

    class Meta:
        ordering = ["period"]
        verbose_name = _("depreciation run")
        verbose_name_plural = _("depreciation runs")


class DepreciationLine(models.Model):
    run = models.ForeignKey(DepreciationRun, on_delete=models.CASCADE, related_name="lines")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="depreciation")
    period = models.CharField(max_length=7)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    workload = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    expense_account = models.CharField(max_length=40)

    class Meta:
        ordering = ["period", "asset"]
        verbose_name = _("depreciation line")
        verbose_name_plural = _("depreciation lines")
        constraints = [models.UniqueConstraint(fields=["asset", "period"], name="assets_depreciation_once")]


# 企业所得税法实施条例 第六十条: the shortest lives the tax law allows, the usual defaults.
DEFAULT_CATEGORIES = [
    ("01", "房屋、建筑物", 240, "0.05", Method.STRAIGHT_LINE),
    ("02", "机器、机械和其他生产设备", 120, "0.05", Method.STRAIGHT_LINE),
    ("03", "器具、工具、家具", 60, "0.05", Method.STRAIGHT_LINE),
    ("04", "运输工具", 48, "0.05", Method.STRAIGHT_LINE),
    ("05", "电子设备", 36, "0.05", Method.STRAIGHT_LINE),
]
