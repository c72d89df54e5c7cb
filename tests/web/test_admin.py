"""Admin pages: master-data changes leave the same audit rows and events as the services; the audit
trail and the event log are read-only."""

import pytest
from django.contrib.auth import get_user_model

from sihe.catalog.models import Product
from sihe.core.models import AuditEntry, Event


@pytest.fixture
def admin_client_(db, client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def _product_form(product, **changes):
    data = {
        "sku": product.sku, "name": product.name, "name_en": product.name_en, "gtin": product.gtin or "",
        "uom": product.uom_id, "category": product.category_id or "", "weight": product.weight,
        "volume": product.volume, "tracking": product.tracking, "shelf_life_days": product.shelf_life_days or "",
        "tax_rate": product.tax_rate, "tax_code": product.tax_code, "tax_short_name": product.tax_short_name,
        "costing_method": product.costing_method, "list_price": product.list_price, "active": "on",
    }
    data.update(changes)
    return data


def test_admin_change_records_audit_and_event(admin_client_, masterdata):
    product = masterdata["product"]
    response = admin_client_.post(f"/admin/catalog/product/{product.pk}/change/", _product_form(product, name="脱脂牛奶 1L"))
    assert response.status_code == 302
    row = AuditEntry.objects.filter(object_type="catalog.product", action="update").get()
    assert (row.username, row.via, row.field, row.old_value, row.new_value) == (
        "root", "admin", "name", "全脂牛奶 1L", "脱脂牛奶 1L")
    event = Event.objects.filter(type="catalog.product.updated").get()
    assert event.payload == {"name": "脱脂牛奶 1L"}


def test_admin_refuses_a_bad_gtin_and_changes_nothing(admin_client_, masterdata):
    product = masterdata["product"]
    audit_rows = AuditEntry.objects.count()
    response = admin_client_.post(
        f"/admin/catalog/product/{product.pk}/change/",
        _product_form(product, gtin="6901234567893", name="改名"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "wrong GS1 check digit" in response.content.decode()
    product.refresh_from_db()
    assert (product.gtin, product.name) == ("6901234567892", "全脂牛奶 1L")
    assert AuditEntry.objects.count() == audit_rows


def test_audit_entries_and_events_are_read_only_in_admin(admin_client_, masterdata):
    entry = AuditEntry.objects.first()
    assert admin_client_.get("/admin/core/auditentry/").status_code == 200
    assert admin_client_.get("/admin/core/event/").status_code == 200
    assert admin_client_.get("/admin/core/auditentry/add/").status_code == 403
    assert admin_client_.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_lists_of_master_data(admin_client_, masterdata):
    for model in ("product", "partner", "warehouse", "location", "channel", "zone", "uom", "category", "company"):
        assert admin_client_.get(f"/admin/catalog/{model}/").status_code == 200, model
    assert admin_client_.get("/admin/catalog/product/?q=MILK").context["cl"].result_count == 1
    assert Product.objects.count() == 1
