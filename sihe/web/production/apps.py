from django.apps import AppConfig


class WebProductionConfig(AppConfig):
    name = "sihe.web.production"
    label = "web_production"
