"""Admin of inbound master data (inspection and putaway rules, through the audited services) and a
read-only view of expected receipts and inspections (they change only through their acts)."""

from django.contrib import admin
from django.db import transaction

from sihe.core.actor import Actor
from sihe.wms.inbound import services
from sihe.wms.inbound.models import Asn, AsnLine, Inspection, InspectionRule, PutawayRule


@admin.register(InspectionRule)
class InspectionRuleAdmin(admin.ModelAdmin):
    list_display = ("product", "active", "note")
    list_filter = ("active",)
    search_fields = ("product__sku", "product__name")
    autocomplete_fields = ("product",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            rule = services.set_inspection_rule(product=obj.product, active=obj.active, note=obj.note or "",
                                                actor=Actor.for_user(request.user, via="admin"))
            obj.pk = rule.pk


@admin.register(PutawayRule)
class PutawayRuleAdmin(admin.ModelAdmin):
    list_display = ("warehouse", "zone", "product", "category")
    list_filter = ("warehouse",)
    autocomplete_fields = ("product",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            rule = services.set_putaway_rule(warehouse=obj.warehouse, zone=obj.zone, product=obj.product,
                                             category=obj.category, actor=Actor.for_user(request.user, via="admin"))
            obj.pk = rule.pk


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AsnLineInline(admin.TabularInline):
    model = AsnLine
    fields = ("product", "qty", "received_qty", "rejected_qty", "unit_cost", "source_line_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Asn)
class AsnAdmin(ReadOnly):
    list_display = ("number", "warehouse", "supplier", "status", "source_number", "expected_date")
    list_filter = ("status", "warehouse")
    search_fields = ("number", "source_number", "supplier__name")
    inlines = [AsnLineInline]


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ("id", "asn", "product", "lot", "qty", "status", "decided_by")
    list_filter = ("status",)
