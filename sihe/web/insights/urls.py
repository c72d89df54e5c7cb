from django.urls import path

from sihe.web.insights import views

app_name = "web_insights"
urlpatterns = [
    path("panel/", views.panel, name="panel"),
    path("kpis/", views.kpi_list, name="kpis"),
    path("kpis/<str:code>/", views.kpi_drill, name="drill"),
]
