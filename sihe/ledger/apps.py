from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "sihe.ledger"
    label = "ledger"
