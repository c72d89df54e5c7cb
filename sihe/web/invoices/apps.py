from django.apps import AppConfig


class WebInvoicesConfig(AppConfig):
    name = "sihe.web.invoices"
    label = "web_invoices"
