from django.urls import path  # noqa: F401

from sihe.web.invoices import views  # noqa: F401

app_name = "web_invoices"
urlpatterns: list = []
