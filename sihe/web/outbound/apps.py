from django.apps import AppConfig


class WebOutboundConfig(AppConfig):
    name = "sihe.web.outbound"
    label = "web_outbound"
