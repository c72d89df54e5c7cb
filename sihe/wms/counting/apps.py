from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WmsCountingConfig(AppConfig):
    name = "sihe.wms.counting"
    label = "wms_counting"
    verbose_name = _("Counting")
