from django.urls import path

from sihe.web.mes import views

app_name = "web_mes"
urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board, name="board"),
    path("board.json", views.board_json, name="board_json"),
    path("alarms/", views.alarm_list, name="alarms"),
    path("alarms/<int:pk>/acknowledge/", views.alarm_acknowledge, name="alarm_acknowledge"),
    path("work-orders/", views.work_order_list, name="work_orders"),
    path("work-orders/<int:pk>/", views.work_order_page, name="work_order"),
    path("work-orders/<int:pk>/series.json", views.work_order_series, name="work_order_series"),
    path("work-orders/<int:pk>/<str:act>/", views.work_order_act, name="work_order_act"),
    path("operator/", views.operator, name="operator"),
    path("labour/", views.labour, name="labour"),
    path("oee/", views.oee_page, name="oee"),
]
