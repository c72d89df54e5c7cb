"""B2B master data for an administrator: customer groups and their members, price lists with their
breaks, promotions (the pages under /b2b/ show them; the API creates them too)."""

from django.contrib import admin

from sihe.oms.b2b.models import CustomerGroup, GroupMember, PriceBreak, PriceList, Promotion


class MemberInline(admin.TabularInline):
    model = GroupMember
    extra = 1


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [MemberInline]


class BreakInline(admin.TabularInline):
    model = PriceBreak
    extra = 3


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "valid_from", "valid_to", "active")
    list_filter = ("group", "active")
    inlines = [BreakInline]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "group", "valid_from", "valid_to", "threshold", "amount", "percent",
                    "gift_product", "gift_qty", "active")
    list_filter = ("kind", "group", "active")
