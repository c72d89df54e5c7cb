from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "sihe.hub"
    label = "hub"
    verbose_name = "数据中台 Hub"

    def ready(self):
        # The explicit table of in-process handlers (see sihe/hub/wiring.py).
        from sihe.hub import wiring  # noqa: F401
