from django.urls import path  # noqa: F401

app_name = "web_hub"
urlpatterns: list = []
