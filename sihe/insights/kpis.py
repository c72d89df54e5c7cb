"""The KPIs (E9): each figure is a query over the books and records themselves — the general ledger's posted
voucher lines (revenue, cost of sales), the stock ledger's valuation layers (stock value), orders, pick lists,
count tasks, closed periods and the shop floor's counts — so it always agrees with the statements.

`figures(period, group_by=...)` answers every KPI; `drill(code, period, group=...)` the documents behind one,
whose amounts add up to the figure (ratios: to its numerator and denominator). Codes are stable: the API and
the pages use them. Money is CNY to the fen; ratios are percentages with two places.

Group keys: `channel` (the order's channel; vouchers of other sources under "-"), `warehouse`, `product_group`
(the product's category). A voucher of revenue is per order, so revenue by product group shares each
order's revenue out over its lines by their sale amount (what the buyer paid + platform subsidy).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sihe.catalog.models import Category, Channel, Warehouse
from sihe.core import clock, modules
from sihe.core.errors import NotFound, ValidationFailed
from sihe.core.money import round_money
from sihe.costing.models import ValuationLayer
from sihe.insights.models import LedgerDay
from sihe.ledger.models import Account, Voucher, VoucherLine
from sihe.ledger.models import Period as LedgerPeriod
from sihe.mes.models import Line, LineCount
from sihe.oms import books as order_books
from sihe.oms.models import Order, OrderLine
from sihe.stock.models import StockMove
from sihe.wms.counting.models import CountTask
from sihe.wms.models import Shipment
from sihe.wms.outbound.models import PickList, PickTask

ZERO = Decimal("0.00")
NONE_KEY = "-"
GROUPS = ("channel", "warehouse", "product_group")
OVERDUE_AFTER_DAYS = 30  # receivables older than the 0–30 bucket of core.aging
MAX_DAYS = 400  # one year and a little: a longer range is refused naming `to`
DRILL_LIMIT = 500


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def since(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_of(start=None, end=None) -> Period:
    """The range asked for (`from`, `to`, dates, inclusive): default the month so far; refusals name the field."""
    today = clock.today()
    end_d = _date(end, "to") if end not in (None, "") else today
    start_d = _date(start, "from") if start not in (None, "") else end_d.replace(day=1)
    if start_d > end_d:
        raise ValidationFailed(_("from (%(start)s) is after to (%(end)s)") % {"start": start_d, "end": end_d},
                               field="from", code="from_after_to")
    if (end_d - start_d).days >= MAX_DAYS:
        raise ValidationFailed(_("the range may span at most %(days)s days") % {"days": MAX_DAYS},
                               field="to", code="range_too_long")
    return Period(start_d, end_d)


def _date(value, name: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(_("%(field)s must be a date (YYYY-MM-DD), not %(value)r") % {"field": name, "value": value},
                               field=name, code="bad_date") from None


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    name_en: str
    unit: str  # CNY, percent, hours, seconds, days, times, lines_per_hour, metres
    definition: str
    definition_en: str
    group_by: tuple[str, ...]
    compute: Callable = field(repr=False)
    drill: Callable = field(repr=False)
    better: str = "up"  # which way is good (the pages colour a change)
    module: str = ""  # the module (sihe.core.modules) whose records it reads; off → not in the default list

    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    def explained(self) -> str:
        return self.definition_en if (get_language() or "").startswith("en") else self.definition


REGISTRY: dict[str, Kpi] = {}


def kpi(**meta):
    def register(compute):
        REGISTRY[meta["code"]] = Kpi(compute=compute, drill=meta.pop("drill"), **meta)
        return compute
    return register


# -- helpers ----------------------------------------------------------------------------------------


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _q(value, places="0.01") -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


def _dec(value) -> Decimal:
    return Decimal(value or 0) if not isinstance(value, Decimal) else value


def _accounts(*roles: str) -> list[int]:
    """The role's account and its sub-accounts (a company may open 5001.01 per product line)."""
    roots = list(Account.objects.filter(role__in=roles).values_list("code", flat=True))
    query = Q(pk__in=[])
    for code in roots:
        query |= Q(code=code) | Q(code__startswith=f"{code}.")
    return list(Account.objects.filter(query).values_list("pk", flat=True))


def _labels(group_by: str | None, keys) -> dict[str, str]:
    keys = [k for k in keys if k not in (None, NONE_KEY)]
    if group_by == "channel":
        return dict(Channel.objects.filter(code__in=keys).values_list("code", "name"))
    if group_by == "warehouse":
        return dict(Warehouse.objects.filter(code__in=keys).values_list("code", "name"))
    if group_by == "product_group":
        return dict(Category.objects.filter(code__in=keys).values_list("code", "name"))
    return {}


def _groups(group_by, rows: dict) -> list[dict]:
    labels = _labels(group_by, rows)
    return [{"key": key, "label": labels.get(key, _("(none)") if key == NONE_KEY else key), "value": value}
            for key, value in sorted(rows.items(), key=lambda kv: (kv[0] == NONE_KEY, str(kv[0])))]


def _table(model) -> str:
    return model._meta.db_table


def _sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _id(source_type: str, column: str = "v.source_id", type_column: str = "v.source_type") -> str:
    # CASE first: other sources' ids need not be numbers, and PostgreSQL would refuse to cast them
    return f"CAST(CASE WHEN {type_column} = '{source_type}' THEN {column} END AS BIGINT)"


# -- the general ledger: revenue and cost of sales, with the voucher's source --------------------------

# FROM … WHERE of the posted lines of some accounts in the period, with the order / move behind each voucher
_GL_FROM = """
FROM {line} vl
JOIN {voucher} v ON v.id = vl.voucher_id
LEFT JOIN {order} o ON o.id = {order_id}
LEFT JOIN {move} m ON m.id = {move_id}
LEFT JOIN {shipment} s ON s.number = m.reference
LEFT JOIN {order} so ON so.id = {shipment_order_id}
WHERE vl.account_id IN ({accounts}) AND v.status = 'posted' AND v.date >= %s AND v.date <= %s
"""

# the group of a GL line: by its order (revenue) or by its move's shipment's order (cost of sales)
_GL_KEY = {
    "channel": "(SELECT c.code FROM {channel} c WHERE c.id = COALESCE(o.channel_id, so.channel_id))",
    "warehouse": ("COALESCE((SELECT w.code FROM {warehouse} w WHERE w.id = COALESCE(m.src_warehouse_id, "
                  "m.dst_warehouse_id)), (SELECT w.code FROM {warehouse} w WHERE w.id = (SELECT MIN(s2.warehouse_id) "
                  "FROM {shipment} s2 WHERE s2.source_type = 'oms.order' AND s2.source_id = v.source_id "
                  "AND v.source_type = 'oms.order')))"),
    "product_group": "(SELECT cat.code FROM {product} p JOIN {category} cat ON cat.id = p.category_id WHERE p.id = m.product_id)",
}


