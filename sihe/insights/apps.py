from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "sihe.insights"
    label = "insights"
    verbose_name = "Insights"
