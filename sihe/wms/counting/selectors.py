"""Reads of counting for the API and the pages."""

from sihe.ledger.models import Voucher
from sihe.stock.models import StockMove
from sihe.wms.counting.models import CountTask


def adjustments_of(task: CountTask) -> list[StockMove]:
    """The inventory adjustments a closed count posted (its number is their reference)."""
    return list(StockMove.objects.filter(reference=task.number, kind=StockMove.Kind.ADJUSTMENT)
                .select_related("product", "lot", "src_location", "dst_location").prefetch_related("layers")
                .order_by("id"))


def vouchers_of(moves: list[StockMove]) -> list[Voucher]:
    """The vouchers booked for those moves (待处理财产损溢 against 库存商品)."""
    return list(Voucher.objects.filter(source_type="stock_move", source_id__in=[str(m.pk) for m in moves])
                .prefetch_related("lines__account").order_by("id"))