def _gl_parts(accounts: list[int], sign: str) -> tuple[str, str]:
    from sihe.catalog.models import Product

    names = {"line": _table(VoucherLine), "voucher": _table(Voucher), "order": _table(Order),
             "move": _table(StockMove), "shipment": _table(Shipment), "channel": _table(Channel),
             "warehouse": _table(Warehouse), "product": _table(Product), "category": _table(Category),
             "order_line": _table(OrderLine),
             "order_id": _id("oms.order"), "move_id": _id("stock_move"),
             "shipment_order_id": _id("oms.order", "s.source_id", "s.source_type"),
             "accounts": ",".join(str(int(a)) for a in accounts) or "NULL"}
    amount = "(vl.credit - vl.debit)" if sign == "credit" else "(vl.debit - vl.credit)"
    return _GL_FROM.format(**names), amount, names


# The figures' own queries join only what their grouping needs (a year holds millions of lines): revenue
# reaches its order by the voucher's source, cost of sales its move, the move its shipment, that its order.
_LEAN = {
    ("credit", None): ("", "NULL"),
    ("credit", "channel"): ("LEFT JOIN {order} o ON o.id = {order_id}", "o.channel_id"),
    ("credit", "warehouse"): ("LEFT JOIN (SELECT source_id, MIN(warehouse_id) AS wid FROM {shipment} "
                              "WHERE source_type = 'oms.order' GROUP BY source_id) sw "
                              "ON v.source_type = 'oms.order' AND sw.source_id = v.source_id", "sw.wid"),
    ("debit", None): ("", "NULL"),
    ("debit", "channel"): ("LEFT JOIN {move} m ON m.id = {move_id} LEFT JOIN {shipment} s ON s.number = m.reference "
                           "LEFT JOIN {order} so ON so.id = {shipment_order_id}", "so.channel_id"),
    ("debit", "warehouse"): ("LEFT JOIN {move} m ON m.id = {move_id}", "COALESCE(m.src_warehouse_id, m.dst_warehouse_id)"),
    ("debit", "product_group"): ("LEFT JOIN {move} m ON m.id = {move_id} LEFT JOIN {product} p ON p.id = m.product_id",
                                 "p.category_id"),
}
_CODES = {"channel": Channel, "warehouse": Warehouse, "product_group": Category}


_local = threading.local()


@contextmanager
def straight_from_ledgers():
    """Compute the general-ledger figures from the voucher lines themselves instead of the daily summary
    (`LedgerDay`, kept at posting): the tests and `bench/kpis.py` compare the two."""
    before = getattr(_local, "straight", False)
    _local.straight = True
    try:
        yield
    finally:
        _local.straight = before


def _from_summary() -> bool:
    return not getattr(_local, "straight", False)


_SUMMARY_KEY = {"channel": "channel", "warehouse": "warehouse", "product_group": "category"}


def _gl_summary(accounts: list[int], sign: str, period: Period, group_by: str | None) -> tuple[Decimal, dict]:
    """The same figures from the daily summary: a few hundred rows a day instead of thousands of lines."""
    amount = "(credit - debit)" if sign == "credit" else "(debit - credit)"
    base = (f"FROM {_table(LedgerDay)} WHERE account_id IN ({','.join(str(int(a)) for a in accounts)}) "
            f"AND date >= %s AND date <= %s")
    params = [period.start.isoformat(), period.end.isoformat()]
    if not group_by:
        (total,), = _sql(f"SELECT SUM({amount}) {base}", params)
        return round_money(_dec(total)), {}
    column = _SUMMARY_KEY[group_by]
    rows = _sql(f"SELECT {column}, SUM({amount}) {base} GROUP BY {column}", params)
    codes = dict(_CODES[group_by].objects.filter(pk__in=[k for k, _v in rows if k]).values_list("pk", "code"))
    grouped: dict[str, Decimal] = {}
    if group_by == "product_group" and sign == "credit":
        # as `_revenue_by_product_group`: the groups' shares, and what is left of the total under "-"
        total = round_money(sum((_dec(v) for _k, v in rows), ZERO))
        for k, v in rows:
            if k and k in codes:
                grouped[codes[k]] = grouped.get(codes[k], ZERO) + round_money(_dec(v))
        rest = total - sum(grouped.values(), ZERO)
        if rest:
            grouped[NONE_KEY] = rest
        return total, grouped
    for k, v in rows:
        code = codes.get(k, NONE_KEY)
        grouped[code] = grouped.get(code, ZERO) + round_money(_dec(v))
    return sum(grouped.values(), ZERO), grouped


def _gl_by(roles: tuple[str, ...], sign: str, period: Period, group_by: str | None) -> tuple[Decimal, dict]:
    """Σ of the accounts' movements over the period, and per group: from the daily summary, or (inside
    `straight_from_ledgers()`) from the voucher lines with SQL GROUP BY."""
    accounts = _accounts(*roles)
    if not accounts:
        return ZERO, {}
    if _from_summary():
        return _gl_summary(accounts, sign, period, group_by)
    _base, amount, names = _gl_parts(accounts, sign)
    params = [period.start.isoformat(), period.end.isoformat()]
    if group_by == "product_group" and sign == "credit":
        return _revenue_by_product_group(accounts, amount, names, params)
    joins, key = _LEAN[(sign, group_by)]
    where = (f"WHERE vl.account_id IN ({names['accounts']}) AND v.status = 'posted' "
             f"AND v.date >= %s AND v.date <= %s")
    base = f"FROM {names['line']} vl JOIN {names['voucher']} v ON v.id = vl.voucher_id {joins.format(**names)} {where}"
    if not group_by:
        (total,), = _sql(f"SELECT SUM({amount}) {base}", params)
        return round_money(_dec(total)), {}
    rows = _sql(f"SELECT {key} AS k, SUM({amount}) {base} GROUP BY {key}", params)
    codes = dict(_CODES[group_by].objects.filter(pk__in=[k for k, _v in rows if k is not None])
                 .values_list("pk", "code"))
    grouped: dict[str, Decimal] = {}
    for k, v in rows:
        code = codes.get(k, NONE_KEY)
        grouped[code] = grouped.get(code, ZERO) + round_money(_dec(v))
    return sum(grouped.values(), ZERO), grouped


