from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "sihe.hub"
    label = "hub"
    verbose_name = "数据中台 Hub"
