"""Keeping the KPIs' daily ledger summary (`LedgerDay`) equal to the posted voucher lines.

One SQL statement computes the rows from the ledgers — the voucher lines on revenue and cost-of-sales
accounts with the keys of their source order or stock move — and either adds the vouchers just posted
(`apply`, the late step of a posting act: one INSERT … SELECT … ON CONFLICT DO UPDATE for all of the act's
vouchers) or fills the table anew (`rebuild`). `expected()` gives the same rows without writing, for
`sihe kpis check` and the tests.

A cost-of-sales voucher is per shipping act and product group (`sihe.costing.postings.post_layers`), so its
source move names the group of every line. The ledger does not know this app (courtyard below wing):
sihe/hub/wiring.py registers `apply` with `sihe.ledger.balances.register_projection`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction

from sihe.catalog.models import Product
from sihe.insights.models import LedgerDay
from sihe.ledger.models import Account, Voucher, VoucherLine
from sihe.oms.models import Order, OrderLine
from sihe.stock.models import StockMove
from sihe.wms.models import Shipment

KEY = ("date", "account_id", "channel", "warehouse", "category")
ROLES = {"revenue": "revenue", "cogs": "cogs"}  # Account.role of the accounts summarised (and their sub-accounts)


def _t(model) -> str:
    return model._meta.db_table


def _ids(voucher_ids: list[int] | None) -> str | None:
    """The vouchers' condition: on PostgreSQL one array parameter (`%(ids)s`), so that the statement's text is the
    same for every posting and the connection prepares it — planned anew it took 2.2 ms a run, prepared 0.3 ms
    (issue 18, decision 0008); on SQLite, where planning is cheap, the ids written in."""
    if voucher_ids is None:
        return None
    if connection.vendor == "postgresql":
        return "= ANY(CAST(%(ids)s AS BIGINT[]))"
    return f"IN ({','.join(str(int(i)) for i in voucher_ids)})"


def _select(voucher_ids: list[int] | None) -> str:
    """SELECT date, account_id, channel, warehouse, category, Σ debit, Σ credit of the posted lines (of the
    vouchers named, or all), grouped and ordered by the key (rows locked in one order: no deadlocks)."""
    ids = _ids(voucher_ids)
    only_v = f" AND v.id {ids}" if ids is not None else ""
    # the source orders of those vouchers: the subqueries read only them on a posting
    only_orders = (f" AND source_id IN (SELECT source_id FROM {_t(Voucher)} WHERE id {ids} "
                   f"AND source_type = 'oms.order')") if ids is not None else ""
    only_lines = (f" WHERE order_id IN (SELECT CAST(CASE WHEN source_type = 'oms.order' THEN source_id END AS BIGINT) "
                  f"FROM {_t(Voucher)} WHERE id {ids} AND source_type = 'oms.order')") if ids is not None else ""
    acc = _t(Account)

    def role(name):
        return (f"SELECT a.id FROM {acc} a JOIN {acc} r ON r.role = '{name}' "
                f"AND (a.code = r.code OR a.code LIKE r.code || '.%%')")

    lines = (f"SELECT v.date AS day, vl.account_id AS account_id, vl.debit AS debit, vl.credit AS credit, "
             f"v.source_type AS source_type, v.source_id AS source_id FROM {_t(VoucherLine)} vl "
             f"JOIN {_t(Voucher)} v ON v.id = vl.voucher_id WHERE v.status = 'posted'{only_v}")
    sale = "(amount_paid + platform_subsidy)"
    revenue = (
        f"SELECT l.day, l.account_id, COALESCE(o.channel_id, 0) AS channel, COALESCE(sw.wid, 0) AS warehouse, "
        f"COALESCE(sh.category, 0) AS category, "
        f"CASE WHEN sh.share IS NULL THEN l.debit ELSE l.debit * sh.share END AS debit, "
        f"CASE WHEN sh.share IS NULL THEN l.credit ELSE l.credit * sh.share END AS credit "
        f"FROM ({lines} AND vl.account_id IN ({role(ROLES['revenue'])})) l "
        f"LEFT JOIN {_t(Order)} o ON o.id = CAST(CASE WHEN l.source_type = 'oms.order' THEN l.source_id END AS BIGINT) "
        f"LEFT JOIN (SELECT source_id, MIN(warehouse_id) AS wid FROM {_t(Shipment)} WHERE source_type = 'oms.order'"
        f"{only_orders} GROUP BY source_id) sw ON l.source_type = 'oms.order' AND sw.source_id = l.source_id "
        # the order's sale per product group ÷ its whole sale (orders whose lines sell nothing are not shared)
        f"LEFT JOIN (SELECT ol.order_id, COALESCE(p.category_id, 0) AS category, "
        f"SUM(ol.amount_paid + ol.platform_subsidy) * 1.0 / MAX(w.whole) AS share "
        f"FROM {_t(OrderLine)} ol JOIN {_t(Product)} p ON p.id = ol.product_id "
        f"JOIN (SELECT order_id, SUM{sale} AS whole FROM {_t(OrderLine)}{only_lines} GROUP BY order_id "
        f"HAVING SUM{sale} <> 0) w ON w.order_id = ol.order_id "
        f"GROUP BY ol.order_id, COALESCE(p.category_id, 0)) sh ON sh.order_id = o.id")
    cogs = (
        f"SELECT l.day, l.account_id, COALESCE(so.channel_id, 0) AS channel, "
        f"COALESCE(m.src_warehouse_id, m.dst_warehouse_id, 0) AS warehouse, COALESCE(p.category_id, 0) AS category, "
        f"l.debit, l.credit "
        f"FROM ({lines} AND vl.account_id IN ({role(ROLES['cogs'])}) "
        f"AND vl.account_id NOT IN ({role(ROLES['revenue'])})) l "
        f"LEFT JOIN {_t(StockMove)} m ON m.id = CAST(CASE WHEN l.source_type = 'stock_move' THEN l.source_id END AS BIGINT) "
        f"LEFT JOIN {_t(Shipment)} s ON s.number = m.reference "
        f"LEFT JOIN {_t(Order)} so ON so.id = CAST(CASE WHEN s.source_type = 'oms.order' THEN s.source_id END AS BIGINT) "
        f"LEFT JOIN {_t(Product)} p ON p.id = m.product_id")
    return (f"SELECT x.day, x.account_id, x.channel, x.warehouse, x.category, SUM(x.debit), SUM(x.credit) "
            f"FROM ({revenue} UNION ALL {cogs}) x WHERE 1 = 1 GROUP BY x.day, x.account_id, x.channel, x.warehouse, "
            f"x.category ORDER BY x.day, x.account_id, x.channel, x.warehouse, x.category")


_TABLE = LedgerDay._meta.db_table
_INSERT = f'INSERT INTO "{_TABLE}" ("date", "account_id", "channel", "warehouse", "category", "debit", "credit") '
_UPSERT = (' ON CONFLICT ("date", "account_id", "channel", "warehouse", "category") DO UPDATE SET '
           f'"debit" = "{_TABLE}"."debit" + excluded."debit", "credit" = "{_TABLE}"."credit" + excluded."credit"')


def apply(posted: list[tuple]) -> None:
    """Add just-posted vouchers (voucher, lines, period code) to the summary: one statement for the act.
    Vouchers without a line on a summarised account add nothing (the SELECT finds no row)."""
    ids = sorted({voucher.pk for voucher, _lines, _period in posted})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSERT + _select(ids) + _UPSERT, {"ids": ids} if connection.vendor == "postgresql" else None)


def rebuild() -> int:
    """Throw the summary away and recompute it from the posted voucher lines; returns the row count."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{_TABLE}"')
        cursor.execute(_INSERT + _select(None))
        cursor.execute(f'SELECT COUNT(*) FROM "{_TABLE}"')
        (count,), = cursor.fetchall()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{_TABLE}"')
    return count


