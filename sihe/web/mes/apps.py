from django.apps import AppConfig


class WebMesConfig(AppConfig):
    name = "sihe.web.mes"
    label = "web_mes"
