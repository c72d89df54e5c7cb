"""Master-data acts: create and change products, partners, warehouses, bins and channels.

Each act cleans its input, resolves natural keys (unit code, warehouse code, zone code), writes
the row, one audit row per field, and a `catalog.<kind>.created|updated` event — in one transaction.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from sihe.catalog.errors import DuplicateKey
from sihe.catalog.models import Category, Channel, Company, Location, Partner, Product, Uom, Warehouse, Zone
from sihe.catalog.validation import (
    Problems,
    clean_category,
    clean_channel,
    clean_location,
    clean_partner,
    clean_product,
    clean_unit,
    clean_warehouse,
)
from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.errors import Conflict, ValidationFailed
from sihe.core.outbox import emit


def _raise_first(problems: Problems) -> None:
    if problems:
        field, reason = problems[0]
        raise ValidationFailed(
            f"{field}: {reason}", field=field, errors=[{"field": f, "message": m} for f, m in problems]
        )


def resolve_product_refs(cleaned: dict) -> Problems:
    """Replace `uom` and `category` codes by rows; unknown units are refused, categories are created."""
    problems: Problems = []
    if cleaned.get("uom"):
        uom = Uom.objects.filter(code__iexact=cleaned["uom"]).first()  # pcs = PCS
        if uom is None:
            known = ", ".join(Uom.objects.values_list("code", flat=True)[:20])
            problems.append(("uom", _("unknown unit %(code)s (known: %(known)s)") % {"code": cleaned["uom"], "known": known}))
        cleaned["uom"] = uom
    if "main_supplier" in cleaned:
        code = cleaned["main_supplier"]
        supplier = Partner.objects.filter(code=code, kind__in=("supplier", "both")).first() if code else None
        if code and supplier is None:
            problems.append(("main_supplier", _("unknown supplier %(code)s") % {"code": code}))
        cleaned["main_supplier"] = supplier
    if "category" in cleaned:
        code = cleaned["category"]
        category = Category.objects.filter(code=code).first() if code else None
        if code and category is None:  # a typo must not become a new category silently
            problems.append(("category", _("unknown category %(code)s; create it first") % {"code": code}))
        cleaned["category"] = category
    return problems


def resolve_location_refs(cleaned: dict) -> Problems:
    problems: Problems = []
    if cleaned.get("warehouse"):
        warehouse = Warehouse.objects.filter(code=cleaned["warehouse"]).first()
        if warehouse is None:
            problems.append(("warehouse", _("unknown warehouse %(code)s") % {"code": cleaned["warehouse"]}))
        cleaned["warehouse"] = warehouse
    if cleaned.get("zone") and cleaned.get("warehouse"):
        cleaned["zone"] = Zone.objects.get_or_create(
            warehouse=cleaned["warehouse"], code=cleaned["zone"], defaults={"name": cleaned["zone"]}
        )[0]
    elif "zone" in cleaned and not cleaned.get("warehouse"):
        cleaned.pop("zone")
    return problems


def _create(model, cleaned: dict, *, actor: Actor, key: str, event: str):
    obj = model(**{k: v for k, v in cleaned.items() if v is not None or model._meta.get_field(k).null})
    obj.save()
    audit.record_created(obj, actor=actor, fields=list(cleaned))
    emit(event, aggregate_type=model._meta.model_name, aggregate_id=getattr(obj, key), payload=cleaned_payload(cleaned), actor=actor)
    return obj


def _update(obj, cleaned: dict, *, actor: Actor, key: str, event: str):
    before = audit.snapshot(obj, cleaned)
    for name, value in cleaned.items():
        if value is None and not obj._meta.get_field(name).null:
            continue
        setattr(obj, name, value)
    obj.save()
    changed = audit.record_changes(obj, actor=actor, before=before)
    if changed:
        emit(event, aggregate_type=obj._meta.model_name, aggregate_id=getattr(obj, key), payload=cleaned_payload(cleaned), actor=actor)
    return obj


def cleaned_payload(cleaned: dict) -> dict:
    """Event payloads carry natural keys and decimal strings, never row objects or floats."""
    out = {}
    for name, value in cleaned.items():
        if hasattr(value, "code"):
            out[name] = value.code
        elif value is None or isinstance(value, bool | int | str):
            out[name] = value
        else:
            out[name] = str(value)
    return out


def _unique(model, field: str, value, *, exclude_pk=None) -> None:
    qs = model.objects.filter(**{field: value})
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if value and qs.exists():
        raise DuplicateKey(_("%(field)s %(value)s already exists") % {"field": field, "value": value}, field=field)


# -- products -------------------------------------------------------------------------------------


def create_product(*, data: dict, actor: Actor) -> Product:
    with transaction.atomic():
        cleaned, problems = clean_product(data)
        problems += resolve_product_refs(cleaned)
        _raise_first(problems)
        _unique(Product, "sku", cleaned["sku"])
        _unique(Product, "gtin", cleaned.get("gtin"))
        return _create(Product, cleaned, actor=actor, key="sku", event="catalog.product.created")


def update_product(*, product: Product, data: dict, actor: Actor) -> Product:
    with transaction.atomic():
        if "sku" in data and data["sku"] != product.sku:
            raise ValidationFailed(_("the SKU is the product's key and cannot change"), field="sku")
        cleaned, problems = clean_product(data, partial=True)
        problems += resolve_product_refs(cleaned)
        _raise_first(problems)
        _unique(Product, "gtin", cleaned.get("gtin"), exclude_pk=product.pk)
        product = Product.objects.select_for_update().get(pk=product.pk)
        _refuse_changing_what_stock_relies_on(product, cleaned)
        return _update(product, cleaned, actor=actor, key="sku", event="catalog.product.updated")


# Past moves were counted in this unit, valued by this method and tracked by lot/serial this way: changing
# one of them under existing stock would silently re-read every quantity, layer and lot.
FIXED_ONCE_MOVED = ("uom", "costing_method", "tracking")


def product_in_use(product: Product) -> bool:
    """The product has stock moves (done or planned), read through the reverse relation the stock ledger
    declares, so the catalog needs no import from above."""
    return product.stock_moves.exists()


def _refuse_changing_what_stock_relies_on(product: Product, cleaned: dict) -> None:
    changing = [name for name in FIXED_ONCE_MOVED
                if name in cleaned and cleaned[name] is not None and cleaned[name] != getattr(product, name)]
    if changing and product_in_use(product):
        raise Conflict(
            _("%(field)s cannot change: product %(sku)s already has stock moves") % {"field": changing[0], "sku": product.sku},
            field=changing[0], code="product_in_use")


# -- partners -------------------------------------------------------------------------------------


def create_partner(*, data: dict, actor: Actor) -> Partner:
    with transaction.atomic():
        cleaned, problems = clean_partner(data)
        _raise_first(problems)
        _unique(Partner, "code", cleaned["code"])
        return _create(Partner, cleaned, actor=actor, key="code", event="catalog.partner.created")


def update_partner(*, partner: Partner, data: dict, actor: Actor) -> Partner:
    with transaction.atomic():
        if "code" in data and data["code"] != partner.code:
            raise ValidationFailed(_("the code is the partner's key and cannot change"), field="code")
        cleaned, problems = clean_partner(data, partial=True)
        _raise_first(problems)
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        return _update(partner, cleaned, actor=actor, key="code", event="catalog.partner.updated")


# -- warehouses and locations ---------------------------------------------------------------------


def create_warehouse(*, data: dict, actor: Actor) -> Warehouse:
    with transaction.atomic():
        cleaned, problems = clean_warehouse(data)
        _raise_first(problems)
        _unique(Warehouse, "code", cleaned["code"])
        warehouse = _create(Warehouse, cleaned, actor=actor, key="code", event="catalog.warehouse.created")
        _create_receiving_dock(warehouse, actor=actor)
        return warehouse


RECEIVING_ZONE, RECEIVING_DOCK = "R", "R-01"


def _create_receiving_dock(warehouse: Warehouse, *, actor: Actor) -> Location:
    """A new warehouse can take goods at once (as Odoo's WH/Stock): a receiving dock in a receiving zone,
    where receipts that name no location land."""
    zone = Zone.objects.create(warehouse=warehouse, code=RECEIVING_ZONE, name="R 收货区")
    dock = Location.objects.create(warehouse=warehouse, zone=zone, code=RECEIVING_DOCK, kind=Location.Kind.DOCK)
    audit.record_created(dock, actor=actor, fields=["code", "kind", "zone"])
    return dock


def update_warehouse(*, warehouse: Warehouse, data: dict, actor: Actor) -> Warehouse:
    with transaction.atomic():
        if "code" in data and data["code"] != warehouse.code:
            raise ValidationFailed(_("the code is the warehouse's key and cannot change"), field="code")
        cleaned, problems = clean_warehouse(data, partial=True)
        _raise_first(problems)
        warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        return _update(warehouse, cleaned, actor=actor, key="code", event="catalog.warehouse.updated")


def create_location(*, data: dict, actor: Actor) -> Location:
    with transaction.atomic():
        cleaned, problems = clean_location(data)
        problems += resolve_location_refs(cleaned)
        _raise_first(problems)
        if Location.objects.filter(warehouse=cleaned["warehouse"], code=cleaned["code"]).exists():
            raise DuplicateKey(_("location %(code)s already exists") % {"code": cleaned["code"]}, field="code")
        return _create(Location, cleaned, actor=actor, key="code", event="catalog.location.created")


def update_location(*, location: Location, data: dict, actor: Actor) -> Location:
    with transaction.atomic():
        for key in ("code", "warehouse"):
            current = location.code if key == "code" else location.warehouse.code
            if key in data and data[key] != current:
                raise ValidationFailed(_("%(field)s is the location's key and cannot change") % {"field": key}, field=key)
        data = {**data, "warehouse": location.warehouse.code, "code": location.code, "kind": data.get("kind", location.kind)}
        cleaned, problems = clean_location(data, partial=True)
        problems += resolve_location_refs(cleaned)
        _raise_first(problems)
        for key in ("code", "warehouse"):
            cleaned.pop(key)
        location = Location.objects.select_for_update().get(pk=location.pk)
        return _update(location, cleaned, actor=actor, key="code", event="catalog.location.updated")


# -- channels and company -------------------------------------------------------------------------


def create_channel(*, data: dict, actor: Actor) -> Channel:
    with transaction.atomic():
        cleaned, problems = clean_channel(data)
        _raise_first(problems)
        _unique(Channel, "code", cleaned["code"])
        return _create(Channel, cleaned, actor=actor, key="code", event="catalog.channel.created")


def update_channel(*, channel: Channel, data: dict, actor: Actor) -> Channel:
    with transaction.atomic():
        if "code" in data and data["code"] != channel.code:
            raise ValidationFailed(_("the code is the channel's key and cannot change"), field="code")
        cleaned, problems = clean_channel(data, partial=True)
        _raise_first(problems)
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        return _update(channel, cleaned, actor=actor, key="code", event="catalog.channel.updated")


# -- units and categories -------------------------------------------------------------------------


def create_unit(*, data: dict, actor: Actor) -> Uom:
    with transaction.atomic():
        cleaned, problems = clean_unit(data)
        _raise_first(problems)
        if Uom.objects.filter(code__iexact=cleaned["code"]).exists():
            raise DuplicateKey(_("unit %(code)s already exists") % {"code": cleaned["code"]}, field="code")
        return _create(Uom, cleaned, actor=actor, key="code", event="catalog.uom.created")


def update_unit(*, unit: Uom, data: dict, actor: Actor) -> Uom:
    """A unit's name can change; its code is its key, and its precision is fixed once quantities use it."""
    with transaction.atomic():
        if "code" in data and str(data["code"]).upper() != unit.code.upper():
            raise ValidationFailed(_("the code is the unit's key and cannot change"), field="code")
        cleaned, problems = clean_unit(data, partial=True)
        _raise_first(problems)
        cleaned.pop("code", None)
        unit = Uom.objects.select_for_update().get(pk=unit.pk)
        if cleaned.get("precision") is not None and cleaned["precision"] != unit.precision \
                and Product.objects.filter(uom=unit, stock_moves__isnull=False).exists():
            raise Conflict(_("precision cannot change: products in unit %(code)s have stock moves") % {"code": unit.code},
                           field="precision", code="unit_in_use")
        return _update(unit, cleaned, actor=actor, key="code", event="catalog.uom.updated")


def _parent_category(cleaned: dict, *, own: Category | None = None) -> None:
    code = cleaned.get("parent")
    if not code:
        if "parent" in cleaned:
            cleaned["parent"] = None
        return
    parent = Category.objects.filter(code=code).first()
    if parent is None:
        raise ValidationFailed(_("unknown category %(code)s; create it first") % {"code": code}, field="parent")
    walk = parent
    while walk is not None:  # a category cannot sit below itself
        if own is not None and walk.pk == own.pk:
            raise ValidationFailed(_("category %(code)s cannot sit below itself") % {"code": own.code}, field="parent")
        walk = walk.parent
    cleaned["parent"] = parent


def create_category(*, data: dict, actor: Actor) -> Category:
    with transaction.atomic():
        cleaned, problems = clean_category(data)
        _raise_first(problems)
        _unique(Category, "code", cleaned["code"])
        _parent_category(cleaned)
        return _create(Category, cleaned, actor=actor, key="code", event="catalog.category.created")


def update_category(*, category: Category, data: dict, actor: Actor) -> Category:
    with transaction.atomic():
        if "code" in data and data["code"] != category.code:
            raise ValidationFailed(_("the code is the category's key and cannot change"), field="code")
        cleaned, problems = clean_category(data, partial=True)
        _raise_first(problems)
        cleaned.pop("code", None)
        category = Category.objects.select_for_update().get(pk=category.pk)
        _parent_category(cleaned, own=category)
        return _update(category, cleaned, actor=actor, key="code", event="catalog.category.updated")


def set_company(*, data: dict, actor: Actor) -> Company:
    """There is one company per installation; this creates or changes it."""
    from stdnum.cn import uscc

    with transaction.atomic():
        if data.get("credit_code") and not uscc.is_valid(data["credit_code"]):
            raise ValidationFailed(_("not a valid unified social credit code (check digit)"), field="credit_code")
        company = Company.objects.select_for_update().first()
        if company is None:
            company = Company.objects.create(**data)
            audit.record_created(company, actor=actor, fields=list(data))
            return company
        before = audit.snapshot(company, data)
        for name, value in data.items():
            setattr(company, name, value)
        company.save()
        audit.record_changes(company, actor=actor, before=before)
        return company
