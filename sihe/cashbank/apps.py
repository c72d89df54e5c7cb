from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CashbankConfig(AppConfig):
    name = "sihe.cashbank"
    label = "cashbank"
    verbose_name = _("Cash and bank")

    def ready(self):
        from sihe.core import modules

        modules.register(modules.Module(
            "cashbank", _("Cash and bank"), packages=("sihe.cashbank",), web=("/cash/",),
            api=("/api/v1/cash-accounts", "/api/v1/cash-entries", "/api/v1/statement-lines"),
            description=_("cash and bank journals, receipts and payments, bank statements and reconciliation")))
