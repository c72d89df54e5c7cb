from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MesConfig(AppConfig):
    name = "sihe.mes"
    label = "mes"
    verbose_name = _("Shop floor")
