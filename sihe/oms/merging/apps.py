from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MergingConfig(AppConfig):
    name = "sihe.oms.merging"
    label = "oms_merging"
    verbose_name = _("Merged shipments")
