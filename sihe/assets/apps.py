from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "sihe.assets"
    label = "assets"
    verbose_name = _("Fixed assets")

    def ready(self):
        from sihe.core import modules

        modules.register(modules.Module(
            "assets", _("Fixed assets"), packages=("sihe.assets",), web=("/assets/",),
            api=("/api/v1/assets", "/api/v1/asset-categories", "/api/v1/depreciation-runs"),
            description=_("asset cards, monthly depreciation by department, disposal, the register")))