def _revenue_by_product_group(accounts, amount, names, params) -> tuple[Decimal, dict]:
    """An order's revenue voucher shared out over its lines by sale amount; others under "-"."""
    where = (f"WHERE vl.account_id IN ({names['accounts']}) AND v.status = 'posted' "
             f"AND v.date >= %s AND v.date <= %s")
    base = f"FROM {names['line']} vl JOIN {names['voucher']} v ON v.id = vl.voucher_id {where}"
    # each order's revenue once, then its lines with the order's whole sale beside them (a window, one pass)
    rows = _sql(
        f"WITH r AS (SELECT {names['order_id']} AS order_id, SUM({amount}) AS amount {base} "
        f"AND v.source_type = 'oms.order' GROUP BY {names['order_id']}) "
        f"SELECT x.k, SUM(x.amount * x.sale * 1.0 / x.whole) FROM (SELECT r.amount, p.category_id AS k, "
        f"ol.amount_paid + ol.platform_subsidy AS sale, "
        f"SUM(ol.amount_paid + ol.platform_subsidy) OVER (PARTITION BY ol.order_id) AS whole "
        f"FROM r JOIN {names['order_line']} ol ON ol.order_id = r.order_id "
        f"JOIN {names['product']} p ON p.id = ol.product_id) x WHERE x.whole <> 0 GROUP BY x.k", params)
    codes = dict(Category.objects.filter(pk__in=[k for k, _v in rows if k is not None]).values_list("pk", "code"))
    grouped: dict[str, Decimal] = {}
    for k, v in rows:
        code = codes.get(k, NONE_KEY)
        grouped[code] = grouped.get(code, ZERO) + round_money(_dec(v))
    (total,), = _sql(f"SELECT SUM({amount}) {base}", params)
    total = round_money(_dec(total))
    rest = total - sum(grouped.values(), ZERO)
    if rest:
        grouped[NONE_KEY] = grouped.get(NONE_KEY, ZERO) + rest  # other sources, orders without lines, rounding
    return total, grouped


def _gl_drill(roles, sign, period: Period, group_by: str | None, group: str | None, offset: int, limit: int) -> dict:
    accounts = _accounts(*roles)
    if not accounts:
        return {"count": 0, "total": "0.00", "rows": []}
    base, amount, names = _gl_parts(accounts, sign)
    params = [period.start.isoformat(), period.end.isoformat()]
    where = ""
    if group_by and group is not None and group_by != "product_group":
        key = _GL_KEY[group_by].format(**names)
        where = f" AND COALESCE({key}, '{NONE_KEY}') = %s"
        params.append(group)
    elif group_by == "product_group" and group is not None:
        cat = (f"(SELECT cat.code FROM {names['product']} p LEFT JOIN {names['category']} cat ON cat.id = p.category_id "
               f"WHERE p.id = m.product_id)")
        where = (f" AND (COALESCE({cat}, '{NONE_KEY}') = %s OR EXISTS (SELECT 1 FROM {names['order_line']} ol "
                 f"JOIN {names['product']} p ON p.id = ol.product_id LEFT JOIN {names['category']} cat "
                 f"ON cat.id = p.category_id WHERE ol.order_id = o.id AND COALESCE(cat.code, '{NONE_KEY}') = %s))")
        params += [group, group]
    (count, total), = _sql(f"SELECT COUNT(*), SUM({amount}) {base}{where}", params)
    rows = _sql(f"SELECT v.id, v.word, v.number, v.date, v.source_type, v.source_id, v.memo, {amount}, "
                f"COALESCE(o.number, so.number), m.reference {base}{where} ORDER BY v.date, v.id, vl.id "
                f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return {"count": count, "total": str(round_money(_dec(total))), "rows": [
        {"type": "voucher", "id": vid, "number": f"{word}-{number}" if number else f"#{vid}", "date": str(date)[:10],
         "source_type": st, "source_id": sid, "order": order or "", "shipment": ref or "", "memo": memo,
         "amount": str(round_money(_dec(amt)))}
        for vid, word, number, date, st, sid, memo, amt, order, ref in rows]}


def revenue_by_day(period: Period) -> dict[datetime.date, Decimal]:
    """Revenue (the KPI's query) per voucher date, for a trend."""
    accounts = _accounts("revenue")
    if not accounts:
        return {}
    params = [period.start.isoformat(), period.end.isoformat()]
    if _from_summary():
        rows = _sql(f"SELECT date, SUM(credit - debit) FROM {_table(LedgerDay)} WHERE account_id IN "
                    f"({','.join(str(int(a)) for a in accounts)}) AND date >= %s AND date <= %s GROUP BY date", params)
    else:
        base, amount, _names = _gl_parts(accounts, "credit")
        rows = _sql(f"SELECT v.date, SUM({amount}) {base} GROUP BY v.date", params)
    return {d if isinstance(d, datetime.date) else datetime.date.fromisoformat(str(d)[:10]): round_money(_dec(v))
            for d, v in rows}


def _revenue_drill(period, group_by, group, offset, limit):
    return _gl_drill(("revenue",), "credit", period, group_by, group, offset, limit)


def _cogs_drill(period, group_by, group, offset, limit):
    return _gl_drill(("cogs",), "debit", period, group_by, group, offset, limit)


@kpi(code="revenue", name="营业收入", name_en="Revenue", unit="CNY", group_by=GROUPS, drill=_revenue_drill,
     definition="期间内已过账凭证中主营业务收入（5001及明细）贷方减借方，不含税；按渠道取凭证来源订单的渠道。",
     definition_en="Credits less debits on revenue (5001 and sub-accounts) in posted vouchers dated in the range, "
                   "net of VAT; the channel is that of the voucher's source order.")
def revenue(period: Period, group_by: str | None = None) -> dict:
    total, groups = _gl_by(("revenue",), "credit", period, group_by)
    return {"value": total, "groups": groups}


@kpi(code="cogs", name="销售成本", name_en="Cost of sales", unit="CNY", group_by=GROUPS, drill=_cogs_drill,
     better="down",
     definition="期间内已过账凭证中主营业务成本（5401）借方减贷方：出库时按存货计价结转的成本。",
     definition_en="Debits less credits on cost of sales (5401) in posted vouchers: the cost of goods issued, "
                   "valued by the stock ledger.")
def cogs(period: Period, group_by: str | None = None) -> dict:
    total, groups = _gl_by(("cogs",), "debit", period, group_by)
    return {"value": total, "groups": groups}


def _profit_parts(period, group_by):
    rev, rev_groups = _gl_by(("revenue",), "credit", period, group_by)
    cost, cost_groups = _gl_by(("cogs",), "debit", period, group_by)
    keys = set(rev_groups) | set(cost_groups)
    return rev, cost, {k: (rev_groups.get(k, ZERO), cost_groups.get(k, ZERO)) for k in keys}


def _profit_drill(period, group_by, group, offset, limit):
    rev = _revenue_drill(period, group_by, group, offset, limit)
    cost = _cogs_drill(period, group_by, group, offset, limit)
    for row in cost["rows"]:
        row["amount"] = str(-Decimal(row["amount"]))
    return {"count": rev["count"] + cost["count"],
            "total": str(Decimal(rev["total"]) - Decimal(cost["total"])),
            "revenue": rev["total"], "cogs": cost["total"], "rows": rev["rows"] + cost["rows"]}


@kpi(code="gross_profit", name="毛利", name_en="Gross profit", unit="CNY", group_by=GROUPS, drill=_profit_drill,
     definition="营业收入减销售成本（均取自总账已过账凭证）。",
     definition_en="Revenue less cost of sales, both from posted vouchers in the general ledger.")
def gross_profit(period: Period, group_by: str | None = None) -> dict:
    rev, cost, parts = _profit_parts(period, group_by)
    return {"value": rev - cost, "groups": {k: r - c for k, (r, c) in parts.items()}}


@kpi(code="gross_margin", name="毛利率", name_en="Gross margin", unit="percent", group_by=GROUPS, drill=_profit_drill,
     definition="毛利 ÷ 营业收入 × 100%。",
     definition_en="Gross profit ÷ revenue × 100 %.")
def gross_margin(period: Period, group_by: str | None = None) -> dict:
    rev, cost, parts = _profit_parts(period, group_by)
    return {"value": _pct(rev - cost, rev), "numerator": rev - cost, "denominator": rev,
            "groups": {k: _pct(r - c, r) for k, (r, c) in parts.items()}}


# -- the stock ledger: stock value, turnover ---------------------------------------------------------------


def _stock_values(days: tuple[datetime.date, ...], group_by: str | None) -> list[tuple[Decimal, dict]]:
    """Σ of the valuation layers up to each day (the month-end check keeps it equal to 1405 + 1403), whole
    and per group: one scan of the layers for all the days, grouped by the layer's own warehouse or product
    id (no join per layer); the few keys are mapped to codes afterwards."""
    from sihe.catalog.models import Product

    column = {"warehouse": "warehouse_id", "product_group": "product_id"}.get(group_by or "", "0")
    sums = ", ".join("SUM(CASE WHEN date <= %s THEN value ELSE 0 END)" for _d in days)
    params = [d.isoformat() for d in days] + [max(days).isoformat()]
    rows = _sql(f"SELECT {column}, {sums} FROM {_table(ValuationLayer)} WHERE date <= %s"
                + (f" GROUP BY {column}" if group_by else ""), params)
    if group_by == "warehouse":
        codes = dict(Warehouse.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "code"))
    elif group_by == "product_group":
        codes = {pk: code or NONE_KEY for pk, code in
                 Product.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "category__code")}
    out = []
    for i, _day in enumerate(days, start=1):
        if not group_by:
            out.append((round_money(_dec(rows[0][i] if rows else None)), {}))
            continue
        raw: dict[str, Decimal] = {}
        for row in rows:
            code = codes.get(row[0], NONE_KEY)
            raw[code] = raw.get(code, ZERO) + _dec(row[i])
        grouped = {k: round_money(v) for k, v in raw.items()}
        out.append((sum(grouped.values(), ZERO), grouped))
    return out


