"""A module turned off (sihe.core.modules) answers 404 on its pages and API routes, by path prefix: a page
explaining which module is off and who turns it on, the API `{"code": "module_disabled", "module": …}`."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sihe.core import modules


class ModulesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        module = modules.module_for_path(request.path_info)
        if module is not None and not modules.is_enabled(module.code):
            return self.disabled(request, module)
        return self.get_response(request)

    @staticmethod
    def disabled(request, module: modules.Module):
        message = _("the %(module)s module is turned off for this company; an administrator turns it on under "
                    "Settings → Modules") % {"module": module.label}
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "module_disabled", "message": message, "field": None,
                                 "module": module.code}, status=404)
        return render(request, "web_company/module_off.html", {"module": module, "message": message}, status=404)
