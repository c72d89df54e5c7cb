"""Master data in the admin: read-only. Products, partners, warehouses, bins, channels, units and
categories change on their own pages (/products/, /units/ …) and through the API, both of which go
through the catalog services (cleaning, keys that never change, audit rows, events); a second write
path here would skip all of that. The company row is changed through `set_company`."""

from django.contrib import admin
from django.db import transaction

from sihe.catalog.models import Category, Channel, Company, Location, Partner, Product, Uom, Warehouse, Zone
from sihe.catalog.services import set_company
from sihe.core.actor import Actor
from sihe.core.admin import ReadOnlyAdmin


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """The one company row, changed through `set_company` (which checks the credit code and audits)."""

    list_display = ["name", "credit_code", "province", "city", "phone"]

    def has_add_permission(self, request):
        return not Company.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data} if change else dict(form.cleaned_data)
        with transaction.atomic():
            saved = set_company(data=data, actor=Actor.for_user(request.user, via="admin"))
        obj.pk = saved.pk


@admin.register(Uom)
class UomAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "precision"]
    search_fields = ["code", "name"]


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "name_en", "gtin", "uom", "category", "tracking", "tax_rate", "list_price", "active"]
    list_filter = ["active", "tracking", "tax_rate", "costing_method", "category", "uom"]
    search_fields = ["sku", "name", "name_en", "gtin"]
    list_select_related = ["uom", "category"]
    list_per_page = 50


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "province", "city", "district", "phone", "tax_id", "active"]
    list_filter = ["kind", "active", "province"]
    search_fields = ["code", "name", "phone", "tax_id", "contact"]


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "province", "city", "district", "latitude", "longitude", "active"]
    list_filter = ["active", "province"]
    search_fields = ["code", "name", "city"]


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "code", "name"]
    list_filter = ["warehouse"]
    search_fields = ["code", "name"]
    list_select_related = ["warehouse"]


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["code", "warehouse", "zone", "kind", "aisle", "position", "side", "level", "active"]
    list_filter = ["warehouse", "kind", "side", "active"]
    search_fields = ["code"]
    list_select_related = ["warehouse", "zone__warehouse"]
    list_per_page = 100


@admin.register(Channel)
class ChannelAdmin(ReadOnlyAdmin):
    list_display = ["code", "type", "name", "min_shelf_life_days", "active"]
    list_filter = ["type", "active"]
    search_fields = ["code", "name"]