def _stock_value(day: datetime.date, group_by: str | None) -> tuple[Decimal, dict]:
    return _stock_values((day,), group_by)[0]


def _stock_drill(period, group_by, group, offset, limit):
    rows = ValuationLayer.objects.filter(date__lte=period.end)
    if group_by == "warehouse" and group is not None:
        rows = rows.filter(warehouse__code=group)
    elif group_by == "product_group" and group is not None:
        rows = rows.filter(product__category__isnull=True) if group == NONE_KEY else rows.filter(
            product__category__code=group)
    per = (rows.values("product__sku", "product__name", "warehouse__code").annotate(qty=Sum("qty"), value=Sum("value"))
           .exclude(qty=0, value=0).order_by("warehouse__code", "product__sku"))
    total = rows.aggregate(v=Sum("value"))["v"]
    return {"count": per.count(), "total": str(round_money(_dec(total))), "rows": [
        {"type": "stock", "product": r["product__sku"], "name": r["product__name"], "warehouse": r["warehouse__code"],
         "qty": str(r["qty"].normalize()), "amount": str(round_money(_dec(r["value"])))}
        for r in per[offset:offset + limit]]}


@kpi(code="stock_value", name="库存金额", name_en="Stock value", unit="CNY", group_by=("warehouse", "product_group"),
     drill=_stock_drill, better="down",
     definition="截至期末日存货计价层金额合计（与1405库存商品+1403原材料一致，月结检查核对）。",
     definition_en="Value of the stock ledger's valuation layers up to the end date (equal to 1405 + 1403; the "
                   "month-end check compares them).")
def stock_value(period: Period, group_by: str | None = None) -> dict:
    total, groups = _stock_value(period.end, group_by)
    return {"value": total, "groups": groups}


def _turnover_parts(period, group_by):
    (opening, open_groups), (closing, close_groups) = _stock_values(
        (period.start - datetime.timedelta(days=1), period.end), group_by)
    cost, cost_groups = _gl_by(("cogs",), "debit", period, group_by)
    keys = set(open_groups) | set(close_groups) | set(cost_groups)
    parts = {k: (cost_groups.get(k, ZERO), (open_groups.get(k, ZERO) + close_groups.get(k, ZERO)) / 2) for k in keys}
    return cost, (opening + closing) / 2, parts


def _turns(cost, average):
    return _q(cost / average) if average > 0 else None


def _days(cost, average, days):
    return _q(average * days / cost, "0.1") if cost > 0 else None


@kpi(code="inventory_turnover", name="存货周转率", name_en="Inventory turnover", unit="times",
     group_by=("warehouse", "product_group"), drill=_cogs_drill,
     definition="期间销售成本 ÷ 平均库存金额（期初、期末库存金额的平均）。",
     definition_en="Cost of sales in the range ÷ average stock value (mean of the opening and closing values).")
def inventory_turnover(period: Period, group_by: str | None = None) -> dict:
    cost, average, parts = _turnover_parts(period, group_by)
    return {"value": _turns(cost, average), "numerator": cost, "denominator": round_money(average),
            "groups": {k: _turns(c, a) for k, (c, a) in parts.items()}}


@kpi(code="days_of_stock", name="存货周转天数", name_en="Days of stock", unit="days",
     group_by=("warehouse", "product_group"), drill=_stock_drill, better="down",
     definition="平均库存金额 × 期间天数 ÷ 期间销售成本：现有库存按当前销售够卖几天。",
     definition_en="Average stock value × days in the range ÷ cost of sales: how many days the stock lasts at "
                   "the current rate of sale.")
