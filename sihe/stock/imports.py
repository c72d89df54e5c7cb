"""Low-stock rules and alternate units from Excel, and the one list of every kind of import.

The catalog may not import the stock ledger (the layers in pyproject.toml), so the kinds whose rows
this app owns are defined here, on the catalog's reader (`excel.SheetReader`: header recognition,
choice words, every problem with row and column) and its import frame (`catalog.imports`: one
durable transaction, background jobs with progress). Rows are written through this app's services
(`set_rule`, `set_unit`), so each gets the audit row and the low-stock check that a single change
gets. As for master data, the whole file is checked first and any problem writes nothing.

Entry points (the import page, the API, `sihe import_excel`) call the functions at the end of this
module, which know every kind: the catalog's and these.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.catalog import excel, exports
from sihe.catalog import imports as catalog_imports
from sihe.catalog.excel import (
    CHUNK,
    Column,
    ImportRejected,  # noqa: F401 - entry points catch imports.ImportRejected
    Names,
    SheetReader,
    blank,
    cell_text,
    check_kind,
    rejected,
)
from sihe.catalog.imports import Importer, ImportResult, Plan, Progress, check_counts
from sihe.catalog.models import ImportJob, Product, Uom, Warehouse
from sihe.catalog.validation import Spec, clean_fields
from sihe.core import tx
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.stock import services
from sihe.stock.models import ProductUnit, StockRule
from sihe.stock.units import QTY_LIMIT, to_base

STOCK_KINDS = ("stock_rules", "product_units")
KINDS = excel.KINDS + STOCK_KINDS
QUERY_CHUNK = catalog_imports.QUERY_CHUNK
WRITE_STEP = 100  # rows between progress reports while writing: each row is a service call

SKU = Column("sku", "SKU", "SKU", ("商品编码", "货号", "物料编码"), text=True)
COLUMNS = {
    "stock_rules": [
        SKU,
        Column("warehouse", "Warehouse", "仓库", ("仓库编码",), text=True),
        Column("min_qty", "Minimum quantity", "库存下限", ("最低库存", "安全库存", "下限", "min")),
        Column("max_qty", "Maximum quantity", "库存上限", ("最高库存", "上限", "max")),
    ],
    "product_units": [
        SKU,
        Column("unit", "Unit", "单位", ("计量单位", "辅助单位", "uom")),
        Column("factor", "Factor", "换算率", ("换算系数", "换算比例", "base units per unit")),
    ],
}
KEYS = {"stock_rules": ("sku", "warehouse"), "product_units": ("sku", "unit")}
RULE_SPECS = [
    Spec("sku", required=True, max_length=64),
    Spec("warehouse", required=True, max_length=20),
    Spec("min_qty", "decimal", required=True, minimum=Decimal(0), max_places=6),
    Spec("max_qty", "decimal", minimum=Decimal(0), max_places=6),
]
PRODUCT_UNIT_SPECS = [
    Spec("sku", required=True, max_length=64),
    Spec("unit", required=True, max_length=40),
    Spec("factor", "decimal", required=True, minimum=Decimal(0), max_places=6),
]


def _text(value) -> str | None:
    return None if blank(value) else cell_text(value)


def _products(skus) -> dict[str, Product]:
    """sku -> product (with its unit), one query per chunk of SKUs."""
    skus, found = sorted({s for s in skus if s}), {}
    for start in range(0, len(skus), QUERY_CHUNK):
        found.update((p.sku, p) for p in Product.objects.select_related("uom").filter(sku__in=skus[start:start + QUERY_CHUNK]))
    return found


def _read(kind: str, source, progress: Progress, check) -> Plan:
    """Read the file chunk by chunk, `check(chunk, reader, plan)` each chunk, report progress; raise
    with every problem or return the plan."""
    check_kind(kind, STOCK_KINDS)
    plan = Plan(kind=kind)
    with SheetReader(source, COLUMNS[kind], KEYS[kind]) as reader:
        plan.fields = reader.header.fields
        for chunk in reader.chunks():
            if not reader.header.key_missing:
                check(chunk, reader, plan)
            if progress:
                progress(reader.read)
    plan.rows_read = reader.read
    if reader.errors:
        raise rejected(reader.errors)
    return plan


def _report(reader: SheetReader, row: int, problems: list) -> None:
    reader.errors += [reader.header.error(row, name, reason) for name, reason in problems]


def _duplicate(seen: dict, key, row: int, shown: str, names: tuple) -> list:
    first = seen.setdefault(key, row)
    if first == row:
        return []
    return [(name, _("duplicate key %(key)s in this file (first in row %(row)s)") % {"key": shown, "row": first})
            for name in names]


def _quantity(product: Product, value: Decimal | None, name: str) -> list:
    """A rule's quantity is in the product's base unit, at its precision (as on the API)."""
    if not value:
        return []
    try:
        to_base(product, value, field=name)
    except ValidationFailed as exc:
        return [(name, exc.message)]
    return []


# -- low-stock rules -------------------------------------------------------------------------------


def validate_rules(*, kind: str = "stock_rules", source, progress: Progress = None) -> Plan:
    """Check a file of low-stock rules: product and warehouse exist, 0 ≤ min ≤ max in the product's
    unit. A rule that exists may be updated from a file without the max column (it keeps its max)."""
    warehouses = dict(Warehouse.objects.values_list("code", "id"))
    seen: dict = {}

    def check(chunk, reader, plan):
        products = _products(_text(data.get("sku")) for _, data in chunk)
        rules = {(r.product_id, r.warehouse_id): r for r in StockRule.objects.filter(
            product__in=[p.pk for p in products.values()])}
        for row, data in chunk:
            sku, code = _text(data.get("sku")), _text(data.get("warehouse"))
            product, warehouse_id = products.get(sku), warehouses.get(code)
            rule = rules.get((product.pk, warehouse_id)) if product and warehouse_id else None
            cleaned, problems = clean_fields(RULE_SPECS, data, partial=rule is not None)
            if sku and product is None:
                problems.append(("sku", _("unknown product %(sku)s") % {"sku": sku}))
            if code and warehouse_id is None:
                problems.append(("warehouse", _("unknown warehouse %(code)s") % {"code": code}))
            min_qty = cleaned.get("min_qty", rule.min_qty if rule else None)
            max_qty = cleaned.get("max_qty", rule.max_qty if rule else None)
            if product is not None:
                problems += _quantity(product, min_qty, "min_qty") + _quantity(product, max_qty, "max_qty")
            if min_qty is not None and max_qty is not None and max_qty < min_qty:
                problems.append(("max_qty", _("must be at least the minimum %(min)s") % {"min": min_qty.normalize()}))
            if product and warehouse_id:
                problems += _duplicate(seen, (product.pk, warehouse_id), row, f"{sku}/{code}", KEYS["stock_rules"])
            _report(reader, row, problems)
            plan.rows.append((row, {"product": product and product.pk, "warehouse": warehouse_id,
                                    "min_qty": min_qty, "max_qty": max_qty}))

    return _read(kind, source, progress, check)


def apply_rules(*, plan: Plan, actor: Actor, progress: Progress = None, job_id: int | None = None) -> ImportResult:
    """Set every rule that differs through `services.set_rule`, in the caller's transaction."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with tx.act():
        for start in range(0, len(plan.rows), CHUNK):
            chunk = [values for _, values in plan.rows[start:start + CHUNK]]
            products = Product.objects.in_bulk({v["product"] for v in chunk})
            warehouses = Warehouse.objects.in_bulk({v["warehouse"] for v in chunk})
            rules = {(r.product_id, r.warehouse_id): r for r in StockRule.objects.filter(
                product_id__in=list(products), warehouse_id__in=list(warehouses))}
            for done, v in enumerate(chunk, start=start + 1):
                product, warehouse = _still_there(products, v["product"]), _still_there(warehouses, v["warehouse"])
                rule = rules.get((product.pk, warehouse.pk))
                if rule is not None and (rule.min_qty, rule.max_qty) == (v["min_qty"], v["max_qty"]):
                    counts["unchanged"] += 1
                else:
                    services.set_rule(product=product, warehouse=warehouse, min_qty=v["min_qty"], max_qty=v["max_qty"],
                                      actor=actor)
                    counts["created" if rule is None else "updated"] += 1
                _step(progress, done, len(plan.rows))
        return _result(plan, counts)


