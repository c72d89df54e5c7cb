from django.apps import AppConfig


class WebAssetsConfig(AppConfig):
    name = "sihe.web.assets"
    label = "web_assets"