def days_of_stock(period: Period, group_by: str | None = None) -> dict:
    cost, average, parts = _turnover_parts(period, group_by)
    return {"value": _days(cost, average, period.days), "numerator": round_money(average), "denominator": cost,
            "groups": {k: _days(c, a, period.days) for k, (c, a) in parts.items()}}


# -- counts ----------------------------------------------------------------------------------------------


def _closed_counts(period):
    return CountTask.objects.filter(state="closed", closed_at__gte=period.since, closed_at__lt=period.until)


def _accuracy_drill(period, group_by, group, offset, limit):
    tasks = _closed_counts(period)
    if group_by == "warehouse" and group is not None:
        tasks = tasks.filter(warehouse__code=group)
    agg = tasks.aggregate(n=Sum("lines_counted"), ok=Sum("lines_matched"))
    return {"count": tasks.count(), "total": str(_pct(agg["ok"] or 0, agg["n"] or 0)),
            "numerator": agg["ok"] or 0, "denominator": agg["n"] or 0, "rows": [
                {"type": "count_task", "id": t.pk, "number": t.number, "warehouse": t.warehouse.code,
                 "date": str(clock.day_of(t.closed_at)), "counted": t.lines_counted, "matched": t.lines_matched,
                 "amount": str(t.accuracy) if t.accuracy is not None else None}
                for t in tasks.select_related("warehouse").order_by("closed_at", "pk")[offset:offset + limit]]}


@kpi(code="inventory_accuracy", module="warehouse", name="库存准确率", name_en="Inventory record accuracy", unit="percent",
     group_by=("warehouse",), drill=_accuracy_drill,
     definition="期间内关闭的盘点任务中，实盘与账面相符（在容差内）的行数 ÷ 已盘行数。",
     definition_en="Count lines whose final count matched the record (within tolerance) ÷ lines counted, over "
                   "count tasks closed in the range.")
def inventory_accuracy(period: Period, group_by: str | None = None) -> dict:
    tasks = _closed_counts(period)
    agg = tasks.aggregate(n=Sum("lines_counted"), ok=Sum("lines_matched"))
    groups = {}
    if group_by == "warehouse":
        groups = {r["warehouse__code"]: _pct(r["ok"], r["n"]) for r in
                  tasks.values("warehouse__code").annotate(n=Sum("lines_counted"), ok=Sum("lines_matched"))}
    return {"value": _pct(agg["ok"] or 0, agg["n"] or 0), "numerator": agg["ok"] or 0, "denominator": agg["n"] or 0,
            "groups": groups}


# -- orders ----------------------------------------------------------------------------------------------


def _due_orders(period):
    """Orders promised to ship in the range: shipped, or already late (due before now and not shipped)."""
    now = clock.now()
    return (Order.objects.filter(promised_ship_at__gte=period.since, promised_ship_at__lt=period.until)
            .exclude(status="cancelled")
            .filter(Q(shipped_at__isnull=False) | Q(promised_ship_at__lt=now)))


def _on_time_q():
    return Q(shipped_at__isnull=False, shipped_at__lte=F("promised_ship_at"))


def _ontime_drill(period, group_by, group, offset, limit):
    orders = _due_orders(period)
    if group_by == "channel" and group is not None:
        orders = orders.filter(channel__code=group)
    n = orders.count()
    ok = orders.filter(_on_time_q()).count()
    return {"count": n, "total": str(_pct(ok, n)), "numerator": ok, "denominator": n, "rows": [
        {"type": "order", "id": o.pk, "number": o.number, "channel": o.channel.code,
         "promised": clock.local(o.promised_ship_at).isoformat(timespec="minutes"),
         "shipped": clock.local(o.shipped_at).isoformat(timespec="minutes") if o.shipped_at else None,
         "on_time": bool(o.shipped_at and o.shipped_at <= o.promised_ship_at)}
        for o in orders.select_related("channel").order_by("promised_ship_at", "pk")[offset:offset + limit]]}


@kpi(code="on_time_shipment", module="orders", name="准时发货率", name_en="On-time shipment rate", unit="percent",
     group_by=("channel",), drill=_ontime_drill,
     definition="承诺发货时间在期间内的订单中，在承诺时间前发出的比例；已过承诺时间仍未发的计为延误。",
     definition_en="Of the orders promised to ship in the range, the share shipped by the promised time; an "
                   "order past its promise and not shipped counts as late.")
def on_time_shipment(period: Period, group_by: str | None = None) -> dict:
    orders = _due_orders(period)
    groups = {}
    if group_by == "channel":  # one scan: the whole is the sum of the channels
        rows = list(orders.values("channel_id").annotate(n=Count("pk"), ok=Count("pk", filter=_on_time_q()))
                    .values_list("channel_id", "n", "ok"))
        codes = _channel_codes(rows)
        groups = {codes.get(c, NONE_KEY): _pct(ok, n) for c, n, ok in rows}
        agg = {"n": sum(r[1] for r in rows), "ok": sum(r[2] for r in rows)}
    else:
        agg = orders.aggregate(n=Count("pk"), ok=Count("pk", filter=_on_time_q()))
    return {"value": _pct(agg["ok"], agg["n"]), "numerator": agg["ok"], "denominator": agg["n"], "groups": groups}


def _channel_codes(rows) -> dict:
    return dict(Channel.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "code"))


def _avg_seconds(queryset, end: str, start) -> tuple[float | None, int]:
    agg = queryset.aggregate(avg=Avg(ExpressionWrapper(F(end) - start, output_field=DurationField())), n=Count("pk"))
    avg = agg["avg"]
    if avg is not None and not isinstance(avg, datetime.timedelta):  # SQLite answers microseconds
        avg = datetime.timedelta(microseconds=float(avg))
    return (avg.total_seconds() if avg is not None else None), agg["n"]


def _seconds(value) -> float:
    if value is None:
        return 0.0
    if not isinstance(value, datetime.timedelta):  # SQLite answers microseconds
        value = datetime.timedelta(microseconds=float(value))
    return value.total_seconds()


def _avg_seconds_by_channel(queryset, end: str, start) -> tuple[float | None, int, dict[str, float | None]]:
    """The average of (end − start), whole and per channel, from one GROUP BY (a year is hundreds of
    thousands of orders): Σ and count per channel, the whole from their sums."""
    rows = list(queryset.values("channel_id").annotate(
        spent=Sum(ExpressionWrapper(F(end) - start, output_field=DurationField())), n=Count("pk"))
        .values_list("channel_id", "spent", "n"))
    codes = _channel_codes(rows)
    per = {codes.get(c, NONE_KEY): (_seconds(spent) / n if n else None) for c, spent, n in rows}
    n = sum(r[2] for r in rows)
    return (sum(_seconds(r[1]) for r in rows) / n if n else None), n, per


