from django.apps import AppConfig


class WmsConfig(AppConfig):
    name = "sihe.wms"
    label = "wms"
