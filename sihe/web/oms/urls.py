from django.urls import path  # noqa: F401

from sihe.web.oms import views  # noqa: F401

app_name = "web_oms"
urlpatterns: list = []
