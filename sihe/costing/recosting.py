"""Re-costing in the worker: a backdated move with more later layers than SIHE_RECOST_INLINE_LIMIT.

The act (`services.value_moves`) costs its own layers and posts them as always, then `defer()` records a
queued `RecostJob` for the (product, warehouse) — or widens the open one — and emits
`costing.recost.requested`; the request answers at once with the job id. The worker's handler
(`handlers.on_recost_requested`, wired in sihe.hub.wiring) runs `run()` after its own transaction commits:
the later layers are read by keyset (date, id) in chunks of SIHE_RECOST_CHUNK, re-costed from the state
carried from the previous chunk, written set-based (`services.write_layers`: UPDATE … FROM unnest(…) on
PostgreSQL) and their value differences posted to the ledger as the inline path posts them
(`postings.post_corrections`) — each chunk one transaction that also moves the job's cursor and progress
on, so stock value = ledger after every chunk.

While a job is open (queued or running) the books of its (product, warehouse) say "re-costing" (the
valuation pages and the API) and the month-end close refuses the periods from its `from_date` on
(`recosting_running`). A backdated act on a (product, warehouse) with an open job adds to it: the cursor
moves back to the earlier point and the job goes on from there. A job a stopped worker left open is run on from
its cursor by the next worker round (`resume_open`). Moving-average products only: a FIFO
product is still re-costed inline in the act (its open-layer queue and consumptions are not carried
between chunks yet)."""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

from sihe.catalog.models import Product
from sihe.core import audit, clock
from sihe.core.actor import Actor
from sihe.core.outbox import emit
from sihe.costing import engine
from sihe.costing.models import RecostJob, ValuationLayer, layers_from
from sihe.costing.transitions import RECOST_JOB

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
OPEN = RecostJob.OPEN


def _quiet(done: int, total: int) -> None:
    return None


def inline_limit() -> int:
    return int(getattr(settings, "SIHE_RECOST_INLINE_LIMIT", 2000))


def chunk_size() -> int:
    return int(getattr(settings, "SIHE_RECOST_CHUNK", 20000))


def _count(product_id: int, warehouse_id: int, date: datetime.date, pk: int, limit: int | None = None) -> int:
    qs = ValuationLayer.objects.filter(layers_from(date, pk), product_id=product_id, warehouse_id=warehouse_id)
    return qs[:limit].count() if limit is not None else qs.count()


def defer(*, product: Product, warehouse_id: int, date: datetime.date, pk: int, source_move_id: int,
          actor: Actor) -> RecostJob | None:
    """In the act's transaction: the open job of (product, warehouse) widened to start at (date, pk), or a new
    queued job when (date, pk) has more later layers than the inline limit; None: re-cost inline."""
    job = RecostJob.objects.select_for_update().filter(product_id=product.pk, warehouse_id=warehouse_id,
                                                       status__in=OPEN).first()
    if job is None:
        if product.costing_method != engine.MOVING_AVERAGE:
            return None  # FIFO: re-costed in the act (its open-layer queue is not carried between chunks)
        limit = inline_limit()
        if _count(product.pk, warehouse_id, date, pk, limit + 1) <= limit:
            return None
        job = RecostJob.objects.create(
            product_id=product.pk, warehouse_id=warehouse_id, from_date=date, from_layer=pk, cursor_date=date,
            cursor_layer=pk, source_move_id=source_move_id, total=_count(product.pk, warehouse_id, date, pk),
            requested_at=actor.at, requested_by=actor.username)
        audit.record_created(job, actor=actor, fields=["product", "warehouse", "from_date", "total"])
        emit("costing.recost.requested", aggregate_type="recost_job", aggregate_id=job.pk, actor=actor,
             payload={"job": job.pk, "sku": product.sku, "warehouse_id": warehouse_id, "from": date.isoformat(),
                      "layers": job.total})
        return job
    if (date, pk) < (job.cursor_date, job.cursor_layer):
        job.cursor_date, job.cursor_layer = date, pk
        job.total = job.done + _count(product.pk, warehouse_id, date, pk)
        fields = ["cursor_date", "cursor_layer", "total"]
        if (date, pk) < (job.from_date, job.from_layer):
            job.from_date, job.from_layer, job.source_move_id = date, pk, source_move_id
            fields += ["from_date", "from_layer", "source_move_id"]
        job.save(update_fields=fields)
    return job


