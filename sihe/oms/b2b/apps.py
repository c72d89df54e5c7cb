from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class B2bConfig(AppConfig):
    name = "sihe.oms.b2b"
    label = "b2b"
    verbose_name = _("B2B sales")
