from django.apps import AppConfig


class WebStockConfig(AppConfig):
    name = "sihe.web.stock"
    label = "web_stock"
