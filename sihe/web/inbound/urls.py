from django.urls import path  # noqa: F401

from sihe.web.inbound import views  # noqa: F401

app_name = "web_inbound"
urlpatterns: list = []
