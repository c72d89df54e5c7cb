from django.urls import path  # noqa: F401

from sihe.web.purchasing import views  # noqa: F401

app_name = "web_purchasing"
urlpatterns: list = []
