from django.apps import AppConfig


class WmsOutboundConfig(AppConfig):
    name = "sihe.wms.outbound"
    label = "wms_outbound"
