from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsOutboundConfig(AppConfig):
    name = "sihe.wms.outbound"
    label = "wms_outbound"
    verbose_name = _("Outbound")

