from django.urls import path

from sihe.web.oms import views

app_name = "web_oms"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("<int:pk>/", views.order, name="order"),
    path("<int:pk>/act/<str:act>/", views.order_act, name="order_act"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("intake-errors/", views.intake_errors, name="intake_errors"),
    path("intake-errors/<int:pk>/", views.intake_error, name="intake_error"),
    path("intake-errors/<int:pk>/<str:act>/", views.intake_error_act, name="intake_error_act"),
    path("mappings/", views.mappings, name="mappings"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("channels/", views.channels, name="channels"),
    path("channels/<str:code>/pull/", views.channel_pull, name="channel_pull"),
    path("ar-aging/", views.ar_aging, name="ar_aging"),
]
