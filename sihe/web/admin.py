"""The administration's user and group pages in the user's language.

Django stores permission names in English when it migrates ("Can add log entry") and shows them as
stored; here a permission reads as its app, its model and the act, each translated.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

PERMISSION_ACTS = {"add": _("add"), "change": _("change"), "delete": _("delete"), "view": _("view")}

# Strings of Django 5.2's admin that its zh_Hans catalog does not have yet; translated in ours.
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
)
# django-axes (sign-in lockout) ships no zh_Hans catalog: its model and field names, translated in ours.
AXES_STRINGS = (
    gettext_noop("access attempt"), gettext_noop("access attempts"), gettext_noop("access failure"),
    gettext_noop("access failures"), gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"), gettext_noop("Access lock out"), gettext_noop("Attempt Time"),
    gettext_noop("Attempt Remaining"), gettext_noop("Expires At"), gettext_noop("Failed Logins"),
    gettext_noop("Form Data"), gettext_noop("GET Data"), gettext_noop("POST Data"), gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"), gettext_noop("Locked Out"), gettext_noop("Logout Time"), gettext_noop("Meta Data"),
    gettext_noop("Not set"), gettext_noop("Path"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."), gettext_noop("User Agent"),
    gettext_noop("Username"), gettext_noop("Clean up expired attempts"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
)


def permission_label(permission) -> str:
    model = permission.content_type.model_class()
    act = permission.codename.split("_", 1)[0]
    if model is None or act not in PERMISSION_ACTS:
        return str(permission)
    app = model._meta.app_config.verbose_name
    return f"{app} | {model._meta.verbose_name} | {PERMISSION_ACTS[act]}"


class _TranslatedPermissions:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field


class SiheGroupAdmin(_TranslatedPermissions, GroupAdmin):
    pass


class SiheUserAdmin(_TranslatedPermissions, UserAdmin):
    pass


admin.site.unregister(Group)
admin.site.register(Group, SiheGroupAdmin)
admin.site.unregister(User)
admin.site.register(User, SiheUserAdmin)
