from django.apps import AppConfig


class CostingConfig(AppConfig):
    name = "sihe.costing"
    label = "costing"
