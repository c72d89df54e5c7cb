from django.urls import path

from sihe.web.outbound import views

app_name = "web_outbound"
urlpatterns = [
    path("waves/", views.waves, name="waves"),
    path("waves/<int:pk>/", views.wave, name="wave"),
    path("picklists/<int:pk>/", views.picklist, name="picklist"),
    path("pick/", views.pick, name="pick"),
    path("pick/<int:pk>/", views.pick_run, name="pick_run"),
    path("check/", views.check, name="check"),
    path("check/<int:pk>/", views.check_run, name="check_run"),
]
