from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SplittingConfig(AppConfig):
    name = "sihe.oms.splitting"
    label = "oms_splitting"
    verbose_name = _("Split shipments")
