from django.urls import path  # noqa: F401

from sihe.web.counting import views  # noqa: F401

app_name = "web_counting"
urlpatterns: list = []
