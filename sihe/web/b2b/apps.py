from django.apps import AppConfig


class WebB2bConfig(AppConfig):
    name = "sihe.web.b2b"
    label = "web_b2b"
