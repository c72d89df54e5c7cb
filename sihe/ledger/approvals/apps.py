from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerApprovalsConfig(AppConfig):
    name = "sihe.ledger.approvals"
    label = "ledger_approvals"
    verbose_name = _("Ledger approvals")
