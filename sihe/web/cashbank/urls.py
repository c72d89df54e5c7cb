from django.urls import path

from sihe.web.cashbank import views

app_name = "web_cashbank"
urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("<str:code>/journal/", views.journal, name="journal"),
    path("<str:code>/reconcile/", views.reconcile, name="reconcile"),
]
