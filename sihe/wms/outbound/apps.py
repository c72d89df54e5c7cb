from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsOutboundConfig(AppConfig):
    name = "sihe.wms.outbound"
    label = "wms_outbound"
    verbose_name = _("Outbound")

    def ready(self):
        # A shipment shipped or cancelled by any path (this app's bench, the order side) settles its wave.
        from sihe.wms import shipping
        from sihe.wms.outbound import services

        shipping.register_on_shipped(services.on_shipment_closed)
        shipping.register_on_cancelled(services.on_shipment_closed)
