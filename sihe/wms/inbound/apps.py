from django.apps import AppConfig


class WmsInboundConfig(AppConfig):
    name = "sihe.wms.inbound"
    label = "wms_inbound"
