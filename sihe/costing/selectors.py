"""Reads of costing for the API and the pages."""

from django.utils.translation import gettext_lazy as _

from sihe.costing.models import ValuationLayer

REVALUATION = "revaluation"  # the kind the 存货明细账 gives a revaluation layer (入库成本调整)


def layer_kinds():
    """The kinds of valuation layer (receipt, issue, revaluation, …) with their labels: the enum itself."""
    return ValuationLayer.Kind


def layer_kind_labels() -> dict:
    """Labels of the kinds a 存货明细账 row can have, 入库成本调整 included."""
    return dict(ValuationLayer.Kind.choices) | {REVALUATION: _("cost adjustment")}


def recost_job(job_id: int):
    """A re-costing job (sihe.costing.recosting) or None."""
    from sihe.costing.models import RecostJob

    return RecostJob.objects.select_related("product", "warehouse").filter(pk=job_id).first()


def open_recost_jobs(*, product_id: int | None = None, warehouse_id: int | None = None) -> list:
    """Queued and running re-costing jobs: while there are some, the books say "re-costing"."""
    from sihe.costing import recosting

    return list(recosting.open_jobs(product_id=product_id, warehouse_id=warehouse_id)[:50])