def run(job_id: int, *, actor: Actor, chunk: int | None = None, progress: Progress = _quiet) -> RecostJob:
    """Run (or resume) a job to the end, each chunk its own transaction. A job already done or failed is left
    alone; two runners of one job take turns on its row and the second goes on from the cursor it finds."""
    from sihe.costing import postings, services

    chunk = chunk or chunk_size()
    with transaction.atomic(durable=True):
        job = RecostJob.objects.select_for_update().get(pk=job_id)
        if job.status == RecostJob.Status.QUEUED:
            job.status = RECOST_JOB.check(job.status, "start")
            job.started_at = clock.now()
            job.save(update_fields=["status", "started_at"])
        elif job.status != RecostJob.Status.RUNNING:
            return job
    state, expected = None, None
    while True:
        try:
            with transaction.atomic(durable=True):
                job = RecostJob.objects.select_for_update().select_related("product").get(pk=job_id)
                if job.status != RecostJob.Status.RUNNING:
                    return job
                point = (job.cursor_date, job.cursor_layer)
                if point != expected:  # first chunk, or a backdated act moved the cursor back: read the state
                    state = None
                changed, state, following, n = services.recost_chunk(
                    product=job.product, warehouse_id=job.warehouse_id, date=point[0], pk=point[1], limit=chunk,
                    state=state)
                if changed:
                    job.vouchers += postings.post_corrections(
                        [layer for _old, layer in changed.values()], {pk: old for pk, (old, _la) in changed.items()},
                        date=job.from_date, source_id=job.source_move_id, actor=actor) or 0
                job.done += n
                job.changed += len(changed)
                job.total = max(job.total, job.done)
                if following is None:
                    job.status = RECOST_JOB.check(job.status, "finish")
                    job.finished_at = clock.now()
                    emit("costing.recost.finished", aggregate_type="recost_job", aggregate_id=job.pk, actor=actor,
                         payload={"job": job.pk, "layers": job.done, "changed": job.changed})
                else:
                    job.cursor_date, job.cursor_layer = following
                    expected = following
                job.save(update_fields=["status", "finished_at", "cursor_date", "cursor_layer", "done", "total",
                                        "changed", "vouchers"])
        except Exception as exc:
            logger.exception("re-costing job %s failed", job_id)
            with transaction.atomic(durable=True):
                RecostJob.objects.filter(pk=job_id, status__in=OPEN).update(
                    status=RECOST_JOB.target("fail"), error=f"{type(exc).__name__}: {exc}"[:500],
                    finished_at=clock.now())
            return RecostJob.objects.get(pk=job_id)
        progress(job.done, job.total)
        if job.status == RecostJob.Status.DONE:
            return job


def resume_open(*, limit: int = 1) -> int:
    """Run on the open jobs no runner is finishing: the handler's receipt is written before its job runs (after
    the commit), so a worker stopped mid-job (killed, restarted, the machine gone) leaves it queued or running,
    its cursor where the last chunk ended. Each worker round runs up to `limit` of them from that cursor; a job
    another worker is running meanwhile is shared chunk by chunk (`run` takes turns on the job's row)."""
    actor = Actor(user_id=None, username="handler:costing.recost", role="admin", via="worker")
    ran = 0
    for job_id in RecostJob.objects.filter(status__in=OPEN).order_by("requested_at", "id").values_list(
            "pk", flat=True)[:limit]:
        run(job_id, actor=actor)
        ran += 1
    return ran


def open_jobs(*, product_id: int | None = None, warehouse_id: int | None = None):
    """Queued and running jobs, earliest first (pages and the API say "re-costing" while there are some)."""
    qs = RecostJob.objects.filter(status__in=OPEN).select_related("product", "warehouse").order_by("from_date", "id")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs


def recosting_done(period: str) -> tuple[bool, str]:
    """The month-end check `recosting_running`: no queued or running job re-costs layers dated in or before the
    period (its corrections would land there)."""
    from django.utils.translation import gettext, ngettext

    from sihe.ledger.close import last_day

    jobs = list(open_jobs().filter(from_date__lte=last_day(period))[:6])
    if jobs:
        return False, ngettext("%(n)s re-costing job still runs for this period: %(jobs)s",
                               "%(n)s re-costing jobs still run for this period: %(jobs)s", len(jobs)) % {
            "n": len(jobs), "jobs": ", ".join(f"#{j.pk} {j.product.sku}@{j.warehouse.code} {j.done}/{j.total}"
                                              for j in jobs[:5])}
    return True, gettext("no re-costing job open")
