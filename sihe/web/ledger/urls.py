from django.urls import path

from sihe.web.ledger import chart_page, opening_form, vat_views, views

app_name = "web_ledger"
urlpatterns = [
    path("", views.vouchers, name="vouchers"),
    path("vouchers/new/", views.voucher_new, name="voucher_new"),
    path("vouchers/<int:pk>/", views.voucher, name="voucher"),
    path("vouchers/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("vouchers/<int:pk>/pdf/", vat_views.voucher_pdf_page, name="voucher_pdf"),
    path("vouchers/pdf/", vat_views.vouchers_pdf_page, name="vouchers_pdf"),
    path("vat/<str:act>/", vat_views.vat_act, name="vat_act"),
    path("tax-profile/", vat_views.tax_profile_page, name="tax_profile"),
    path("vouchers/<int:pk>/<str:act>/", views.voucher_act, name="voucher_act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("trial-balance/", views.trial_balance, name="trial_balance"),
    path("statements/", views.statements_page, name="statements"),
    path("close/", views.close_page, name="close"),
    path("ledgers/", views.ledgers, name="ledgers"),
    path("rules/", views.rules_page, name="rules"),
    path("opening/", views.opening_page, name="opening"),
    path("opening/enter/", opening_form.opening_form, name="opening_form"),
    path("accounts/", chart_page.chart, name="chart"),
]
