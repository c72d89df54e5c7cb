"""Pages of the web shell: who may see what, master-data forms through the services, tokens, audit."""

import pytest
from django.urls import reverse

from sihe.catalog.models import Product
from sihe.core.models import AuditEntry, Event
from sihe.core.roles import ROLES
from sihe.hub.models import ApiToken
from sihe.hub.tokens import authenticate

ALL = list(ROLES)


# -- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/products/", "/audit/", "/tokens/", "/partners/", "/products/new/"])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("role", ALL)
def test_every_role_gets_its_home_page(client_as, role):
    response = client_as(role).get("/")
    assert response.status_code == 200


PAGES = {
    # url name (args) -> roles that get 200; every other role gets 403
    "web:products": {"manager", "warehouse", "shopfloor", "service", "accountant", "admin"},
    "web:partners": {"manager", "warehouse", "shopfloor", "service", "accountant", "admin"},
    "web:warehouses": {"manager", "warehouse", "shopfloor", "service", "accountant", "admin"},
    "web:locations": {"manager", "warehouse", "shopfloor", "service", "accountant", "admin"},
    "web:channels": {"manager", "warehouse", "shopfloor", "service", "accountant", "admin"},
    "web:products_new": {"manager", "admin"},
    "web:partners_new": {"manager", "admin"},
    "web:audit": {"manager", "accountant", "admin"},
    "web:tokens": {"manager", "warehouse", "shopfloor", "service", "accountant", "admin"},
}


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_permissions(client_as, masterdata, role, name):
    response = client_as(role).get(reverse(name))
    assert response.status_code == (200 if role in PAGES[name] else 403)


@pytest.mark.parametrize("role", ALL)
def test_product_detail_and_edit_permissions(client_as, masterdata, role):
    client = client_as(role)
    pk = masterdata["product"].pk
    assert client.get(reverse("web:products_detail", args=[pk])).status_code == 200
    assert client.get(reverse("web:products_edit", args=[pk])).status_code == (200 if role in {"manager", "admin"} else 403)


def test_service_cannot_post_a_product_edit(client_as, masterdata):
    # given a customer-service user
    client = client_as("service")
    product = masterdata["product"]
    audit_rows = AuditEntry.objects.count()
    # when they post the edit form anyway
    response = client.post(reverse("web:products_edit", args=[product.pk]), {"name": "改掉", "uom": "BTL"})
    # then 403 and nothing changed
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "全脂牛奶 1L"
    assert AuditEntry.objects.count() == audit_rows


def test_warehouse_gets_403_on_audit_with_the_reason(client_as, db):
    response = client_as("warehouse", language="en").get("/audit/")
    assert response.status_code == 403
    assert "audit.view" in response.content.decode()


# -- home figures ----------------------------------------------------------------------------------


def test_admin_home_shows_real_counts_and_chart_data(client_as, masterdata):
    # the roles with a page of their own (manager, service, warehouse, accountant, shop floor) get it at `/`
    # (tests/insights/test_home_pages.py); the administrator keeps the master-data counts
    response = client_as("admin", language="en").get("/")
    figures = {f["label"]: f["value"] for f in response.context["figures"]}
    assert figures == {
        "Products": 1, "Customers": 1, "Suppliers": 0, "Warehouses": 1, "Bins": 1, "Sales channels": 1,
        "Events today": 6,  # the category, product, partner, warehouse, location and channel created
    }
    charts = response.context["charts"]
    assert charts["categories"] == {"labels": ["乳制品"], "values": [1]}
    assert charts["events"]["values"][-1] == 6
    assert sum(charts["events"]["values"]) == 6
    assert b"echarts-5.6.0.min.js" in response.content


def test_warehouse_home_is_the_floor_without_money(client_as, masterdata):
    response = client_as("warehouse", language="en").get("/")
    assert response.context["role"] == "warehouse"
    assert "figures" not in response.context and "charts" not in response.context
    assert b'data-section="waves"' in response.content and b"echarts" not in response.content
    assert [t["code"] for t in response.context["tiles"]] == ["picking_rate", "walking_saved", "on_time_shipment"]


def test_navigation_follows_the_role(client_as, db):
    manager = client_as("manager", language="en").get("/").content.decode()
    warehouse = client_as("warehouse", language="en").get("/").content.decode()
    admin = client_as("admin", language="en").get("/").content.decode()
    assert 'data-nav="web:audit"' in manager
    assert 'data-nav="web:audit"' not in warehouse
    assert 'data-nav="web:products"' in warehouse
    assert 'data-nav="admin:index"' in admin
    assert 'data-nav="admin:index"' not in manager


# -- master data pages -----------------------------------------------------------------------------


