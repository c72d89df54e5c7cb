"""MRP pages: runs (queue one for the worker, forecasts beside it), a run's proposals and exceptions with
the confirm button, and its grid per item — gross / scheduled / projected / net / planned receipts /
planned releases per bucket, as a planner reads a MRP record."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sihe.catalog import selectors as catalog
from sihe.core import clock, tx
from sihe.core.errors import DomainError, ValidationFailed
from sihe.core.roles import can
from sihe.planning import forecasts, proposals, runs, selectors
from sihe.web.permissions import require_permission
from sihe.web.production.views import _error

ROWS = [("gross", gettext_lazy("Gross requirements")), ("scheduled", gettext_lazy("Scheduled receipts")),
        ("projected", gettext_lazy("Projected on hand")), ("net", gettext_lazy("Net requirements")),
        ("planned_receipts", gettext_lazy("Planned receipts")), ("planned_releases", gettext_lazy("Planned releases"))]
EXCEPTIONS = {"past_due_release": gettext_lazy("release is past due: expedite or move the due date"),
              "no_bom": gettext_lazy("made here but has no BOM: planned as bought"),
              "below_safety_stock": gettext_lazy("starts below its safety stock")}


def _date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("%(field)s is a date (YYYY-MM-DD)") % {"field": field}, field=field) from None


def _next_monday() -> datetime.date:
    today = clock.today()
    return today + datetime.timedelta(days=7 - today.weekday())


@require_permission("planning.view")
def run_list(request):
    planner = can(request.user, "planning.run")
    form = {}
    if request.method == "POST":
        if not planner:
            return render(request, "web/forbidden.html", {"permission": "planning.run"}, status=403)
        form = {k: (request.POST.get(k) or "").strip()[:20] for k in ("what", "start", "buckets", "bucket_days",
                                                                      "sku", "date", "qty")}
        try:
            with tx.entry():
                if form["what"] == "forecast":
                    product = catalog.referenced_product((request.POST.get("sku") or "")[:64])
                    forecasts.set_forecast(product=product, date=_date(form["date"], "date"), qty=form["qty"],
                                           actor=request.actor)
                    messages.success(request, _("Forecast saved."))
                else:
                    if not (form["buckets"].isdigit() and form["bucket_days"].isdigit()):
                        raise ValidationFailed(_("buckets and days per bucket are whole numbers"), field="buckets")
                    run = runs.request(start=_date(form["start"], "start"), buckets=int(form["buckets"]),
                                       bucket_days=int(form["bucket_days"]), actor=request.actor)
                    messages.success(request, _("MRP run %(id)s queued: the worker plans it now.") % {"id": run.pk})
                    return redirect("web_production:mrp_run", pk=run.pk)
            return redirect("web_production:mrp")
        except DomainError as exc:
            _error(request, exc)
    page = Paginator(selectors.runs(), 30).get_page(request.GET.get("page"))
    upcoming = selectors.forecasts(since=clock.today())[:50]
    return render(request, "web_production/mrp_runs.html", {
        "page": page, "rows": page.object_list, "querystring": "", "planner": planner, "form": form,
        "forecasts": upcoming, "default_start": _next_monday().isoformat()})


@require_permission("planning.view")
def run_detail(request, pk: int):
    run = selectors.run(pk)
    sku = (request.GET.get("sku") or "").strip()[:64]
    page = Paginator(selectors.items(run, sku=sku), 25).get_page(request.GET.get("page"))
    days = [run.start + datetime.timedelta(days=i * run.bucket_days) for i in range(run.buckets)]
    grids = [{"item": item, "rows": [(label, item.grid[key]) for key, label in ROWS]} for item in page.object_list]
    found = selectors.proposals(run)
    if sku:
        found = found.filter(product__sku=sku)
    return render(request, "web_production/mrp_run.html", {
        "run": run, "grids": grids, "days": days, "page": page, "querystring": f"sku={sku}", "sku": sku,
        "proposals": found[:300], "planner": can(request.user, "planning.run"),
        "working": run.status in (selectors.MrpRun.Status.QUEUED, selectors.MrpRun.Status.RUNNING),
        "exceptions": [{**e, "text": EXCEPTIONS.get(e["code"], e["code"])} for e in run.exceptions[:300]]})


@require_permission("planning.run")
def confirm(request, pk: int):
    found = selectors.proposal(pk)
    if request.method == "POST":
        try:
            with tx.entry():
                done = proposals.confirm(proposal=found, actor=request.actor)
            messages.success(request, _("Proposal confirmed as %(number)s.") % {"number": done.document_number})
        except DomainError as exc:
            _error(request, exc)
    return redirect("web_production:mrp_run", pk=found.run_id)
