from django.urls import path

from sihe.web.hub import views

app_name = "web_hub"
urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("events/", views.events, name="events"),
]
