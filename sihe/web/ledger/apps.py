from django.apps import AppConfig


class WebLedgerConfig(AppConfig):
    name = "sihe.web.ledger"
    label = "web_ledger"
