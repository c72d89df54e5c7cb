"""Reads of master data for the API and the pages."""

from django.utils.translation import gettext as _

from sihe.catalog.models import Category, Channel, Location, Partner, Product, Uom, Warehouse
from sihe.core.errors import NotFound, ValidationFailed


def products():
    return Product.objects.select_related("uom", "category", "main_supplier").order_by("sku")


def product_by_sku(sku: str) -> Product:
    try:
        return products().get(sku=sku)
    except Product.DoesNotExist:
        raise NotFound(_("no product with SKU %(sku)s") % {"sku": sku}, field="sku") from None


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
