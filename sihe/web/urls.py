from django.contrib.auth import views as auth_views
from django.urls import include, path

from sihe.web import views

# The shell's own pages live in the "web" namespace (web:products, web:tokens, web:audit, ...);
# login, logout, home and ping keep their plain names, the wings keep their own namespaces.
MASTER_DATA = ("products", "partners", "warehouses", "locations", "channels", "units", "categories")

web_patterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_list, name="audit"),
]
for _kind in MASTER_DATA:
    web_patterns += [
        path(f"{_kind}/", views.md_list, {"kind": _kind}, name=_kind),
        path(f"{_kind}/new/", views.md_create, {"kind": _kind}, name=f"{_kind}_new"),
        path(f"{_kind}/<int:pk>/", views.md_detail, {"kind": _kind}, name=f"{_kind}_detail"),
        path(f"{_kind}/<int:pk>/edit/", views.md_edit, {"kind": _kind}, name=f"{_kind}_edit"),
    ]
web_patterns.append(path("products/new/", views.md_create, {"kind": "products"}, name="product_new"))

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("ping", views.ping, name="ping"),
    path("", include((web_patterns, "web"))),
    path("hub/", include("sihe.web.hub.urls")),
    path("imports/", include("sihe.web.imports.urls")),
    path("stock/", include("sihe.web.stock.urls")),
    path("ledger/", include("sihe.web.ledger.urls")),
    path("assets/", include("sihe.web.assets.urls")),
    path("cash/", include("sihe.web.cashbank.urls")),
    path("orders/", include("sihe.web.oms.urls")),
    path("invoices/", include("sihe.web.invoices.urls")),
    path("purchasing/", include("sihe.web.purchasing.urls")),
    path("inbound/", include("sihe.web.inbound.urls")),
    path("outbound/", include("sihe.web.outbound.urls")),
    path("counting/", include("sihe.web.counting.urls")),
    path("production/", include("sihe.web.production.urls")),
    path("mes/", include("sihe.web.mes.urls")),
    path("b2b/", include("sihe.web.b2b.urls")),
    path("home/", include("sihe.web.insights.urls")),
    path("approvals/", include("sihe.web.approvals.urls")),
    path("settings/", include("sihe.web.company.urls")),
]
