"""Company settings: which modules (wings) this company uses. The admin turns one on or off; dependencies
are refused with the reason, open documents ask for a confirmation first (sihe.core.modules.set_enabled)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sihe.core import modules, tx
from sihe.core.errors import DomainError
from sihe.web.permissions import require_permission


@require_permission("users.manage")
def modules_page(request):
    pending = None
    if request.method == "POST":
        code = request.POST.get("module", "")
        enabled = request.POST.get("enabled") == "1"
        try:
            with tx.entry():
                modules.set_enabled(code, enabled, actor=request.actor, confirm=request.POST.get("confirm") == "1")
            label = modules.get(code).label
            messages.success(request, (_("%(m)s is on.") if enabled else _("%(m)s is off.")) % {"m": label})
            return redirect("web_company:modules")
        except DomainError as exc:
            if exc.code == "module_has_open_documents":
                pending = {"code": code, "message": exc.message, "open": exc.extra.get("open_documents", {})}
            else:
                messages.error(request, exc.message)
                return redirect("web_company:modules")
    off = modules.disabled()
    labels = {m.code: m.label for m in modules.all_modules()}
    rows = [{"module": m, "enabled": m.code not in off,
             "requires": [" / ".join(str(labels.get(c, c)) for c in group) for group in m.requires]}
            for m in modules.all_modules()]
    return render(request, "web_company/modules.html", {"rows": rows, "pending": pending})
