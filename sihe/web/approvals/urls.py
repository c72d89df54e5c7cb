from django.urls import path

from sihe.web.approvals import views

app_name = "web_approvals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("reopen/", views.request_reopen, name="request_reopen"),
    path("<str:kind>/<str:pk>/<str:action>/", views.decide, name="decide"),
]