# -- alternate units -------------------------------------------------------------------------------


def validate_units(*, kind: str = "product_units", source, progress: Progress = None) -> Plan:
    """Check a file of alternate units: the product exists, the unit exists (code in any case or its
    Chinese name) and is not the product's base unit, the factor (base units per one of the unit) > 0."""
    units = Names(Uom.objects.values_list("code", "name"), fold_case=True)
    unit_ids = dict(Uom.objects.values_list("code", "id"))
    seen: dict = {}

    def check(chunk, reader, plan):
        products = _products(_text(data.get("sku")) for _, data in chunk)
        for row, data in chunk:
            given, uom_id, problems = _text(data.get("unit")), None, []
            if given:
                code, ambiguous = units.find(given)
                if code is not None:
                    data, uom_id = {**data, "unit": code}, unit_ids[code]
                elif ambiguous:
                    problems.append(("unit", _("%(name)s names several rows (%(codes)s); write the code")
                                     % {"name": given, "codes": ", ".join(ambiguous)}))
                else:
                    known = ", ".join(sorted(unit_ids)[:20])
                    problems.append(("unit", _("unknown unit %(code)s (known: %(known)s)") % {"code": given, "known": known}))
            cleaned, cleaning = clean_fields(PRODUCT_UNIT_SPECS, data, partial=False)
            problems += [(name, reason) for name, reason in cleaning if not (name == "unit" and given)]  # said above
            sku, factor = _text(data.get("sku")), cleaned.get("factor")
            product = products.get(sku)
            if sku and product is None:
                problems.append(("sku", _("unknown product %(sku)s") % {"sku": sku}))
            if product is not None and uom_id == product.uom_id:
                problems.append(("unit", _("%(unit)s is already the base unit of %(sku)s")
                                 % {"unit": product.uom.code, "sku": sku}))
            if factor is not None and factor == 0:
                problems.append(("factor", _("factor must be greater than 0")))
            if factor is not None and factor >= QTY_LIMIT:
                problems.append(("factor", _("factor is too large")))
            if product and uom_id:
                problems += _duplicate(seen, (product.pk, uom_id), row, f"{sku}/{data['unit']}", KEYS["product_units"])
            _report(reader, row, problems)
            plan.rows.append((row, {"product": product and product.pk, "uom": uom_id, "factor": factor}))

    return _read(kind, source, progress, check)


