from django.apps import AppConfig


class WebApprovalsConfig(AppConfig):
    name = "sihe.web.approvals"
    label = "web_approvals"
