"""What the ledger's reviewers decide besides the voucher itself: a period reopen asked by one person and
granted by another, and a draft voucher sent back to its maker with a note."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReopenRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("reopen request", "pending")
        APPROVED = "approved", pgettext_lazy("reopen request", "approved")
        REFUSED = "refused", pgettext_lazy("reopen request", "refused")

    period = models.CharField(_("period"), max_length=7)
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.CharField(_("requested by"), max_length=150)
    requested_by_id = models.BigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.CharField(pgettext_lazy("reopen request", "decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(pgettext_lazy("reopen request", "decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("period reopen request")
        verbose_name_plural = _("period reopen requests")
        ordering = ["requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["period"], condition=models.Q(status="pending"),
                                               name="ledger_one_pending_reopen_per_period")]

    def __str__(self):
        return f"{self.period} ({self.status})"


class VoucherReturn(models.Model):
    """A reviewer sent a draft voucher back: it leaves the review queue until its maker changes it."""

    voucher_id = models.BigIntegerField(db_index=True)
    note = models.CharField(_("note"), max_length=300)
    returned_by = models.CharField(_("returned by"), max_length=150)
    returned_at = models.DateTimeField(_("returned at"))

    class Meta:
        verbose_name = _("returned voucher")
        verbose_name_plural = _("returned vouchers")
        ordering = ["-returned_at", "-id"]

    def __str__(self):
        return f"voucher {self.voucher_id}: {self.note}"
