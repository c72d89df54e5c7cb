"""The general ledger: chart of accounts, periods, vouchers (记账凭证), posting rules and
the balance projection.

- `Account`: 小企业会计准则 chart with sub-accounts (`1122.01`), a balance direction, a category, a
  role for accounts found by meaning (VAT columns, 暂估) and the auxiliary dimensions (核算维度) it
  tracks. Dimensions are plain codes (partner, department, project, warehouse): the ledger knows
  nothing of catalog.
- `Period` (`YYYY-MM`): open or closed. Voucher numbers per (period, word) come from `core.numbering`
  (series `ledger.voucher.<word>`), whose counter row keeps them gapless.
- `Voucher` + `VoucherLine`: balanced and non-zero (checked by the service, and by a deferred
  constraint trigger on PostgreSQL / a trigger at posting on SQLite); posted vouchers are immutable.
- `Balance`: per (account, period, dimensions, cash-flow item, closing flag) debit and credit sums,
  updated at posting in the same transaction; `rebuild_balances()` recomputes it from the lines.
- `OpeningBalance`: 期初余额 at the first period in use.
- `PostingRule` + `PostingRuleLine`: 业财一体化 templates that `book()` turns into vouchers.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": Decimal("0.00")}
DIMENSIONS = ("partner", "department", "project", "warehouse")
CASH_ROLE = "cash"


class Direction(models.TextChoices):
    DEBIT = "debit", _("debit")
    CREDIT = "credit", _("credit")


class Category(models.TextChoices):
    ASSET = "asset", _("asset")
    LIABILITY = "liability", _("liability")
    EQUITY = "equity", _("equity")
    COST = "cost", _("cost")
    PROFIT_LOSS = "profit_loss", _("profit and loss")


class Account(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(default=1)
    direction = models.CharField(_("balance direction"), max_length=6, choices=Direction.choices)
    category = models.CharField(pgettext_lazy("account", "category"), max_length=12, choices=Category.choices)
    is_leaf = models.BooleanField(default=True)
    is_cash = models.BooleanField(_("cash account"), default=False)
    role = models.CharField(pgettext_lazy("account", "role"), max_length=40, blank=True, db_index=True)
    dim_partner = models.BooleanField(_("partner dimension"), default=False)
    dim_department = models.BooleanField(_("department dimension"), default=False)
    dim_project = models.BooleanField(_("project dimension"), default=False)
    dim_warehouse = models.BooleanField(_("warehouse dimension"), default=False)
    active = models.BooleanField(default=True)
    # the first child its balance moved into when it got sub-accounts while in use (its posted lines stay
    # on it, immutable; the projection and red reversals read them as the child's)
    moved_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["debit", "credit"]), name="ledger_account_direction"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def dimensions(self) -> list[str]:
        return [d for d in DIMENSIONS if getattr(self, f"dim_{d}")]

    @property
    def sign(self) -> int:
        """+1 when the normal balance is debit: balance = sign × (debit − credit)."""
        return 1 if self.direction == Direction.DEBIT else -1


class Period(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("period", "open")
        CLOSED = "closed", pgettext_lazy("period", "closed")

    code = models.CharField(_("period"), max_length=7, unique=True)  # YYYY-MM
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(status__in=["open", "closed"]), name="ledger_period_status")]

    def __str__(self):
        return self.code

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Voucher(models.Model):
    class Word(models.TextChoices):
        JI = "记", "记"
        SHOU = "收", "收"
        FU = "付", "付"
        ZHUAN = "转", "转"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEWED = "reviewed", _("reviewed")
        POSTED = "posted", _("posted")

    class Kind(models.TextChoices):
        MANUAL = "manual", _("manual")
        AUTO = "auto", _("from a business document")
        REVERSAL = "reversal", _("red reversal")
        CLOSING = "closing", _("profit and loss carry-forward")
        YEAR_END = "year_end", _("year-end profit distribution")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="vouchers")
    word = models.CharField(_("voucher word"), max_length=2, choices=Word.choices, default=Word.JI)
    number = models.PositiveIntegerField(pgettext_lazy("voucher", "number"), null=True, blank=True)
    date = models.DateField(_("date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    source_type = models.CharField(_("source document type"), max_length=60, blank=True)
    source_id = models.CharField(_("source document"), max_length=100, blank=True)
    rule = models.CharField(_("posting rule"), max_length=60, blank=True)
    reversal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    made_by = models.CharField(_("made by"), max_length=150)
    made_by_id = models.BigIntegerField(null=True, blank=True)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.CharField(_("posted by"), max_length=150, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["period__code", "word", "number", "id"]
        indexes = [models.Index(fields=["source_type", "source_id"]), models.Index(fields=["date"]),
                   # a period's vouchers in book order, paged by keyset (word, number — 0 for a draft without — id)
                   models.Index(F("period"), F("word"), Coalesce(F("number"), 0), F("id"),
                                name="ledger_voucher_book_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "word", "number"], condition=Q(number__isnull=False), name="ledger_voucher_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "reviewed", "posted"]), name="ledger_voucher_status"
            ),
            models.CheckConstraint(
                condition=Q(status="posted", number__isnull=False) | ~Q(status="posted"),
                name="ledger_voucher_posted_has_number",
            ),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.word}-{self.number:04d}" if self.number else f"{self.word}-(#{self.pk})"

    @property
    def is_posted(self) -> bool:
        return self.status == self.Status.POSTED


class CashFlowItem(models.Model):
    """现金流量项目: one per detail line of 会小企03表 (the line number is the statement's 行次)."""

    class Activity(models.TextChoices):
        OPERATING = "operating", _("operating")
        INVESTING = "investing", _("investing")
        FINANCING = "financing", _("financing")

    code = models.CharField(max_length=10, unique=True)
    line_no = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=120, blank=True)
    activity = models.CharField(max_length=10, choices=Activity.choices)
    inflow = models.BooleanField()

    class Meta:
        verbose_name = _("cash-flow item")
        verbose_name_plural = _("cash-flow items")
        ordering = ["line_no"]

    def __str__(self):
        return f"{self.line_no} {self.name}"


