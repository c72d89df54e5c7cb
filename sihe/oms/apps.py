from django.apps import AppConfig


class OmsConfig(AppConfig):
    name = "sihe.oms"
    label = "oms"
