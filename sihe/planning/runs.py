"""MRP runs: request one (the worker runs it), or run it now (the API and `sihe mrp`), and keep what it
planned — each item's grid, the proposals with their pegs, and the exceptions.

A run reads the books as they are when it starts (`inputs.read`), plans in memory
(`netting.run_mrp`), then writes its results in one transaction. A make item without a BOM is
planned as bought and reported `no_bom`; a BOM cycle fails the run with its path."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from sihe.catalog.models import Product, Warehouse
from sihe.core import audit, clock, tx
from sihe.core.actor import Actor
from sihe.core.dates import check_planning_date
from sihe.core.errors import ValidationFailed
from sihe.core.money import text
from sihe.core.outbox import emit
from sihe.planning import inputs as mrp_inputs
from sihe.planning.models import MrpItem, MrpRun, Proposal
from sihe.planning.netting import BomCycleError, MrpInputError, run_mrp
from sihe.planning.transitions import RUN

Progress = Callable[[int, str], None]
GRID = ("gross", "scheduled", "projected", "net", "planned_receipts", "planned_releases")
MAX_BUCKETS = 520
CHUNK = 2000


def _quiet(percent: int, stage: str) -> None:
    return None


def request(*, start, buckets: int, bucket_days: int, actor: Actor, warehouse: Warehouse | None = None) -> MrpRun:
    """A queued run; its `planning.mrp.requested` event makes the worker run it."""
    if not 1 <= buckets <= MAX_BUCKETS:
        raise ValidationFailed(_("buckets must be between 1 and %(max)s") % {"max": MAX_BUCKETS}, field="buckets")
    if not 1 <= bucket_days <= 366:
        raise ValidationFailed(_("days per bucket must be between 1 and 366"), field="bucket_days")
    check_planning_date(start, field="start")
    with tx.act():
        run = MrpRun.objects.create(start=start, buckets=buckets, bucket_days=bucket_days, warehouse=warehouse,
                                    requested_at=actor.at, requested_by=actor.username, stage=_("queued"))
        audit.record_created(run, actor=actor, fields=["start", "buckets", "bucket_days", "warehouse"])
        emit("planning.mrp.requested", aggregate_type="mrp_run", aggregate_id=run.pk, actor=actor,
             payload={"run": run.pk, "start": start.isoformat(), "buckets": buckets, "bucket_days": bucket_days})
    return run


def _set(run: MrpRun, percent: int, stage: str, progress: Progress) -> None:
    MrpRun.objects.filter(pk=run.pk).update(progress=percent, stage=stage[:60])
    progress(percent, stage)


def execute(run: MrpRun, *, actor: Actor, progress: Progress = _quiet) -> MrpRun:
    """Plan a queued run and write what it planned. Running a run twice is refused (409)."""
    with tx.act():
        run = MrpRun.objects.select_for_update().get(pk=run.pk)
        RUN.check(run.status, "start")
        MrpRun.objects.filter(pk=run.pk).update(status=RUN.target("start"))
    horizon = mrp_inputs.Horizon(run.start, run.buckets, run.bucket_days)
    try:
        _set(run, 5, _("reading stock, orders and BOMs"), progress)
        read = mrp_inputs.read(horizon, warehouse=run.warehouse)
        _set(run, 40, _("netting %(n)s items") % {"n": len(read.items)}, progress)
        result = run_mrp(read.items, read.edges, run.buckets)
    except (BomCycleError, MrpInputError) as error:
        with tx.act():
            MrpRun.objects.filter(pk=run.pk).update(status=RUN.target("fail"), error=str(error)[:500],
                                                    finished_at=actor.at, stage="")
        progress(100, str(error))
        raise ValidationFailed(str(error), field="bom" if isinstance(error, BomCycleError) else "items",
                               code="bom_cycle" if isinstance(error, BomCycleError) else "invalid",
                               **({"path": error.path} if isinstance(error, BomCycleError) else {})) from None
    _set(run, 70, _("saving the plan"), progress)
    with tx.act():
        _save(run, horizon, read, result, progress)
        run.refresh_from_db()
        emit("planning.mrp.finished", aggregate_type="mrp_run", aggregate_id=run.pk, actor=actor,
             payload={"run": run.pk, "items": run.item_count, "proposals": run.proposal_count,
                      "exceptions": len(run.exceptions)})
    progress(100, _("done"))
    return run


def _save(run: MrpRun, horizon, read, result, progress: Progress) -> None:
    products = read.products
    items, proposals = [], []
    for plan in result.plans.values():
        product = products[plan.code]
        items.append(MrpItem(run=run, product=product, llc=plan.llc, on_hand=read.on_hand[plan.code],
                             grid={name: [text(v) for v in getattr(plan, name)] for name in GRID}))
        kind = Proposal.Kind.PRODUCTION if product.make_or_buy == Product.MakeOrBuy.MAKE \
            and plan.code not in read.missing_bom else Proposal.Kind.PURCHASE
        for order in plan.orders:
            proposals.append(Proposal(
                run=run, product=product, kind=kind, qty=order.qty, due_bucket=order.due,
                release_bucket=order.release, due_date=horizon.day(order.due), release_date=horizon.day(order.release),
                pegs=[{"kind": p.kind, "item": p.item, "bucket": p.bucket, "qty": text(p.qty)} for p in order.pegs]))
    for start in range(0, len(items), CHUNK):
        MrpItem.objects.bulk_create(items[start:start + CHUNK])
        _set(run, 70 + 20 * min(start + CHUNK, len(items)) // max(len(items), 1), _("saving the plan"), progress)
    for start in range(0, len(proposals), CHUNK):
        Proposal.objects.bulk_create(proposals[start:start + CHUNK])
    exceptions = [{"sku": e.item, "code": e.code, "bucket": e.bucket} for e in result.exceptions]
    exceptions += [{"sku": sku, "code": "no_bom", "bucket": 1} for sku in read.missing_bom]
    exceptions += [{"sku": p.code, "code": "below_safety_stock", "bucket": 1}
                   for p in result.plans.values() if 0 < products[p.code].safety_stock
                   and read.on_hand[p.code] < products[p.code].safety_stock]
    MrpRun.objects.filter(pk=run.pk).update(
        status=RUN.target("finish"), progress=100, stage="", item_count=len(items), proposal_count=len(proposals),
        exceptions=exceptions, finished_at=clock.now())


def run_now(*, start, buckets: int, bucket_days: int, actor: Actor, warehouse: Warehouse | None = None,
            progress: Progress = _quiet) -> MrpRun:
    """Request and execute a run in this process (the API's POST and `sihe mrp`)."""
    run = request(start=start, buckets=buckets, bucket_days=bucket_days, actor=actor, warehouse=warehouse)
    return execute(run, actor=actor, progress=progress)
