"""A voucher's source document (来源单据) in words an accountant reads, with its number and a link.

A voucher keeps `source_type` + `source_id` (a code and a primary key, e.g. "stock_move" 412); the pages
show "出库单 SH-tb-flagship-38…" instead. One registry entry per source type: the label, how to find the
documents' numbers for many ids at once (a list page asks once per type), and where the document's page is.
An unknown source type shows as it is.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

from sihe.oms import selectors as oms_selectors
from sihe.purchasing import selectors as purchasing_selectors
from sihe.stock import selectors as stock_selectors


@dataclass(frozen=True)
class Source:
    label: object
    # ids -> {id: (number, url or None, a closer label or None)}
    documents: Callable[[list[str]], dict[str, tuple]] | None = None


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _pks(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]


_KIND = stock_selectors.move_kinds()
MOVE_LABELS = {
    _KIND.RECEIPT: pgettext_lazy("source document", "stock receipt"),
    _KIND.ISSUE: pgettext_lazy("source document", "stock issue"),
    _KIND.TRANSFER: pgettext_lazy("source document", "stock transfer"),
    _KIND.ADJUSTMENT: pgettext_lazy("source document", "stock adjustment"),
    _KIND.SCRAP: pgettext_lazy("source document", "scrap"),
}


def _stock_moves(ids):
    rows = stock_selectors.moves_by_ids(_pks(ids)).values_list("pk", "reference", "product__sku", "kind")
    return {str(pk): (reference or f"#{pk}", _url("web_stock:product", sku), MOVE_LABELS.get(kind))
            for pk, reference, sku, kind in rows}


def _orders(ids):
    rows = oms_selectors.orders().filter(pk__in=_pks(ids)).order_by().values_list("pk", "number")
    return {str(pk): (number, _url("web_oms:order", pk), None) for pk, number in rows}


def _purchase_orders(ids):
    rows = purchasing_selectors.orders().filter(pk__in=_pks(ids)).order_by().values_list("pk", "number")
    return {str(pk): (number, _url("web_purchasing:order", pk), None) for pk, number in rows}


def _supplier_invoices(ids):
    rows = purchasing_selectors.invoices().filter(pk__in=_pks(ids)).order_by().values_list("pk", "number", "order_id")
    return {str(pk): (number, _url("web_purchasing:order", order) if order else None, None)
            for pk, number, order in rows}


def _supplier_payments(ids):
    rows = purchasing_selectors.payments().filter(pk__in=_pks(ids)).order_by().values_list("pk", "number")
    return {str(pk): (number, None, None) for pk, number in rows}


SOURCES: dict[str, Source] = {
    "stock_move": Source(pgettext_lazy("source document", "stock move"), _stock_moves),
    "oms.order": Source(pgettext_lazy("source document", "order"), _orders),
    "purchase_order": Source(pgettext_lazy("source document", "purchase order"), _purchase_orders),
    "supplier_invoice": Source(pgettext_lazy("source document", "supplier invoice"), _supplier_invoices),
    "supplier_payment": Source(pgettext_lazy("source document", "supplier payment"), _supplier_payments),
    "purchase_return": Source(pgettext_lazy("source document", "purchase return")),  # the id is the return's reference
    "ledger.period": Source(pgettext_lazy("source document", "period close")),  # the id is the period, 2026-11
}


def describe(vouchers) -> dict[int, dict]:
    """{voucher pk: {"label", "number", "url"}} for the vouchers that have a source, one query per source type."""
    by_type: dict[str, list[str]] = {}
    for v in vouchers:
        if v.source_type:
            by_type.setdefault(v.source_type, []).append(v.source_id)
    found: dict[str, dict[str, tuple]] = {}
    for source_type, ids in by_type.items():
        source = SOURCES.get(source_type)
        found[source_type] = source.documents(ids) if source and source.documents else {}
    out = {}
    for v in vouchers:
        if not v.source_type:
            continue
        source = SOURCES.get(v.source_type)
        number, url, label = found[v.source_type].get(v.source_id, (v.source_id, None, None))
        label = label or (source.label if source else v.source_type)
        out[v.pk] = {"label": str(label), "number": number, "url": url}
    return out
