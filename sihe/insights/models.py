"""The KPIs' daily summary of the general ledger (issue 19: a year of 4 million voucher lines answers in
under a second). One row per (voucher date, account, channel, warehouse, product group) of the posted lines
on revenue (5001…) and cost-of-sales (5401…) accounts, with the keys the KPIs group by:

- revenue: the channel of the voucher's source order, the warehouse of its first shipment, and the order's
  product groups — a revenue line is shared out over the order's lines by sale amount (a piece per group);
- cost of sales: the warehouse and product group of the voucher's stock move, the channel of the order whose
  shipment the move went out on.

0 stands for "none" (a voucher of another source). It is a projection, never a source: kept at posting in the
act's transaction (`sihe.insights.summary`, registered with the ledger's balances), and `sihe kpis rebuild`
recomputes it from the voucher lines; `sihe kpis check` and the tests compare the two.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sihe.ledger.models import Account

SUMMARY_AMOUNT = {"max_digits": 24, "decimal_places": 8, "default": 0}  # shares of a line keep 8 places


class LedgerDay(models.Model):
    date = models.DateField(_("date"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    channel = models.BigIntegerField(_("channel"), default=0)
    warehouse = models.BigIntegerField(_("warehouse"), default=0)
    category = models.BigIntegerField(_("product group"), default=0)
    debit = models.DecimalField(_("debit"), **SUMMARY_AMOUNT)
    credit = models.DecimalField(_("credit"), **SUMMARY_AMOUNT)

    class Meta:
        verbose_name = _("KPI ledger summary by day")
        verbose_name_plural = _("KPI ledger summaries by day")
        constraints = [models.UniqueConstraint(fields=["date", "account", "channel", "warehouse", "category"],
                                               name="insights_ledgerday_key")]

    def __str__(self):
        return f"{self.date} {self.account_id} {self.channel}/{self.warehouse}/{self.category}"
