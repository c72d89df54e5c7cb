from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VatConfig(AppConfig):
    name = "sihe.ledger.vat"
    label = "ledger_vat"
    verbose_name = _("VAT")

    def ready(self):
        from sihe.ledger.vat import checks  # noqa: F401  (registers the month-end checks)
