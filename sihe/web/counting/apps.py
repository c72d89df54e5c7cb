from django.apps import AppConfig


class WebCountingConfig(AppConfig):
    name = "sihe.web.counting"
    label = "web_counting"
