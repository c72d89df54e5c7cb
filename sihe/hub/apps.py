from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "sihe.hub"
    label = "hub"
    verbose_name = _("Integration hub")

    def ready(self):
        # The explicit table of in-process handlers (see sihe/hub/wiring.py).
        from sihe.hub import wiring  # noqa: F401
