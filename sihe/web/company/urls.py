from django.urls import path

from sihe.web.company import views

app_name = "web_company"

urlpatterns = [
    path("modules/", views.modules_page, name="modules"),
]
