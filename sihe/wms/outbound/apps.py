from django.apps import AppConfig


class WmsOutboundConfig(AppConfig):
    name = "sihe.wms.outbound"
    label = "wms_outbound"

    def ready(self):
        # A shipment shipped or cancelled by any path (this app's bench, the order side) settles its wave.
        from sihe.wms import shipping
        from sihe.wms.outbound import services

        shipping.register_on_shipped(services.on_shipment_closed)
        shipping.register_on_cancelled(services.on_shipment_closed)
