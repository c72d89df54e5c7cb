from django.apps import AppConfig


class WebOmsConfig(AppConfig):
    name = "sihe.web.oms"
    label = "web_oms"
