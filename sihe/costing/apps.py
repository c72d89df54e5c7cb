from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostingConfig(AppConfig):
    name = "sihe.costing"
    label = "costing"
    verbose_name = _("Costing")

    def ready(self):
        from sihe.costing.checks import inventory_matches_ledger
        from sihe.ledger.close import register_check

        register_check("inventory_matches_ledger", _("Stock valuation matches 1405/1403 per warehouse"),
                       inventory_matches_ledger)
