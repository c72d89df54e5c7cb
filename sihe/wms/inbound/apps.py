from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsInboundConfig(AppConfig):
    name = "sihe.wms.inbound"
    label = "wms_inbound"
    verbose_name = _("Inbound")
