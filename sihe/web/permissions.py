"""The one permission check of every page: `@require_permission("stock.view")`.

Not logged in → the login page; logged in without the permission → 403 with the reason.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from sihe.core.actor import Actor
from sihe.core.roles import can, role_of


def require_permission(permission: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, permission):
                return render(
                    request,
                    "web/forbidden.html",
                    {"permission": permission, "role": role_of(request.user)},
                    status=403,
                )
            request.actor = Actor.for_user(request.user, via="web")
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator
