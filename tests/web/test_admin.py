"""Admin pages: master-data changes leave the same audit rows and events as the services; the audit
trail and the event log are read-only."""

import pytest
from django.contrib.auth import get_user_model

from sihe.catalog.models import Product
from sihe.core.models import AuditEntry


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


def test_11_2_the_admin_is_no_second_write_path_for_master_data(admin_client_, masterdata):
    """Issue 11.2: the admin's product form edited even the SKU around the services; now products and
    every other master-data row are read-only there (they change on their pages and through the API)."""
    product = masterdata["product"]
    audit_rows = AuditEntry.objects.count()
    response = admin_client_.post(f"/admin/catalog/product/{product.pk}/change/",
                                  _product_form(product, sku="HACKED", name="改名"))
    assert response.status_code == 403
    assert admin_client_.get("/admin/catalog/product/add/").status_code == 403
    for model in ("partner", "warehouse", "location", "channel", "zone", "uom", "category"):
        assert admin_client_.get(f"/admin/catalog/{model}/add/").status_code == 403, model
    product.refresh_from_db()
    assert (product.sku, product.name) == ("MILK-1L", "全脂牛奶 1L")
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
