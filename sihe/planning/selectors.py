"""Reads of planning for the API and the pages: forecasts, MRP runs with their grids per item and their
proposals (numbers as decimal strings)."""

from django.db.models import QuerySet

from sihe.core.errors import NotFound
from sihe.core.money import text

# Forecast and MrpRun are re-exported: the API names a forecast's type, the pages read a run's Status.
from sihe.planning.models import Forecast, MrpItem, MrpRun, Proposal
from sihe.planning.runs import GRID


def forecasts(*, sku: str = "", since=None) -> QuerySet:
    found = Forecast.objects.select_related("product").order_by("product__sku", "date")
    if sku:
        found = found.filter(product__sku=sku)
    if since is not None:
        found = found.filter(date__gte=since, qty__gt=0).order_by("date", "product__sku")
    return found


def run(pk: int) -> MrpRun:
    found = MrpRun.objects.select_related("warehouse").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"MRP run {pk} not found", field="id")
    return found


def runs() -> QuerySet:
    return MrpRun.objects.select_related("warehouse").order_by("-id")


def proposal(pk: int) -> Proposal:
    found = Proposal.objects.select_related("product", "run").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"proposal {pk} not found", field="id")
    return found


def items(run: MrpRun, *, sku: str | None = None) -> QuerySet:
    found = MrpItem.objects.filter(run=run).select_related("product__uom").order_by("llc", "product__sku")
    return found.filter(product__sku=sku) if sku else found


def proposals(run: MrpRun) -> QuerySet:
    return Proposal.objects.filter(run=run).select_related("product").order_by("release_date", "product__sku", "id")


def proposal_out(p: Proposal) -> dict:
    return {"id": p.pk, "sku": p.product.sku, "kind": p.kind, "qty": text(p.qty),
            "release_date": p.release_date, "due_date": p.due_date, "status": p.status,
            "pegs": p.pegs, "document": p.document_type or None, "document_id": p.document_id,
            "document_number": p.document_number or None}


def item_out(item: MrpItem) -> dict:
    return {"sku": item.product.sku, "llc": item.llc, "on_hand": text(item.on_hand),
            **{name: item.grid[name] for name in GRID}}


def run_out(found: MrpRun) -> dict:
    return {"id": found.pk, "status": found.status, "progress": found.progress, "stage": found.stage,
            "error": found.error or None, "start": found.start, "buckets": found.buckets,
            "bucket_days": found.bucket_days, "warehouse": found.warehouse.code if found.warehouse else None,
            "items": [item_out(i) for i in items(found)],
            "proposals": [proposal_out(p) for p in proposals(found)],
            "exceptions": found.exceptions}
