from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsConfig(AppConfig):
    name = "sihe.wms"
    label = "wms"
    verbose_name = _("Shipping")
