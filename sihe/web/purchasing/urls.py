from django.urls import path

from sihe.web.purchasing import views

app_name = "web_purchasing"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/invoice/", views.order_invoice, name="order_invoice"),
    path("orders/<int:pk>/return/", views.order_return, name="order_return"),
    path("orders/<int:pk>/<str:act>/", views.order_act, name="order_act"),
    path("invoices/", views.invoices, name="invoices"),
    path("ap-aging/", views.ap_aging, name="ap_aging"),
]
