"""Reads of counting for the API and the pages: count tasks with their lines and progress, the
adjustments a closed count posted and their vouchers."""

from django.db.models import Count, Q

from sihe.core.errors import NotFound
from sihe.ledger.models import Voucher
from sihe.stock.models import StockMove

# re-exported: CountTask.State and CountLine.State are part of the read surface
from sihe.wms.counting.models import CountLine, CountTask

MAX_ID = 2**63 - 1


def adjustments_of(task: CountTask) -> list[StockMove]:
    """The inventory adjustments a closed count posted (its number is their reference)."""
    return list(StockMove.objects.filter(reference=task.number, kind=StockMove.Kind.ADJUSTMENT)
                .select_related("product", "lot", "src_location", "dst_location").prefetch_related("layers")
                .order_by("id"))


def vouchers_of(moves: list[StockMove]) -> list[Voucher]:
    """The vouchers booked for those moves (待处理财产损溢 against 库存商品)."""
    return list(Voucher.objects.filter(source_type="stock_move", source_id__in=[str(m.pk) for m in moves])
                .prefetch_related("lines__account").order_by("id"))


def tasks(*, state: str | None = None):
    """Count tasks with warehouse and zone, newest first; of one state when given."""
    qs = CountTask.objects.select_related("warehouse", "zone").order_by("-id")
    return qs.filter(state=state) if state else qs


def tasks_with_progress(*, warehouse: str | None = None, state: str | None = None):
    """Count tasks, newest first, each with its lines in all (`n_total`), counted (`n_counted`) and to be
    counted again (`n_recount`); of one warehouse (code) and one state when given."""
    qs = CountTask.objects.select_related("warehouse", "zone").annotate(
        n_total=Count("lines"), n_counted=Count("lines", filter=Q(lines__state__in=["counted", "done"])),
        n_recount=Count("lines", filter=Q(lines__state="recount"))).order_by("-id")
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    if state:
        qs = qs.filter(state=state)
    return qs


def open_tasks(limit: int = 50) -> list[CountTask]:
    """The open count tasks a counter may pick up, newest first."""
    return list(tasks(state=CountTask.State.OPEN)[:limit])


def task(pk: int) -> CountTask:
    """One count task with warehouse and zone (not found is a 404 naming `count_id`)."""
    found = tasks().filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound(f"no count {pk}", field="count_id")
    return found


def line_progress(rows) -> dict[int, tuple[int, int]]:
    """Per count task: how many lines it has and how many of them are counted."""
    counted: dict[int, tuple[int, int]] = {}
    for task_id, line_state in CountLine.objects.filter(task__in=rows).values_list("task_id", "state"):
        total, done = counted.get(task_id, (0, 0))
        counted[task_id] = (total + 1, done + (line_state in ("counted", "done")))
    return counted


def lines_of(t: CountTask) -> list[CountLine]:
    """A task's lines with bin, product (and its unit) and lot, by bin and SKU."""
    return list(t.lines.select_related("location", "product", "product__uom", "lot"))


def line_states(t: CountTask) -> list[str]:
    """The state of each of a task's lines."""
    return list(t.lines.values_list("state", flat=True))
