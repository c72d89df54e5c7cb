from django.urls import path

from sihe.web.imports import views

app_name = "web_imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/progress", views.progress, name="progress"),
]
