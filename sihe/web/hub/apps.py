from django.apps import AppConfig


class WebHubConfig(AppConfig):
    name = "sihe.web.hub"
    label = "web_hub"
