"""The audit trail and the event log in the admin: read-only, because both are append-only."""

from django.contrib import admin

from sihe.core.models import AuditEntry, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "username", "via", "action", "object_type", "object_repr", "field", "old_value", "new_value"]
    list_filter = ["action", "via", "object_type"]
    search_fields = ["username", "object_repr", "object_id", "field"]
    date_hierarchy = "at"
    list_per_page = 100


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "aggregate_type", "aggregate_id", "occurred_at"]
    list_filter = ["type", "aggregate_type"]
    search_fields = ["type", "aggregate_id"]
    date_hierarchy = "occurred_at"
    list_per_page = 100