TOLERANCE = Decimal("0.0001")  # a hundredth of a fen: shares are kept to 8 places, each posting rounds its own


def _dec(value) -> Decimal:
    return Decimal(str(value if value is not None else 0))


def expected() -> dict[tuple, tuple[Decimal, Decimal]]:
    """The rows as the ledgers say they should be (the rebuild's query, not written)."""
    with connection.cursor() as cursor:
        cursor.execute(_select(None))
        return {(str(d)[:10], a, c, w, g): (_dec(dr), _dec(cr)) for d, a, c, w, g, dr, cr in cursor.fetchall()}


def stored() -> dict[tuple, tuple[Decimal, Decimal]]:
    return {(str(r[0])[:10], *r[1:5]): (_dec(r[5]), _dec(r[6]))
            for r in LedgerDay.objects.values_list(*KEY, "debit", "credit")}


def differences() -> list[tuple]:
    """(key, stored, expected) of every row on which the summary and the ledgers disagree (zero rows count as
    absent: a voucher and its reversal leave a row of zeros)."""
    zero = (Decimal(0), Decimal(0))
    have, want = stored(), expected()
    out = []
    for key in sorted(set(have) | set(want), key=lambda k: tuple(str(p) for p in k)):
        (hd, hc), (wd, wc) = have.get(key, zero), want.get(key, zero)
        if abs(hd - wd) > TOLERANCE or abs(hc - wc) > TOLERANCE:
            out.append((key, have.get(key), want.get(key)))
    return out
