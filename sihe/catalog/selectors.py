"""Reads of master data for the API and the pages."""

import decimal

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

# Re-exported: the master-data pages read field labels, choices and the tax rates from them.
from sihe.catalog.models import (
    TAX_RATES,  # noqa: F401
    Category,
    Channel,
    Company,
    ImportJob,
    Location,
    Partner,
    Product,
    Uom,
    Warehouse,
    Zone,
)
from sihe.core.errors import NotFound, ValidationFailed


def products():
    return Product.objects.select_related("uom", "category", "main_supplier").order_by("sku")


def product_by_sku(sku: str) -> Product:
    try:
        return products().get(sku=sku)
    except Product.DoesNotExist:
        raise NotFound(_("no product with SKU %(sku)s") % {"sku": sku}, field="sku") from None


# The API's product card (`GET /api/v1/products/{sku}`, the GET integrations poll most) in one statement written once
# per process: building the ORM query cost four times the query itself (issue 18, bench/api.py).
CARD_FIELDS = ("sku", "name", "name_en", "gtin", "weight", "volume", "tracking", "shelf_life_days", "tax_rate",
               "tax_code", "tax_short_name", "costing_method", "list_price", "active", "make_or_buy", "lead_time_days",
               "safety_stock", "lot_sizing", "lot_size", "order_cost", "holding_cost_per_period", "min_order_qty")
_card_sql: str | None = None
_FLOATS = decimal.Context(prec=15)  # as Django reads a SQLite decimal


def _card_statement() -> str:
    global _card_sql
    if _card_sql is None:
        meta, q = Product._meta, connection.ops.quote_name
        columns = ", ".join(f"p.{q(meta.get_field(name).column)}" for name in CARD_FIELDS)
        joins = [(Uom, "uom", "JOIN", "u"), (Category, "category", "LEFT JOIN", "c"),
                 (Partner, "main_supplier", "LEFT JOIN", "s")]
        _card_sql = (f"SELECT {columns}, u.{q('code')}, u.{q('precision')}, c.{q('code')}, s.{q('code')} "
                     f"FROM {q(meta.db_table)} p " + " ".join(
                         f"{join} {q(model._meta.db_table)} {alias} ON {alias}.{q('id')} = p.{q(meta.get_field(fk).column)}"
                         for model, fk, join, alias in joins) + f" WHERE p.{q('sku')} = %s")
    return _card_sql


def _card_value(field, value):
    if value is None:
        return None
    if field.get_internal_type() == "DecimalField":
        number = value if isinstance(value, decimal.Decimal) else (
            _FLOATS.create_decimal_from_float(value) if isinstance(value, float) else decimal.Decimal(value))
        return number.quantize(decimal.Decimal(1).scaleb(-field.decimal_places), context=field.context)
    if field.get_internal_type() == "BooleanField":
        return bool(value)
    return value


def product_card(sku: str) -> dict:
    """One product as `ProductOut` shows it (uom, category and main supplier by code), the same values the ORM
    would give; unknown SKU → 404 naming `sku`."""
    with connection.cursor() as cursor:
        cursor.execute(_card_statement(), [sku])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("no product with SKU %(sku)s") % {"sku": sku}, field="sku")
    meta = Product._meta
    card = {name: _card_value(meta.get_field(name), value) for name, value in zip(CARD_FIELDS, row, strict=False)}
    uom, precision, category, supplier = row[len(CARD_FIELDS):]
    card.update(uom=uom, uom_precision=precision, category=category, main_supplier=supplier)
    return card


def referenced_product(sku: str, field: str = "sku") -> Product:
    """A product named in a request body: unknown is a 422 naming the body's field (not a 404 of the URL)."""
    found = products().filter(sku=sku).first() if sku else None
    if found is None:
        raise ValidationFailed(_("unknown SKU %(sku)s") % {"sku": sku}, field=field, code="unknown_sku")
    return found


def referenced_warehouse(code: str, field: str = "warehouse") -> Warehouse:
    """A warehouse named in a request body: unknown is a 422 naming the body's field."""
    found = Warehouse.objects.filter(code=code).first() if code else None
    if found is None:
        raise ValidationFailed(_("unknown warehouse %(code)s") % {"code": code}, field=field,
                               code="unknown_warehouse")
    return found


def referenced_location(warehouse: Warehouse, code: str, field: str = "location") -> Location:
    """A bin of `warehouse` named in a request body: unknown is a 422 naming the body's field."""
    found = Location.objects.filter(warehouse=warehouse, code=code).first() if code else None
    if found is None:
        raise ValidationFailed(_("unknown location %(code)s in %(warehouse)s") % {
            "code": code, "warehouse": warehouse.code}, field=field, code="unknown_location")
    return found


def partners():
    return Partner.objects.order_by("code")


def partner_by_code(code: str) -> Partner:
    partner = Partner.objects.filter(code=code).first()
    if partner is None:
        raise NotFound(_("no partner with code %(code)s") % {"code": code}, field="code")
    return partner