def _shipped(period):
    return Order.objects.filter(shipped_at__gte=period.since, shipped_at__lt=period.until)


_PAID = Coalesce(F("paid_at"), F("ordered_at"))


def _cycle_drill(period, group_by, group, offset, limit):
    orders = _shipped(period)
    if group_by == "channel" and group is not None:
        orders = orders.filter(channel__code=group)
    avg, n = _avg_seconds(orders, "shipped_at", _PAID)
    return {"count": n, "total": str(_q(avg / 3600)) if avg is not None else None, "rows": [
        {"type": "order", "id": o.pk, "number": o.number, "channel": o.channel.code,
         "paid": clock.local(o.paid_at or o.ordered_at).isoformat(timespec="minutes"),
         "shipped": clock.local(o.shipped_at).isoformat(timespec="minutes"),
         "amount": str(_q(Decimal((o.shipped_at - (o.paid_at or o.ordered_at)).total_seconds()) / 3600))}
        for o in orders.select_related("channel").order_by("shipped_at", "pk")[offset:offset + limit]]}


@kpi(code="order_cycle_time", module="orders", name="订单履约周期", name_en="Order-to-ship cycle time", unit="hours",
     group_by=("channel",), drill=_cycle_drill, better="down",
     definition="期间内发货订单从付款（无付款时间则下单）到发货的平均小时数。",
     definition_en="Average hours from payment (order time when unpaid) to shipment, over orders shipped in "
                   "the range.")
def order_cycle_time(period: Period, group_by: str | None = None) -> dict:
    orders = _shipped(period)
    groups = {}
    if group_by == "channel":
        avg, n, per = _avg_seconds_by_channel(orders, "shipped_at", _PAID)
        groups = {code: _q(a / 3600) if a is not None else None for code, a in per.items()}
    else:
        avg, n = _avg_seconds(orders, "shipped_at", _PAID)
    return {"value": _q(avg / 3600) if avg is not None else None, "denominator": n, "groups": groups}


def _received(period):
    return Order.objects.filter(received_at__gte=period.since, received_at__lt=period.until, paid_at__isnull=False)


def _handoff_drill(period, group_by, group, offset, limit):
    orders = _received(period)
    if group_by == "channel" and group is not None:
        orders = orders.filter(channel__code=group)
    avg, n = _avg_seconds(orders, "received_at", F("paid_at"))
    return {"count": n, "total": str(_q(avg, "0.1")) if avg is not None else None, "rows": [
        {"type": "order", "id": o.pk, "number": o.number, "channel": o.channel.code,
         "paid": clock.local(o.paid_at).isoformat(timespec="seconds"),
         "received": clock.local(o.received_at).isoformat(timespec="seconds"),
         "amount": str(_q(Decimal((o.received_at - o.paid_at).total_seconds()), "0.1"))}
        for o in orders.select_related("channel").order_by("received_at", "pk")[offset:offset + limit]]}


@kpi(code="handoff_latency", module="orders", name="订单下发时延", name_en="Order hand-off latency", unit="seconds",
     group_by=("channel",), drill=_handoff_drill, better="down",
     definition="期间内进入四合的已付款订单，从渠道付款到订单在四合生成的平均秒数。",
     definition_en="Average seconds from payment on the channel to the order being created in Sihe, over paid "
                   "orders received in the range.")
def handoff_latency(period: Period, group_by: str | None = None) -> dict:
    orders = _received(period)
    groups = {}
    if group_by == "channel":
        avg, n, per = _avg_seconds_by_channel(orders, "received_at", F("paid_at"))
        groups = {code: _q(a, "0.1") if a is not None else None for code, a in per.items()}
    else:
        avg, n = _avg_seconds(orders, "received_at", F("paid_at"))
    return {"value": _q(avg, "0.1") if avg is not None else None, "denominator": n, "groups": groups}


def _overdue_orders(period):
    """Open receivables (revenue booked − settled) per order, aged from shipment as of the end date."""
    cutoff = timezone.make_aware(datetime.datetime.combine(
        period.end - datetime.timedelta(days=OVERDUE_AFTER_DAYS), datetime.time.min))
    return (Order.objects.filter(revenue_total__gt=F("settled_total"))
            .filter(Q(shipped_at__lt=cutoff) | Q(shipped_at__isnull=True, received_at__lt=cutoff)))


def _overdue_drill(period, group_by, group, offset, limit):
    orders = _overdue_orders(period)
    if group_by == "channel" and group is not None:
        orders = orders.filter(channel__code=group)
    total = orders.aggregate(v=Sum(F("revenue_total") - F("settled_total")))["v"]
    return {"count": orders.count(), "total": str(round_money(_dec(total))), "rows": [
        {"type": "order", "id": o.pk, "number": o.number, "channel": o.channel.code,
         "customer": o.partner.name if o.partner_id else o.channel.name,
         "date": str(clock.day_of(o.shipped_at or o.received_at)),
         "days": (period.end - clock.day_of(o.shipped_at or o.received_at)).days,
         "amount": str(o.revenue_total - o.settled_total)}
        for o in orders.select_related("channel", "partner").order_by("shipped_at", "pk")[offset:offset + limit]]}


@kpi(code="receivables_overdue", module="orders", name="逾期应收", name_en="Receivables overdue", unit="CNY",
     group_by=("channel",), drill=_overdue_drill, better="down",
     definition="截至期末日，发货超过30天仍未收回的应收账款（账龄31天以上各段之和，与应收账龄表一致）。",
     definition_en="Receivables still open more than 30 days after shipment as of the end date (the aging "
                   "report's buckets beyond 0–30).")
def receivables_overdue(period: Period, group_by: str | None = None) -> dict:
    orders = _overdue_orders(period)
    amount = F("revenue_total") - F("settled_total")
    if group_by == "channel":  # one scan: the whole is the sum of the channels
        rows = list(orders.values("channel_id").annotate(v=Sum(amount)).values_list("channel_id", "v"))
        codes = _channel_codes(rows)
        groups = {codes.get(c, NONE_KEY): round_money(_dec(v)) for c, v in rows}
        return {"value": round_money(sum((_dec(v) for _c, v in rows), ZERO)), "groups": groups}
    return {"value": round_money(_dec(orders.aggregate(v=Sum(amount))["v"])), "groups": {}}


def aging_report(period: Period) -> dict:
    """The AR aging report as of the end date (core.aging buckets), for the pages."""
    return order_books.ar_aging(as_of=period.end)


# -- the warehouse floor: picking rate, walking saved ---------------------------------------------------


def _finished_lists(period):
    return PickList.objects.filter(state="done", finished_at__gte=period.since, finished_at__lt=period.until,
                                   started_at__isnull=False)


