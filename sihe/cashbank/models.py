"""出纳: a cash box or bank account mapped to its ledger account (1001 库存现金, 1002 银行存款 or one of its
sub-accounts per bank account), the receipts and payments a cashier enters, imported bank statements and
the matches between statement lines and the journal's voucher lines."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CashAccount(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", pgettext_lazy("cash account", "cash")
        BANK = "bank", pgettext_lazy("cash account", "bank")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    bank = models.CharField(_("bank layout"), max_length=10, blank=True)  # a key of sihe.cashbank.layouts.LAYOUTS
    account_no = models.CharField(_("account number"), max_length=40, blank=True)
    ledger_account = models.CharField(_("ledger account"), max_length=40, unique=True)
    reconcile_from = models.DateField(_("reconcile from"), null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("cash or bank account")

    def __str__(self):
        return f"{self.code} {self.name}"


class Entry(models.Model):
    """A receipt, payment or transfer entered by the cashier; its voucher is posted with it."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", pgettext_lazy("cash entry", "receipt")
        PAYMENT = "payment", pgettext_lazy("cash entry", "payment")
        TRANSFER = "transfer", pgettext_lazy("cash entry", "transfer")

    number = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField()
    account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="entries")
    to_account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    counter_account = models.CharField(max_length=40, blank=True)
    partner = models.CharField(max_length=40, blank=True)
    department = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    summary = models.CharField(max_length=200)
    reference = models.CharField(max_length=60, blank=True)
    voucher_id = models.IntegerField()
    entered_by = models.CharField(max_length=150)
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("cash or bank entry")
        verbose_name_plural = _("cash or bank entries")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="cashbank_entry_positive")]


class Statement(models.Model):
    """One imported file (对账单); the same file twice is refused by its digest."""

    account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="statements")
    layout = models.CharField(max_length=10)
    file_name = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    date_from = models.DateField(null=True)
    date_to = models.DateField(null=True)
    lines_read = models.PositiveIntegerField(default=0)
    lines_skipped = models.PositiveIntegerField(default=0)
    imported_by = models.CharField(max_length=150)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        constraints = [models.UniqueConstraint(fields=["account", "digest"], name="cashbank_statement_once")]


class StatementLine(models.Model):
    """One line as the bank printed it: money in (收入/贷方) or out (支出/借方), never both."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(CashAccount, on_delete=models.PROTECT, related_name="statement_lines")
    seq = models.PositiveIntegerField()
    date = models.DateField()
    amount_in = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    amount_out = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    balance = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    reference = models.CharField(max_length=60, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    counterparty = models.CharField(max_length=100, blank=True)
    counterparty_account = models.CharField(max_length=40, blank=True)
    fingerprint = models.CharField(max_length=64)
    voucher_line_id = models.IntegerField(null=True, blank=True)
    match_kind = models.CharField(max_length=10, blank=True)  # auto | manual
    matched_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["date", "statement_id", "seq"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        constraints = [
            models.UniqueConstraint(fields=["account", "fingerprint"], name="cashbank_statement_line_once"),
            models.UniqueConstraint(fields=["voucher_line_id"], condition=Q(voucher_line_id__isnull=False),
                                    name="cashbank_voucher_line_matched_once"),
        ]
