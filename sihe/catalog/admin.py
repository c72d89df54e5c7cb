"""Admin pages of master data. Every admin change writes the same audit rows and events as the services."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sihe.catalog.models import (
    TAX_RATES,
    Category,
    Channel,
    Company,
    Location,
    Partner,
    Product,
    Uom,
    Warehouse,
    Zone,
)
from sihe.catalog.services import cleaned_payload
from sihe.catalog.validation import check_gtin
from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.outbox import emit

EVENT_KEYS = {Product: "sku", Partner: "code", Warehouse: "code", Location: "code", Channel: "code"}


class AuditedAdmin(admin.ModelAdmin):
    """Records who changed which field from what to what, in the admin's own transaction."""

    def save_model(self, request, obj, form, change):
        actor = Actor.for_user(request.user, via="admin")
        fields = list(form.changed_data)
        with transaction.atomic():
            if change:
                before = audit.snapshot(type(obj).objects.get(pk=obj.pk), fields)
                super().save_model(request, obj, form, change)
                changed = audit.record_changes(obj, actor=actor, before=before)
            else:
                super().save_model(request, obj, form, change)
                audit.record_created(obj, actor=actor, fields=fields)
                changed = len(fields) or 1
            key = EVENT_KEYS.get(type(obj))
            if key and changed:
                emit(
                    f"catalog.{obj._meta.model_name}.{'updated' if change else 'created'}",
                    aggregate_type=obj._meta.model_name,
                    aggregate_id=getattr(obj, key),
                    payload=cleaned_payload({name: getattr(obj, name) for name in fields}),
                    actor=actor,
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record_act(obj, actor=Actor.for_user(request.user, via="admin"), action="delete", detail=str(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        actor = Actor.for_user(request.user, via="admin")
        with transaction.atomic():
            for obj in queryset:
                audit.record_act(obj, actor=actor, action="delete", detail=str(obj))
            super().delete_queryset(request, queryset)


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = "__all__"

    def clean_gtin(self):
        gtin = (self.cleaned_data.get("gtin") or "").strip()
        if not gtin:
            return None
        reason = check_gtin(gtin)
        if reason:
            raise forms.ValidationError(reason)
        return gtin

    def clean_tax_rate(self):
        rate = self.cleaned_data.get("tax_rate")
        if rate is not None and rate not in TAX_RATES:
            raise forms.ValidationError(
                _("must be one of %(rates)s") % {"rates": ", ".join(str(r) for r in TAX_RATES)}
            )
        return rate

    def clean_tax_code(self):
        code = (self.cleaned_data.get("tax_code") or "").strip()
        if code and not (code.isdigit() and len(code) == 19):
            raise forms.ValidationError(_("a tax classification code has 19 digits"))
        return code


@admin.register(Company)
class CompanyAdmin(AuditedAdmin):
    list_display = ["name", "credit_code", "province", "city", "phone"]


@admin.register(Uom)
class UomAdmin(AuditedAdmin):
    list_display = ["code", "name", "precision"]
    search_fields = ["code", "name"]


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    form = ProductForm
    list_display = ["sku", "name", "name_en", "gtin", "uom", "category", "tracking", "tax_rate", "list_price", "active"]
    list_filter = ["active", "tracking", "tax_rate", "costing_method", "category", "uom"]
    search_fields = ["sku", "name", "name_en", "gtin"]
    list_select_related = ["uom", "category"]
    list_per_page = 50


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "province", "city", "district", "phone", "tax_id", "active"]
    list_filter = ["kind", "active", "province"]
    search_fields = ["code", "name", "phone", "tax_id", "contact"]


@admin.register(Warehouse)
class WarehouseAdmin(AuditedAdmin):
    list_display = ["code", "name", "province", "city", "district", "latitude", "longitude", "active"]
    list_filter = ["active", "province"]
    search_fields = ["code", "name", "city"]


@admin.register(Zone)
class ZoneAdmin(AuditedAdmin):
    list_display = ["warehouse", "code", "name"]
    list_filter = ["warehouse"]
    search_fields = ["code", "name"]
    list_select_related = ["warehouse"]


@admin.register(Location)
class LocationAdmin(AuditedAdmin):
    list_display = ["code", "warehouse", "zone", "kind", "aisle", "position", "side", "level", "active"]
    list_filter = ["warehouse", "kind", "side", "active"]
    search_fields = ["code"]
    list_select_related = ["warehouse", "zone__warehouse"]
    list_per_page = 100


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    list_display = ["code", "type", "name", "min_shelf_life_days", "active"]
    list_filter = ["type", "active"]
    search_fields = ["code", "name"]
