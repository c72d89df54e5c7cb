"""The Excel import page: choose a kind, upload, see every problem as a table or the result; big
files become a background job whose progress bar refreshes itself (while rows are checked and while
they are written). Links to exports and templates. Every kind goes through `sihe.stock.imports`,
which knows the catalog's kinds and the stock app's."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sihe.catalog import excel, selectors
from sihe.catalog import imports as catalog_imports
from sihe.catalog.selectors import ImportJob
from sihe.core.errors import DomainError
from sihe.core.roles import can
from sihe.stock import imports
from sihe.web.permissions import require_permission

KIND_LABELS = {"products": gettext_lazy("Products"), "partners": gettext_lazy("Partners"),
               "locations": gettext_lazy("Locations"), "stock_rules": gettext_lazy("Low-stock rules"),
               "product_units": gettext_lazy("Alternate units")}
SHOWN_ERRORS = 1000


def _context(request, **extra) -> dict:
    jobs = selectors.import_jobs()
    if not can(request.user, "catalog.import"):
        jobs = jobs.none()
    return {
        "kinds": [(kind, KIND_LABELS[kind]) for kind in imports.KINDS],
        "can_import": can(request.user, "catalog.import"),
        "jobs": [(job, KIND_LABELS.get(job.kind, job.kind), catalog_imports.job_progress(job)) for job in jobs[:10]],
        "threshold": settings.SIHE_IMPORT_BACKGROUND_ROWS,
        **extra,
    }


@require_permission("catalog.view")
def index(request):
    if request.method != "POST":
        return render(request, "web_imports/index.html", _context(request, kind="products"))
    if not can(request.user, "catalog.import"):
        return render(request, "web/forbidden.html", {"permission": "catalog.import"}, status=403)
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    if kind not in imports.KINDS:
        return _problem(request, kind, "kind", _("choose what the file holds"))
    if upload is None:
        return _problem(request, kind, "file", _("choose an .xlsx file"))
    try:
        total = excel.count_rows(upload)
        if catalog_imports.needs_background(total):
            job = imports.start_background_import(kind=kind, upload=upload, original_name=upload.name or "",
                                                  total_rows=total, actor=request.actor)
            return redirect("web_imports:job", job_id=job.pk)
        result = imports.run_import(kind=kind, source=upload, actor=request.actor)
    except excel.ImportRejected as exc:
        errors = exc.extra.get("errors") or []
        return render(request, "web_imports/index.html", _context(
            request, kind=kind, rejected=exc.message, errors=errors[:SHOWN_ERRORS],
            more_errors=max(0, len(errors) - SHOWN_ERRORS), file_name=upload.name), status=422)
    except DomainError as exc:
        return _problem(request, kind, exc.field, exc.message)
    return render(request, "web_imports/index.html", _context(request, kind=kind, result=result, file_name=upload.name))


def _problem(request, kind, field, message):
    return render(request, "web_imports/index.html",
                  _context(request, kind=kind or "products", problem=message, problem_field=field), status=422)


def _job(request, job_id: int) -> ImportJob:
    if not 0 < job_id < 2**63:  # beyond a bigint: no such job (and no database error)
        raise Http404
    return get_object_or_404(selectors.import_jobs(), pk=job_id)


@require_permission("catalog.import")
def job(request, job_id: int):
    job = _job(request, job_id)
    return render(request, "web_imports/job.html", {"kind_label": KIND_LABELS.get(job.kind, job.kind),
                                                     **_job_context(job)})


@require_permission("catalog.import")
def progress(request, job_id: int):
    """The progress fragment the job page polls (hx-get every second until the job is finished)."""
    return render(request, "web_imports/_progress.html", _job_context(_job(request, job_id)))


def _job_context(job: ImportJob) -> dict:
    return {"job": job, "progress": catalog_imports.job_progress(job), "errors": job.errors[:SHOWN_ERRORS],
            "more_errors": max(0, len(job.errors) - SHOWN_ERRORS)}