class VoucherLine(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField()
    summary = models.CharField(_("summary"), max_length=200)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = models.DecimalField(_("debit"), **AMOUNT)
    credit = models.DecimalField(_("credit"), **AMOUNT)
    partner = models.CharField(_("partner"), max_length=40, blank=True)
    department = models.CharField(_("department"), max_length=40, blank=True)
    project = models.CharField(_("project"), max_length=40, blank=True)
    warehouse = models.CharField(_("warehouse"), max_length=40, blank=True)
    cash_flow_item = models.ForeignKey(CashFlowItem, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("voucher line")
        verbose_name_plural = _("voucher lines")
        ordering = ["voucher_id", "seq"]
        indexes = [models.Index(fields=["account", "voucher"])]
        constraints = [
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="ledger_line_one_side"),
            models.UniqueConstraint(fields=["voucher", "seq"], name="ledger_line_seq_unique"),
        ]

    def __str__(self):
        return f"{self.account.code} {self.debit}/{self.credit}"

    def dims(self) -> dict[str, str]:
        return {d: getattr(self, d) for d in DIMENSIONS}


def attachment_path(instance, filename):
    return f"ledger/vouchers/{instance.voucher_id}/{filename}"


class Attachment(models.Model):
    """原始凭证: a file kept with its voucher (under MEDIA_ROOT/ledger/vouchers/<id>/)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()

    def __str__(self):
        return self.name

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Balance(models.Model):
    """Projection: Σ debit and Σ credit of posted lines per key. `closing` marks 结转损益 amounts."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    period = models.CharField(max_length=7)
    partner = models.CharField(max_length=40, default="")
    department = models.CharField(max_length=40, default="")
    project = models.CharField(max_length=40, default="")
    warehouse = models.CharField(max_length=40, default="")
    cash_flow = models.CharField(max_length=10, default="")
    closing = models.BooleanField(default=False)
    debit = models.DecimalField(**AMOUNT)
    credit = models.DecimalField(**AMOUNT)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        indexes = [models.Index(fields=["period", "account"])]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period", "partner", "department", "project", "warehouse", "cash_flow", "closing"],
                name="ledger_balance_key",
            )
        ]


