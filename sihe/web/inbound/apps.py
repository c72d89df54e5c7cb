from django.apps import AppConfig


class WebInboundConfig(AppConfig):
    name = "sihe.web.inbound"
    label = "web_inbound"
