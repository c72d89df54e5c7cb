from django.apps import AppConfig


class WebCashbankConfig(AppConfig):
    name = "sihe.web.cashbank"
    label = "web_cashbank"
