from django.urls import path

from sihe.web.assets import views

app_name = "web_assets"
urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.acquire, name="new"),
    path("categories/", views.categories, name="categories"),
    path("depreciation/", views.depreciation, name="depreciation"),
    path("<str:code>/", views.card, name="card"),
]
