from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "sihe.purchasing"
    label = "purchasing"