class OpeningBalance(models.Model):
    """期初余额 at the start of `period` (the first period kept in Sihe), per leaf account and dimensions,
    with the 本年累计 debit and credit of the months of that year before it (建账 mid-year, as 金蝶/用友
    initialise). 年初余额 = 期初 − (累计借 − 累计贷) in debit terms. For 损益类 accounts the 累计 amounts
    are the 实际发生额 (without the monthly 结转损益, which is implied and has gone to 本年利润)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="openings")
    period = models.CharField(max_length=7)
    partner = models.CharField(max_length=40, default="")
    department = models.CharField(max_length=40, default="")
    project = models.CharField(max_length=40, default="")
    warehouse = models.CharField(max_length=40, default="")
    debit = models.DecimalField(**AMOUNT)
    credit = models.DecimalField(**AMOUNT)
    ytd_debit = models.DecimalField(**AMOUNT)
    ytd_credit = models.DecimalField(**AMOUNT)
    # "" for the balances an accountant loads; "stock" for the opening stock (期初库存) the stock ledger
    # added with its counter-entry, which a re-import of the accountant's balances keeps
    source = models.CharField(max_length=20, default="", blank=True)

    class Meta:
        verbose_name = _("opening balance")
        verbose_name_plural = _("opening balances")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "partner", "department", "project", "warehouse", "source"], name="ledger_opening_key"
            )
        ]


class OpeningCashFlow(models.Model):
    """本年累计 of a 现金流量项目 for the months before the books start (建账 mid-year), so the 03表's
    本年累计金额 column covers the whole year. `amount` is in the item's direction (inflow or outflow)."""

    period = models.CharField(max_length=7)
    item = models.OneToOneField(CashFlowItem, on_delete=models.PROTECT, related_name="opening")
    amount = models.DecimalField(**AMOUNT)

    class Meta:
        verbose_name = _("opening cash flow")
        verbose_name_plural = _("opening cash flows")
        ordering = ["item__line_no"]


class PostingRule(models.Model):
    """A voucher template for one business event (业财一体化). Data an accountant edits on a page."""

    code = models.CharField(_("rule"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    word = models.CharField(max_length=2, choices=Voucher.Word.choices, default=Voucher.Word.JI)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("posting rule")
        verbose_name_plural = _("posting rules")
        ordering = ["code"]

    def __str__(self):
        return self.code


class PostingRuleLine(models.Model):
    class Side(models.TextChoices):
        DEBIT = "debit", _("debit")
        CREDIT = "credit", _("credit")

    rule = models.ForeignKey(PostingRule, on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT)
    side = models.CharField(max_length=6, choices=Side.choices)
    amount_key = models.CharField(_("amount key"), max_length=40)
    summary = models.CharField(_("summary template"), max_length=200, default="{memo}")
    # {"warehouse": "to_warehouse"}: the line's warehouse is book(dimensions=...)["to_warehouse"].
    dimension_map = models.JSONField(default=dict, blank=True)
    cash_flow_item = models.ForeignKey(CashFlowItem, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("posting rule line")
        verbose_name_plural = _("posting rule lines")
        ordering = ["rule_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["rule", "seq"], name="ledger_rule_line_seq")]


class RulesVersion(models.Model):
    """One row: a random token the database changes (triggers, migration 0010) with every write to the
    posting rules, their lines, the accounts and the cash-flow items. The posting rules read under one
    token are kept across acts until it changes; a token is never reused, so rules read in a
    transaction that was rolled back are never taken for the ones that stand."""

    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("posting rules version")
        verbose_name_plural = _("posting rules versions")
