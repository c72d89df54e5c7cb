"""The order engine's settings and small tables, for an administrator: review policy, blacklist, exchange
rates, channel sync, SKU mappings (the pages under /orders/ are where people work)."""

from django.contrib import admin

from sihe.oms.models import Blacklist, ChannelSync, CurrencyRate, ReviewPolicy, SkuMapping


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ("amount_limit", "stockout", "revenue_at", "split_penalty_km", "default_carrier", "ship_by_hour")


@admin.register(Blacklist)
class BlacklistAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "reason")
    list_filter = ("kind",)
    search_fields = ("value",)


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "rate")
    list_filter = ("currency",)


@admin.register(ChannelSync)
class ChannelSyncAdmin(admin.ModelAdmin):
    list_display = ("channel", "mode", "endpoint", "last_pull_at", "orders_in", "errors", "safety_stock")
    exclude = ("secret",)
    readonly_fields = ("cursor", "last_pull_at", "last_order_at", "last_lag_seconds", "orders_in", "errors",
                       "last_error", "last_error_at")


@admin.register(SkuMapping)
class SkuMappingAdmin(admin.ModelAdmin):
    list_display = ("channel", "channel_sku", "product", "note")
    list_filter = ("channel",)
    search_fields = ("channel_sku", "product__sku")
    autocomplete_fields = ()
    raw_id_fields = ("product",)
