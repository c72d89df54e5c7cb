from django.urls import path

from sihe.web.counting import views

app_name = "web_counting"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("<int:pk>/", views.task, name="task"),
    path("count/", views.count, name="count"),
    path("count/<int:pk>/", views.count_task, name="count_task"),
    path("trace/", views.trace, name="trace"),
]