def _duration(queryset) -> dict[str, float]:
    """Σ (finished − started) per picker, in seconds (SQLite answers microseconds, PostgreSQL an interval)."""
    out = {}
    for row in queryset.values("picker").annotate(
            spent=Sum(ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField()))):
        spent = row["spent"]
        if spent is not None and not isinstance(spent, datetime.timedelta):
            spent = datetime.timedelta(microseconds=float(spent))
        out[row["picker"] or NONE_KEY] = spent.total_seconds() if spent is not None else 0.0
    return out


def _picker_rows(period) -> dict[str, tuple[int, float]]:
    """Per picker: lines picked and seconds spent on the pick lists finished in the range (two GROUP BYs)."""
    lists = _finished_lists(period)
    lines = {(k or NONE_KEY): n for k, n in PickTask.objects.filter(
        state="done", picklist__state="done", picklist__started_at__isnull=False,
        picklist__finished_at__gte=period.since, picklist__finished_at__lt=period.until)
        .values("picklist__picker").annotate(n=Count("pk")).values_list("picklist__picker", "n")}
    return {name: (lines.get(name, 0), seconds) for name, seconds in _duration(lists).items()}


def _rate(lines, seconds):
    return _q(Decimal(lines) * 3600 / Decimal(str(seconds)), "0.1") if seconds else None


def _picking_drill(period, group_by, group, offset, limit):
    lists = _finished_lists(period)
    if group is not None:
        lists = lists.filter(picker="" if group == NONE_KEY else group)
    lines = dict(PickTask.objects.filter(picklist__in=lists, state="done").values("picklist")
                 .annotate(n=Count("pk")).values_list("picklist", "n"))
    rows = list(lists.order_by("finished_at", "pk"))
    total_lines = sum(lines.values())
    seconds = sum((p.finished_at - p.started_at).total_seconds() for p in rows)
    return {"count": len(rows), "total": str(_rate(total_lines, seconds)), "numerator": total_lines,
            "denominator": str(_q(Decimal(str(seconds)) / 3600)), "rows": [
                {"type": "picklist", "id": p.pk, "number": p.number, "picker": p.picker, "lines": lines.get(p.pk, 0),
                 "minutes": str(_q(Decimal(str((p.finished_at - p.started_at).total_seconds())) / 60, "0.1"))}
                for p in rows[offset:offset + limit]]}


@kpi(code="picking_rate", module="warehouse", name="拣货效率", name_en="Picking rate", unit="lines_per_hour", group_by=("picker",),
     drill=_picking_drill,
     definition="期间内完成的拣货单中已拣行数 ÷ 拣货用时（开始到完成，小时）；按拣货员分组为每人的行/小时。",
     definition_en="Lines picked on pick lists finished in the range ÷ hours from start to finish; grouped by "
                   "picker it is each picker's lines per hour.")
def picking_rate(period: Period, group_by: str | None = None) -> dict:
    rows = _picker_rows(period)
    lines = sum(n for n, _s in rows.values())
    seconds = sum(s for _n, s in rows.values())
    groups = {k: _rate(n, s) for k, (n, s) in rows.items()} if group_by == "picker" else {}
    return {"value": _rate(lines, seconds), "numerator": lines, "denominator": _q(Decimal(str(seconds)) / 3600),
            "groups": groups}


def _walk_lists(period):
    return _finished_lists(period).filter(naive_length__isnull=False)


def _walk_drill(period, group_by, group, offset, limit):
    lists = _walk_lists(period)
    if group_by == "warehouse" and group is not None:
        lists = lists.filter(wave__warehouse__code=group)
    agg = lists.aggregate(naive=Sum("naive_length"), routed=Sum("length"))
    return {"count": lists.count(), "total": str(_q(_dec(agg["naive"]) - _dec(agg["routed"]))), "rows": [
        {"type": "picklist", "id": p.pk, "number": p.number, "picker": p.picker, "naive": str(p.naive_length),
         "routed": str(p.length), "amount": str(p.naive_length - p.length)}
        for p in lists.order_by("finished_at", "pk")[offset:offset + limit]]}


@kpi(code="walking_saved", module="warehouse", name="路径优化节省步行", name_en="Walking distance saved by routing", unit="metres",
     group_by=("warehouse",), drill=_walk_drill,
     definition="期间内完成的拣货单：按来单顺序拣货的步行距离减去路径优化后的距离（米）；另给出节省比例。",
     definition_en="On pick lists finished in the range: metres a picker would walk taking the lines in the order "
                   "they came, less the routed length; the share saved is given too.")
def walking_saved(period: Period, group_by: str | None = None) -> dict:
    lists = _walk_lists(period)
    agg = lists.aggregate(naive=Sum("naive_length"), routed=Sum("length"))
    naive, routed = _dec(agg["naive"]), _dec(agg["routed"])
    groups = {}
    if group_by == "warehouse":
        groups = {r["wave__warehouse__code"]: _dec(r["naive"]) - _dec(r["routed"]) for r in
                  lists.values("wave__warehouse__code").annotate(naive=Sum("naive_length"), routed=Sum("length"))}
    return {"value": _q(naive - routed), "share": _pct(naive - routed, naive), "numerator": _q(naive - routed),
            "denominator": _q(naive), "groups": {k: _q(v) for k, v in groups.items()}}


# -- the books: days to close ---------------------------------------------------------------------------


def _closed_periods(period):
    return LedgerPeriod.objects.filter(status="closed", closed_at__gte=period.since, closed_at__lt=period.until)


def _last_day(code: str) -> datetime.date:
    year, month = int(code[:4]), int(code[5:7])
    first_next = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def _close_days(p) -> int:
    return (clock.day_of(p.closed_at) - _last_day(p.code)).days


def _close_drill(period, group_by, group, offset, limit):
    rows = list(_closed_periods(period).order_by("code"))
    days = [_close_days(p) for p in rows]
    return {"count": len(rows), "total": str(_q(Decimal(sum(days)) / len(days), "0.1")) if rows else None, "rows": [
        {"type": "period", "id": p.pk, "number": p.code, "period_end": str(_last_day(p.code)),
         "closed": str(clock.day_of(p.closed_at)), "closed_by": p.closed_by, "amount": d}
        for p, d in list(zip(rows, days, strict=True))[offset:offset + limit]]}


@kpi(code="days_to_close", name="结账天数", name_en="Days to close", unit="days", group_by=(), drill=_close_drill,
     better="down",
     definition="期间内结账的会计期间：结账日期减去该期间最后一天的平均天数。",
     definition_en="For the accounting periods closed in the range: average days from the period's last day to "
                   "the day it was closed.")
def days_to_close(period: Period, group_by: str | None = None) -> dict:
    days = [_close_days(p) for p in _closed_periods(period)]
    return {"value": _q(Decimal(sum(days)) / len(days), "0.1") if days else None, "denominator": len(days),
            "groups": {}}


