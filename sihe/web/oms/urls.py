from django.urls import path

from sihe.web.oms import aftersales, merging, splitting, statements, views

app_name = "web_oms"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("bulk/", merging.bulk, name="orders_bulk"),
    path("merges/", merging.merges, name="merges"),
    path("<int:pk>/", views.order, name="order"),
    path("<int:pk>/act/<str:act>/", views.order_act, name="order_act"),
    path("<int:pk>/split/", splitting.split, name="order_split"),
    path("<int:pk>/split/<int:split_id>/undo/", splitting.split_undo, name="order_split_undo"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("intake-errors/", views.intake_errors, name="intake_errors"),
    path("intake-errors/<int:pk>/", views.intake_error, name="intake_error"),
    path("intake-errors/<int:pk>/<str:act>/", views.intake_error_act, name="intake_error_act"),
    path("mappings/", views.mappings, name="mappings"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("channels/", views.channels, name="channels"),
    path("channels/<str:code>/pull/", views.channel_pull, name="channel_pull"),
    path("ar-aging/", views.ar_aging, name="ar_aging"),
    path("statements/", statements.statement_list, name="statements"),
    path("statements/<int:pk>/", statements.statement_page, name="statement"),
    path("aftersales/", aftersales.queue, name="aftersales"),
    path("aftersales/<int:pk>/<str:action>/", aftersales.act, name="aftersales_act"),
    path("<int:pk>/aftersales/", aftersales.open_case, name="aftersales_open"),
]
