from django.apps import AppConfig


class WebCompanyConfig(AppConfig):
    name = "sihe.web.company"
    label = "web_company"