# -- the shop floor: OEE and yield per line -------------------------------------------------------------


def _line_oee(period) -> dict[str, dict]:
    from sihe.mes import selectors as mes

    out = {}
    for line in Line.objects.order_by("code"):
        if not LineCount.objects.filter(line=line, minute__gte=period.since, minute__lt=period.until).exists():
            continue
        out[line.code] = mes.oee_for(line=line, since=period.since, until=period.until)
    return out


def _mes_drill(period, group_by, group, offset, limit):
    per = _line_oee(period)
    rows = [{"type": "line", "number": code, "availability": f["availability"], "performance": f["performance"],
             "quality": f["quality"], "oee": f["oee"], "good": f["good"], "total": f["total"]}
            for code, f in per.items() if group is None or code == group]
    return {"count": len(rows), "total": None, "rows": rows[offset:offset + limit]}


@kpi(code="oee", module="shopfloor", name="设备综合效率", name_en="OEE", unit="percent", group_by=("line",), drill=_mes_drill,
     definition="可用率 × 性能 × 质量（Nakajima）：按计划时间、停机状态、理想节拍和良品/总数计算；全厂为各产线按计划时间加权。",
     definition_en="Availability × performance × quality (Nakajima) from planned time, machine states, the ideal "
                   "cycle and good/total counts; the plant figure weights lines by planned time.")
def oee(period: Period, group_by: str | None = None) -> dict:
    per = _line_oee(period)
    planned = sum(f["planned_seconds"] for f in per.values())
    value = (_q(Decimal(str(sum(f["oee"] * f["planned_seconds"] for f in per.values()) / planned)) * 100)
             if planned else None)
    return {"value": value, "groups": {k: _q(Decimal(str(f["oee"])) * 100) for k, f in per.items()}
            if group_by == "line" else {}}


def _yield_rows(period):
    return LineCount.objects.filter(minute__gte=period.since, minute__lt=period.until)


@kpi(code="yield", module="shopfloor", name="良品率", name_en="Yield", unit="percent", group_by=("line",), drill=_mes_drill,
     definition="期间内产线计数的良品 ÷（良品 + 废品）。",
     definition_en="Good ÷ (good + scrap) of what the lines counted in the range.")
def yield_(period: Period, group_by: str | None = None) -> dict:
    rows = _yield_rows(period)
    agg = rows.aggregate(good=Sum("good"), scrap=Sum("scrap"))
    good, scrap = _dec(agg["good"]), _dec(agg["scrap"])
    groups = {}
    if group_by == "line":
        groups = {r["line__code"]: _pct(r["good"], r["good"] + r["scrap"])
                  for r in rows.values("line__code").annotate(good=Sum("good"), scrap=Sum("scrap"))}
    return {"value": _pct(good, good + scrap), "numerator": good.normalize(), "denominator": (good + scrap).normalize(),
            "groups": groups}


# -- answers ---------------------------------------------------------------------------------------------


def get(code: str) -> Kpi:
    try:
        return REGISTRY[code]
    except KeyError:
        raise NotFound(_("no KPI %(code)r; the codes are %(codes)s") % {"code": code, "codes": ", ".join(REGISTRY)},
                       field="code", code="unknown_kpi") from None


def _group_by(kpi_: Kpi, group_by: str | None) -> str | None:
    if group_by in (None, ""):
        return None
    all_groups = {g for k in REGISTRY.values() for g in k.group_by}
    if group_by not in all_groups:
        raise ValidationFailed(_("group_by must be one of %(groups)s") % {"groups": ", ".join(sorted(all_groups))},
                               field="group_by", code="bad_group_by")
    return group_by if group_by in kpi_.group_by else None


def _text(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def describe(k: Kpi) -> dict:
    return {"code": k.code, "name": k.label(), "name_zh": k.name, "name_en": k.name_en, "unit": k.unit,
            "definition": k.explained(), "definition_zh": k.definition, "definition_en": k.definition_en,
            "group_by": list(k.group_by), "better": k.better}


def figure(code: str, period: Period, *, group_by: str | None = None) -> dict:
    k = get(code)
    grouping = _group_by(k, group_by)
    result = k.compute(period, grouping)
    out = {**describe(k), "value": _text(result["value"]), "grouped_by": grouping,
           "groups": [{**g, "value": _text(g["value"])} for g in _groups(grouping, result.get("groups") or {})]}
    for extra in ("numerator", "denominator", "share"):
        if extra in result:
            out[extra] = _text(result[extra])
    return out


def enabled(codes) -> list[str]:
    """The codes whose module is on (all, when no module is switched off)."""
    off = modules.disabled()
    return [code for code in codes if not REGISTRY[code].module or REGISTRY[code].module not in off]


def figures(period: Period, *, group_by: str | None = None, codes: list[str] | None = None) -> list[dict]:
    """Every KPI (or those named) over the period; a KPI that cannot be grouped that way answers ungrouped.
    Without `codes`, the KPIs of a module switched off (no shop floor in a web shop) are left out."""
    if group_by not in (None, ""):
        _group_by(next(iter(REGISTRY.values())), group_by)  # refuse an unknown group_by once, naming the field
    if not codes:
        codes = enabled(REGISTRY)
    return [figure(code, period, group_by=group_by) for code in codes]


def drill(code: str, period: Period, *, group_by: str | None = None, group: str | None = None,
          offset: int = 0, limit: int = DRILL_LIMIT) -> dict:
    """The documents behind a figure: vouchers, orders, pick lists, count tasks, periods or lines; `total`
    is the figure they make (the sum of `amount`, or the ratio of numerator and denominator)."""
    k = get(code)
    grouping = _group_by(k, group_by)
    if group not in (None, "") and grouping is None and code not in ("picking_rate", "oee", "yield"):
        raise ValidationFailed(_("group needs a group_by this KPI knows (%(groups)s)")
                               % {"groups": ", ".join(k.group_by) or "-"}, field="group_by", code="group_without_group_by")
    if offset < 0:
        raise ValidationFailed(_("offset must not be negative"), field="offset")
    if not 1 <= limit <= DRILL_LIMIT:
        raise ValidationFailed(_("limit must be between 1 and %(max)s") % {"max": DRILL_LIMIT}, field="limit")
    answer = k.drill(period, grouping, group or None, offset, limit)
    return {"code": code, "name": k.label(), "unit": k.unit, "from": period.start.isoformat(),
            "to": period.end.isoformat(), "group_by": grouping, "group": group or None, "offset": offset,
            "limit": limit, **{key: _text(v) for key, v in answer.items() if key != "rows"}, "rows": answer["rows"]}
