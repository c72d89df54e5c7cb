from django.urls import path

from sihe.web.invoices import views

app_name = "web_invoices"
urlpatterns = [
    path("", views.invoice_list, name="list"),
    path("new/", views.invoice_new, name="new"),
    path("<int:pk>/", views.invoice_detail, name="detail"),
    path("<int:pk>/xml/", views.invoice_file, {"fmt": "xml"}, name="xml"),
    path("<int:pk>/pdf/", views.invoice_file, {"fmt": "pdf"}, name="pdf"),
    path("<int:pk>/red/", views.invoice_red, name="red"),
]
