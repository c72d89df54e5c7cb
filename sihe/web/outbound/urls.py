from django.urls import path  # noqa: F401

from sihe.web.outbound import views  # noqa: F401

app_name = "web_outbound"
urlpatterns: list = []
