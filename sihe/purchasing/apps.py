from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "sihe.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        # The warehouse tells purchasing what it received or rejected inside the receipt's own
        # transaction (wms never imports purchasing): the PO's received qty and status change at once.
        from sihe.purchasing import services
        from sihe.wms.inbound import hooks

        hooks.register_on_received(services.record_receipt)
        hooks.register_on_rejected(services.record_rejection)
