from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sihe.web"
    label = "web"