def test_product_list_searches_and_paginates(client_as, masterdata, actor):
    from django.db import transaction

    from sihe.catalog import services

    with transaction.atomic():
        for i in range(60):
            services.create_product(data={"sku": f"TEA-{i:03d}", "name": f"绿茶 {i}", "uom": "PCS"}, actor=actor)
    client = client_as("warehouse")
    first = client.get("/products/")
    assert first.context["page"].paginator.count == 61
    assert len(first.context["rows"]) == 50
    second = client.get("/products/?page=2")
    assert len(second.context["rows"]) == 11
    found = client.get("/products/?q=milk")
    assert [row["obj"].sku for row in found.context["rows"]] == ["MILK-1L"]


def test_product_detail_shows_all_fields_and_the_audit_trail(client_as, masterdata):
    # given a manager who changes the product's name through the page
    client = client_as("manager", language="en")
    product = masterdata["product"]
    form = client.get(reverse("web:products_edit", args=[product.pk])).context["fields"]
    data = {f["name"]: f["value"] for f in form if f["type"] != "checkbox"}
    data.update(name="全脂牛奶 1升", active="on")
    response = client.post(reverse("web:products_edit", args=[product.pk]), data)
    assert response.status_code == 302
    # when the detail page is read
    page = client.get(response["Location"])
    html = page.content.decode()
    # then all fields and exactly one update row: who, field, old -> new
    assert "6901234567892" in html and "¥12.50" in html and "9%" in html and "lot + expiry" in html
    updates = [row for row in page.context["history"] if row["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["entry"].username == "manager_web"
    assert updates[0]["field"] == "name (Chinese)"
    assert (updates[0]["entry"].old_value, updates[0]["entry"].new_value) == ("全脂牛奶 1L", "全脂牛奶 1升")
    assert Event.objects.filter(type="catalog.product.updated").count() == 1


def test_bad_gtin_on_the_edit_form_names_the_field_and_stores_nothing(client_as, masterdata):
    client = client_as("manager", language="en")
    product = masterdata["product"]
    audit_rows, events = AuditEntry.objects.count(), Event.objects.count()
    response = client.post(
        reverse("web:products_edit", args=[product.pk]),
        {"sku": "MILK-1L", "name": "改名", "uom": "BTL", "gtin": "6901234567893", "tracking": "lot_expiry",
         "shelf_life_days": "21", "tax_rate": "0.09"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-field-error="gtin">wrong GS1 check digit<' in html
    product.refresh_from_db()
    assert (product.gtin, product.name) == ("6901234567892", "全脂牛奶 1L")
    assert (AuditEntry.objects.count(), Event.objects.count()) == (audit_rows, events)


def test_bad_gtin_error_is_in_chinese_by_default(client_as, masterdata):
    response = client_as("manager").post(
        reverse("web:products_new"), {"sku": "X1", "name": "新品", "uom": "PCS", "gtin": "6901234567893"}
    )
    assert response.status_code == 422
    assert 'data-field-error="gtin">GS1 校验位错误<' in response.content.decode()
    assert not Product.objects.filter(sku="X1").exists()


def test_create_product_through_the_form(client_as, db):
    response = client_as("manager").post(
        reverse("web:products_new"),
        {"sku": "RICE-5KG", "name": "东北大米 5kg", "uom": "BAG", "weight": "5.000", "tax_rate": "0.09",
         "tracking": "lot", "list_price": "49.90", "active": "on"},
    )
    product = Product.objects.get(sku="RICE-5KG")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:products_detail", args=[product.pk])
    assert (str(product.weight), str(product.tax_rate), str(product.list_price), product.uom.code) == (
        "5.000", "0.09", "49.9000", "BAG")
    assert AuditEntry.objects.filter(object_type="catalog.product", action="create").count() == 8


def test_duplicate_partner_code_is_refused_on_the_form(client_as, masterdata):
    response = client_as("manager", language="en").post(
        reverse("web:partners_new"), {"code": "C001", "name": "另一家", "kind": "customer"}
    )
    assert response.status_code == 409
    assert 'data-field-error="code"' in response.content.decode()
    assert masterdata["partner"].__class__.objects.count() == 1


@pytest.mark.parametrize("kind", ["partners", "warehouses", "locations", "channels"])
def test_other_master_data_detail_pages_show_their_audit_trail(client_as, masterdata, kind):
    obj = masterdata[kind.rstrip("s")]
    response = client_as("accountant", language="en").get(reverse(f"web:{kind}_detail", args=[obj.pk]))
    assert response.status_code == 200
    assert len(response.context["history"]) >= 2
    assert {row["action"] for row in response.context["history"]} == {"create"}


def test_location_list_filters_by_warehouse(client_as, masterdata):
    client = client_as("warehouse")
    assert client.get("/locations/?warehouse=SH").context["page"].paginator.count == 2  # the bin and the dock
    assert client.get("/locations/?warehouse=GZ").context["page"].paginator.count == 0


# -- audit page ------------------------------------------------------------------------------------


def test_audit_page_filters(client_as, masterdata):
    client = client_as("manager", language="en")
    all_rows = client.get("/audit/").context["page"].paginator.count
    assert all_rows == AuditEntry.objects.count()
    products = client.get("/audit/?object_type=catalog.product").context["page"].paginator.count
    assert products == AuditEntry.objects.filter(object_type="catalog.product").count() == 11
    assert client.get("/audit/?user=nobody").context["page"].paginator.count == 0


def test_audit_page_refuses_a_bad_date_naming_the_field(client_as, db):
    response = client_as("manager", language="en").get("/audit/?since=24.11.2026")
    assert response.status_code == 400
    assert 'data-field-error="since"' in response.content.decode()


# -- tokens ----------------------------------------------------------------------------------------


def test_create_and_revoke_a_token_through_the_page(client_as):
    client = client_as("warehouse", language="en")
    # when a token is created
    response = client.post("/tokens/", {"name": "PDA sync"})
    assert response.status_code == 201
    token = response.context["new_token"]
    assert token.startswith("sihe_") and token in response.content.decode()
    row = ApiToken.objects.get()
    assert (row.name, row.user.username, row.prefix) == ("PDA sync", "warehouse_web", token[:12])
    assert authenticate(token) == client.user
    # then the list never shows it again
    listing = client.get("/tokens/").content.decode()
    assert token not in listing and row.prefix in listing
    # when it is revoked
    assert client.post(f"/tokens/{row.pk}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert authenticate(token) is None
    assert AuditEntry.objects.filter(action="token.revoke", object_id=str(row.pk)).count() == 1


def test_a_user_cannot_revoke_someone_elses_token(client_as, make_user, actor):
    from sihe.hub.tokens import create_token

    other = make_user("manager", username="boss")
    row, _ = create_token(user=other, name="boss", actor=actor)
    client = client_as("service", language="en")
    assert str(row.prefix) not in client.get("/tokens/").content.decode()
    response = client.post(f"/tokens/{row.pk}/revoke/")
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.revoked_at is None


def test_admin_sees_all_tokens(client_as, make_user, actor):
    from sihe.hub.tokens import create_token

    create_token(user=make_user("manager", username="boss"), name="boss", actor=actor)
    response = client_as("admin").get("/tokens/")
    assert [t.user.username for t in response.context["tokens"]] == ["boss"]


# -- language --------------------------------------------------------------------------------------


def test_chinese_by_default_and_english_after_switching(client_as, masterdata):
    client = client_as("manager")
    assert "商品" in client.get("/products/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/products/"})
    assert response.status_code == 302
    html = client.get("/products/").content.decode()
    assert "Products" in html and "商品" not in html


def test_cny_and_date_filters():
    from datetime import UTC, datetime
    from decimal import Decimal

    from sihe.web.templatetags.sihe import cndate, cndatetime, cny

    assert cny(Decimal("1234.565")) == "¥1,234.57"
    assert cny("-5") == "-¥5.00"
    assert cny(None) == ""
    # 2026-11-24 17:30 UTC is already the 25th in Shanghai
    moment = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    assert cndate(moment) == "2026-11-25"
    assert cndatetime(moment) == "2026-11-25 01:30"


def test_two_products_without_gtin_through_the_full_form(client_as, db):
    # given the form as a browser posts it: every field, blanks included
    client = client_as("manager", language="en")
    blank = {f["name"]: "" for f in client.get(reverse("web:products_new")).context["fields"] if f["type"] != "checkbox"}
    for sku in ("SOAP-1", "SOAP-2"):
        response = client.post(reverse("web:products_new"), {**blank, "sku": sku, "name": "香皂", "uom": "PCS",
                                                             "tracking": "none", "costing_method": "moving_average"})
        assert response.status_code == 302
    # then both exist, neither has a GTIN
    assert list(Product.objects.filter(sku__startswith="SOAP").values_list("gtin", flat=True)) == [None, None]


@pytest.mark.parametrize("kind", ["products", "partners", "warehouses", "locations", "channels"])
def test_list_pages_do_not_query_per_row(client_as, masterdata, actor, kind):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from sihe.catalog import services

    client = client_as("manager")
    client.get(f"/{kind}/")  # warm the session and the role cache
    with CaptureQueriesContext(connection) as one_row:
        client.get(f"/{kind}/")
    with transaction.atomic():
        for i in range(20):
            services.create_category(data={"code": f"C{i}", "name": f"类 {i}"}, actor=actor)
            services.create_product(data={"sku": f"P{i}", "name": f"品 {i}", "uom": "PCS", "category": f"C{i}"}, actor=actor)
            services.create_partner(data={"code": f"S{i}", "name": f"供 {i}", "kind": "supplier"}, actor=actor)
            services.create_warehouse(data={"code": f"W{i}", "name": f"仓 {i}"}, actor=actor)
            services.create_location(data={"code": f"B-01-{i + 1:02d}-01", "warehouse": f"W{i}"}, actor=actor)
            services.create_channel(data={"code": f"CH{i}", "type": "pos", "name": f"门店 {i}"}, actor=actor)
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(f"/{kind}/")
    assert len(response.context["rows"]) == (42 if kind == "locations" else 21)  # each warehouse has its dock
    assert len(many_rows) == len(one_row)
