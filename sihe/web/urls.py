from django.contrib.auth import views as auth_views
from django.urls import include, path

from sihe.web import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("ping", views.ping, name="ping"),
    path("hub/", include("sihe.web.hub.urls")),
    path("imports/", include("sihe.web.imports.urls")),
    path("stock/", include("sihe.web.stock.urls")),
    path("ledger/", include("sihe.web.ledger.urls")),
]
