from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostingConfig(AppConfig):
    name = "sihe.costing"
    label = "costing"
    verbose_name = _("Costing")
