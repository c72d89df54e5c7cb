from django.urls import path

from sihe.web.stock import views

app_name = "web_stock"
urlpatterns = [
    path("", views.levels, name="levels"),
    path("moves/", views.moves, name="moves"),
    path("summary/", views.summary, name="summary"),
    path("ledger/", views.ledger, name="ledger"),
    path("low/", views.low_stock, name="low_stock"),
    path("rules/", views.rules, name="rules"),
    path("product/<str:sku>/units/", views.product_unit, name="product_unit"),
    path("product/<str:sku>/", views.product, name="product"),
    path("lot/<str:sku>/<str:number>/", views.lot, name="lot"),
]
