from django.apps import AppConfig


class WebInsightsConfig(AppConfig):
    name = "sihe.web.insights"
    label = "web_insights"
