from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "sihe.stock"
    label = "stock"
