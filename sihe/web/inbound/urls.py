from django.urls import path

from sihe.web.inbound import views

app_name = "web_inbound"
urlpatterns: list = [
    path("", views.asns, name="asns"),
    path("asn/<int:asn_id>/", views.asn, name="asn"),
    path("receive/", views.receive, name="receive"),
    path("putaway/", views.putaway, name="putaway"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:inspection_id>/decide/", views.decide, name="decide"),
    path("labels/bins.pdf", views.bin_labels, name="bin_labels"),
    path("labels/lots.pdf", views.lot_labels, name="lot_labels"),
]
