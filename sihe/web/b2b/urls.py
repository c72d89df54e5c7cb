from django.urls import path

from sihe.web.b2b import views

app_name = "web_b2b"

urlpatterns = [
    path("quotations/", views.quotations, name="quotations"),
    path("quotations/new/", views.new_quotation, name="new_quotation"),
    path("quotations/<int:pk>/", views.quotation, name="quotation"),
    path("quotations/<int:pk>/<str:action>/", views.quotation_act, name="quotation_act"),
    path("prices/", views.prices, name="prices"),
    path("receipts/", views.money, name="receipts"),
    path("statement/", views.statement, name="statement"),
]
