from django.apps import AppConfig


class WebImportsConfig(AppConfig):
    name = "sihe.web.imports"
    label = "web_imports"