def apply_units(*, plan: Plan, actor: Actor, progress: Progress = None, job_id: int | None = None) -> ImportResult:
    """Set every alternate unit that differs through `services.set_unit`, in the caller's transaction."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with tx.act():
        for start in range(0, len(plan.rows), CHUNK):
            chunk = [values for _, values in plan.rows[start:start + CHUNK]]
            products = Product.objects.in_bulk({v["product"] for v in chunk})
            uoms = Uom.objects.in_bulk({v["uom"] for v in chunk})
            factors = {(u.product_id, u.uom_id): u.factor for u in ProductUnit.objects.filter(product_id__in=list(products))}
            for done, v in enumerate(chunk, start=start + 1):
                product, uom = _still_there(products, v["product"]), _still_there(uoms, v["uom"])
                factor = factors.get((product.pk, uom.pk))
                if factor is not None and factor == v["factor"]:
                    counts["unchanged"] += 1
                else:
                    services.set_unit(product=product, uom=uom, factor=v["factor"], actor=actor)
                    counts["created" if factor is None else "updated"] += 1
                _step(progress, done, len(plan.rows))
        return _result(plan, counts)


def _still_there(rows: dict, pk):
    if pk not in rows:
        raise Conflict(_("a row of the file was deleted while the file was being checked; import it again"), field="file")
    return rows[pk]


def _step(progress: Progress, done: int, total: int) -> None:
    if progress and (done % WRITE_STEP == 0 or done == total):
        progress(done)


def _result(plan: Plan, counts: dict) -> ImportResult:
    written = counts["created"] + counts["updated"] + counts["unchanged"]
    check_counts(plan, written)
    return ImportResult(kind=plan.kind, rows=len(plan.rows), created=counts["created"], updated=counts["updated"],
                        rows_read=len(plan.rows) if plan.rows_read is None else plan.rows_read, rows_written=written)


# -- every kind, for the entry points --------------------------------------------------------------

IMPORTERS = {
    **catalog_imports.IMPORTERS,
    "stock_rules": Importer(validate=validate_rules, apply=apply_rules),
    "product_units": Importer(validate=validate_units, apply=apply_units),
}
EXPORTS = {
    "stock_rules": lambda: StockRule.objects.order_by("warehouse__code", "product__sku").values_list(
        "product__sku", "warehouse__code", "min_qty", "max_qty"),
    "product_units": lambda: ProductUnit.objects.order_by("product__sku", "uom__code").values_list(
        "product__sku", "uom__code", "factor"),
}


def run_import(*, kind: str, source, actor: Actor, progress: Progress = None,
               write_progress: Progress = None) -> ImportResult:
    return catalog_imports.run_import(kind=kind, source=source, actor=actor, progress=progress,
                                      write_progress=write_progress, importers=IMPORTERS)


def validate(*, kind: str, source, progress: Progress = None) -> Plan:
    """The check alone (the command shows it as its own progress bar)."""
    return IMPORTERS[check_kind(kind, KINDS)].validate(kind=kind, source=source, progress=progress)


def apply(*, plan: Plan, actor: Actor, progress: Progress = None) -> ImportResult:
    """The write alone, in the caller's durable transaction."""
    return IMPORTERS[plan.kind].apply(plan=plan, actor=actor, progress=progress)


def start_background_import(*, kind: str, upload, original_name: str, total_rows: int, actor: Actor) -> ImportJob:
    return catalog_imports.start_background_import(kind=kind, upload=upload, original_name=original_name,
                                                   total_rows=total_rows, actor=actor, kinds=KINDS)


def run_import_job(*, job_id: int) -> ImportJob:
    return catalog_imports.run_import_job(job_id=job_id, importers=IMPORTERS)


def export_workbook(*, kind: str, language: str = "zh-hans") -> bytes:
    if check_kind(kind, KINDS) in EXPORTS:
        return excel.build_workbook(kind, EXPORTS[kind]().iterator(chunk_size=2000), language=language,
                                    columns=COLUMNS[kind])
    return exports.export_workbook(kind=kind, language=language)


def template_workbook(*, kind: str, language: str = "zh-hans") -> bytes:
    return exports.template_workbook(kind=check_kind(kind, KINDS), language=language, columns=COLUMNS.get(kind))
