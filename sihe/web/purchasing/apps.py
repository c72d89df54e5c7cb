from django.apps import AppConfig


class WebPurchasingConfig(AppConfig):
    name = "sihe.web.purchasing"
    label = "web_purchasing"
