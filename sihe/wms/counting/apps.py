from django.apps import AppConfig


class WmsCountingConfig(AppConfig):
    name = "sihe.wms.counting"
    label = "wms_counting"
