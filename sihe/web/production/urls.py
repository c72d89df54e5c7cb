from django.urls import path

from sihe.web.production import planning, views

app_name = "web_production"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/<str:act>/", views.order_act, name="order_act"),
    path("boms/", views.bom_list, name="boms"),
    path("issue/", views.issue_pick, name="issue"),
    path("issue/<int:pk>/", views.issue_scan, name="issue_scan"),
    path("mrp/", planning.run_list, name="mrp"),
    path("mrp/<int:pk>/", planning.run_detail, name="mrp_run"),
    path("mrp/proposals/<int:pk>/confirm/", planning.confirm, name="mrp_confirm"),
]
