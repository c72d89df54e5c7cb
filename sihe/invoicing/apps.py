from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "sihe.invoicing"
    label = "invoicing"