def warehouses():
    return Warehouse.objects.order_by("code")


def warehouse_by_code(code: str) -> Warehouse:
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise NotFound(_("no warehouse with code %(code)s") % {"code": code}, field="warehouse")
    return warehouse


def locations():
    return Location.objects.select_related("warehouse", "zone").order_by("warehouse__code", "code")


def location_by_code(warehouse: str, code: str) -> Location:
    location = locations().filter(warehouse__code=warehouse, code=code).first()
    if location is None:
        raise NotFound(_("no location %(code)s in warehouse %(warehouse)s") % {"code": code, "warehouse": warehouse}, field="code")
    return location


def channels():
    return Channel.objects.order_by("code")


def channel_by_code(code: str) -> Channel:
    channel = Channel.objects.filter(code=code).first()
    if channel is None:
        raise NotFound(_("no channel with code %(code)s") % {"code": code}, field="code")
    return channel


def units():
    return Uom.objects.order_by("code")


def unit_by_code(code: str) -> Uom:
    unit = Uom.objects.filter(code__iexact=code.strip()).first()
    if unit is None:
        raise NotFound(_("no unit with code %(code)s") % {"code": code}, field="code")
    return unit


def categories():
    return Category.objects.select_related("parent").order_by("code")


def category_by_code(code: str) -> Category:
    category = Category.objects.filter(code=code).select_related("parent").first()
    if category is None:
        raise NotFound(_("no category with code %(code)s") % {"code": code}, field="code")
    return category


def products_per_category():
    """How many products each category holds, the largest first: rows of {category__name, n}."""
    return Product.objects.values("category__name").annotate(n=Count("id")).order_by("-n", "category__name")


def company_name() -> str:
    company = Company.objects.only("name").first()
    return company.name if company else ""


def import_jobs():
    """Excel import jobs, newest first, with who started them."""
    return ImportJob.objects.select_related("user").order_by("-id")


def import_job(job_id: int) -> ImportJob:
    job = import_jobs().filter(pk=job_id).first() if 0 < job_id < 2**63 else None
    if job is None:
        raise NotFound(_("no import job %(id)s") % {"id": job_id}, field="id")
    return job


def product_choices(limit: int = 2000):
    """SKU and name of the active products, by SKU, for a pick list: (sku, name) pairs."""
    return Product.objects.filter(active=True).order_by("sku").values_list("sku", "name")[:limit]


# -- lookups by natural key that answer None (the caller raises its own error) --------------------


def find_product(sku: str) -> Product | None:
    """The product with this SKU, with its base unit, or None."""
    return Product.objects.select_related("uom").filter(sku=sku).first()


def find_warehouse(code: str) -> Warehouse | None:
    """The warehouse with this code, or None."""
    return Warehouse.objects.filter(code=code).first()


def find_location(warehouse: Warehouse, code: str) -> Location | None:
    """The bin of this warehouse with this code, or None."""
    return Location.objects.filter(warehouse=warehouse, code=code).first()


def find_partner(code: str) -> Partner | None:
    """The partner (customer or supplier) with this code, or None."""
    return Partner.objects.filter(code=code).first()


def find_channel(code: str) -> Channel | None:
    """The sales channel with this code, or None."""
    return Channel.objects.filter(code=code).first()


def find_unit(code: str) -> Uom | None:
    """The unit whose code is this one in any letter case, or None."""
    return Uom.objects.filter(code__iexact=code).first()


def active_suppliers():
    """The active partners one may buy from (suppliers, and partners that are both), by code."""
    return Partner.objects.filter(kind__in=["supplier", "both"], active=True).order_by("code")


def active_warehouses():
    """The active warehouses, by code."""
    return Warehouse.objects.filter(active=True).order_by("code")


def zones():
    """Every zone with its warehouse, by warehouse code and zone code."""
    return Zone.objects.select_related("warehouse").order_by("warehouse__code", "code")


def find_zone(warehouse: Warehouse, code: str) -> Zone | None:
    """The zone of this warehouse with this code, or None."""
    return Zone.objects.filter(warehouse=warehouse, code=code).first()


def find_category(code: str) -> Category | None:
    """The product category with this code, or None."""
    return Category.objects.filter(code=code).first()


def product_by_id(pk: int) -> Product:
    """A product by its id (not found is a 404 naming `product`)."""
    found = Product.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"no product {pk}", field="product")
    return found


def active_locations(*, warehouse: str = "", zone: str = "", codes=None):
    """The active bins with warehouse and zone, by warehouse and bin code; of one warehouse, one zone
    (codes) and only the named bins when given."""
    qs = Location.objects.filter(active=True).select_related("warehouse", "zone").order_by("warehouse__code", "code")
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    if zone:
        qs = qs.filter(zone__code=zone)
    if codes:
        qs = qs.filter(code__in=codes)
    return qs
