"""Master data of production: work centres and bills of materials (with operations and by-products),
checked before they are saved — a BOM that would make a product from itself (directly or through
other BOMs) is refused naming the path (422 `bom_cycle`) — and the explosion of a BOM for an order."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from sihe.catalog.models import Product, Warehouse
from sihe.core import audit, clock, tx
from sihe.core.actor import Actor
from sihe.core.errors import NotFound, Problems, ValidationFailed
from sihe.core.money import money, round_qty, to_decimal
from sihe.core.outbox import emit
from sihe.production.models import Bom, BomByProduct, BomLine, BomOperation, WorkCentre

MAX_DEPTH = 30


def _text(data: dict, name: str, *, required: bool = False, limit: int = 100) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed(_("%(field)s is required") % {"field": name}, field=name)
    if len(value) > limit:
        raise ValidationFailed(_("%(field)s is longer than %(n)s characters") % {"field": name, "n": limit}, field=name)
    return value


def _non_negative(value, field: str, *, places: int | None = None) -> Decimal:
    number = to_decimal(value if value not in (None, "") else "0", field=field)
    if number < 0:
        raise ValidationFailed(_("%(field)s must be 0 or more") % {"field": field}, field=field)
    return money(number, field=field) if places == 2 else number


def create_work_centre(*, data: dict, actor: Actor) -> WorkCentre:
    with tx.act():
        code = _text(data, "code", required=True, limit=40)
        if WorkCentre.objects.filter(code=code).exists():
            raise ValidationFailed(_("work centre %(code)s already exists") % {"code": code}, field="code",
                                   code="duplicate")
        warehouse = Warehouse.objects.filter(code=_text(data, "warehouse", required=True, limit=20)).first()
        if warehouse is None:
            raise ValidationFailed(_("unknown warehouse %(code)s") % {"code": data.get("warehouse")}, field="warehouse")
        minutes = int(_non_negative(data.get("minutes_per_day", 480), "minutes_per_day"))
        if not 0 < minutes <= 1440:
            raise ValidationFailed(_("minutes_per_day must be between 1 and 1440"), field="minutes_per_day")
        centre = WorkCentre.objects.create(
            code=code, name=_text(data, "name", required=True), warehouse=warehouse, minutes_per_day=minutes,
            labour_rate_per_hour=_non_negative(data.get("labour_rate_per_hour"), "labour_rate_per_hour", places=2),
            overhead_rate_per_hour=_non_negative(data.get("overhead_rate_per_hour"), "overhead_rate_per_hour", places=2))
        audit.record_created(centre, actor=actor, fields=["code", "name", "warehouse", "labour_rate_per_hour",
                                                          "overhead_rate_per_hour", "minutes_per_day"])
        emit("production.work_centre.created", aggregate_type="work_centre", aggregate_id=code, actor=actor,
             payload={"code": code, "warehouse": warehouse.code})
        return centre


# -- BOMs -----------------------------------------------------------------------------------------


def _product(sku, field: str) -> Product:
    found = Product.objects.select_related("uom").filter(sku=str(sku or "").strip()).first() if sku else None
    if found is None:
        raise ValidationFailed(_("unknown SKU %(sku)s") % {"sku": sku}, field=field, code="unknown_sku")
    return found


def components_graph(*, exclude_product_id: int | None = None) -> dict[int, set[int]]:
    """product id → the component ids of its active BOMs (every version: any may be used)."""
    graph: dict[int, set[int]] = {}
    rows = BomLine.objects.filter(bom__active=True).values_list("bom__product_id", "component_id")
    for parent, child in rows:
        if parent != exclude_product_id:
            graph.setdefault(parent, set()).add(child)
    return graph


def _find_cycle(graph: dict[int, set[int]], start: int) -> list[int] | None:
    """A path start → … → start through the graph, if there is one (depth-first)."""
    stack = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        for child in sorted(graph.get(node, ())):
            if child == start:
                return [*path, child]
            if child not in seen:
                seen.add(child)
                stack.append((child, [*path, child]))
    return None


def create_bom(*, data: dict, actor: Actor) -> Bom:
    """`{product, quantity, valid_from?, kind?, lines: [{sku, qty, scrap_pct?}], operations: [{seq,
    work_centre, setup_minutes, minutes_per_unit}], by_products?: [{sku, qty}]}` — a new version of
    the product's BOM. Every problem of every line is reported at once."""
    problems = Problems()
    with problems.collect():
        product = _product(data.get("product") or data.get("sku"), "product")
    quantity = Decimal(1)
    with problems.collect():
        quantity = to_decimal(data.get("quantity", 1), field="quantity")
        if quantity <= 0:
            raise ValidationFailed(_("quantity must be greater than 0"), field="quantity")
    valid_from = clock.today()
    with problems.collect():
        if data.get("valid_from"):
            valid_from = datetime.date.fromisoformat(str(data["valid_from"])) if not isinstance(
                data["valid_from"], datetime.date) else data["valid_from"]
    kind = str(data.get("kind") or Bom.Kind.NORMAL)
    if kind not in Bom.Kind.values:
        problems.add(ValidationFailed(_("kind must be normal or phantom"), field="kind"))
    lines, operations, by_products = [], [], []
    raw_lines = data.get("lines") or []
    if not raw_lines:
        problems.add(ValidationFailed(_("a BOM needs at least one line"), field="lines"))
    seen: set[int] = set()
    for i, raw in enumerate(raw_lines):
        f = f"lines[{i}]"
        with problems.collect():
            component = _product(raw.get("sku"), f"{f}.sku")
            if component.pk in seen:
                raise ValidationFailed(_("%(sku)s is on the BOM twice") % {"sku": component.sku}, field=f"{f}.sku")
            seen.add(component.pk)
            qty = to_decimal(raw.get("qty"), field=f"{f}.qty")
            if qty <= 0:
                raise ValidationFailed(_("%(field)s must be greater than 0") % {"field": f"{f}.qty"}, field=f"{f}.qty")
            scrap = to_decimal(raw.get("scrap_pct") or "0", field=f"{f}.scrap_pct")
            if not 0 <= scrap < 100:
                raise ValidationFailed(_("scrap_pct must be at least 0 and below 100"), field=f"{f}.scrap_pct")
            lines.append(BomLine(seq=i + 1, component=component, qty=qty, scrap_pct=scrap))
    for i, raw in enumerate(data.get("operations") or []):
        f = f"operations[{i}]"
        with problems.collect():
            centre = WorkCentre.objects.filter(code=str(raw.get("work_centre") or "")).first()
            if centre is None:
                raise ValidationFailed(_("unknown work centre %(code)s") % {"code": raw.get("work_centre")},
                                       field=f"{f}.work_centre")
            operations.append(BomOperation(
                seq=int(raw.get("seq") or (i + 1) * 10), work_centre=centre,
                setup_minutes=_non_negative(raw.get("setup_minutes"), f"{f}.setup_minutes"),
                minutes_per_unit=_non_negative(raw.get("minutes_per_unit"), f"{f}.minutes_per_unit")))
    for i, raw in enumerate(data.get("by_products") or []):
        f = f"by_products[{i}]"
        with problems.collect():
            by = _product(raw.get("sku"), f"{f}.sku")
            qty = to_decimal(raw.get("qty"), field=f"{f}.qty")
            if qty <= 0:
                raise ValidationFailed(_("%(field)s must be greater than 0") % {"field": f"{f}.qty"}, field=f"{f}.qty")
            by_products.append(BomByProduct(product=by, qty=qty))
    problems.raise_if_any()
    with tx.act():
        graph = components_graph()
        graph.setdefault(product.pk, set()).update(line.component_id for line in lines)
        cycle = _find_cycle(graph, product.pk)
        if cycle is not None:
            skus = dict(Product.objects.filter(pk__in=set(cycle)).values_list("pk", "sku"))
            path = " → ".join(skus[pk] for pk in cycle)
            raise ValidationFailed(_("this BOM would make %(sku)s from itself: %(path)s") % {
                "sku": product.sku, "path": path}, field="lines", code="bom_cycle", path=[skus[pk] for pk in cycle])
        version = (Bom.objects.filter(product=product).order_by("-version").values_list("version", flat=True).first()
                   or 0) + 1
        bom = Bom.objects.create(product=product, version=version, valid_from=valid_from, quantity=quantity, kind=kind,
                                 created_by=actor.username)
        for row in (*lines, *operations, *by_products):
            row.bom = bom
        BomLine.objects.bulk_create(lines)
        BomOperation.objects.bulk_create(operations)
        BomByProduct.objects.bulk_create(by_products)
        audit.record_created(bom, actor=actor, fields=["product", "version", "valid_from", "quantity", "kind"])
        emit("production.bom.created", aggregate_type="bom", aggregate_id=f"{product.sku}/v{version}", actor=actor,
             payload={"sku": product.sku, "version": version, "lines": [
                 {"sku": ln.component.sku, "qty": str(ln.qty), "scrap_pct": str(ln.scrap_pct)} for ln in lines]})
        return bom


def bom_for(product: Product, *, on: datetime.date, bom: Bom | None = None) -> Bom:
    """The BOM version to make `product` on a date: the given one, else the active one valid latest."""
    if bom is not None:
        if bom.product_id != product.pk:
            raise ValidationFailed(_("BOM %(bom)s is not a BOM of %(sku)s") % {"bom": bom, "sku": product.sku},
                                   field="bom")
        return bom
    found = (Bom.objects.filter(product=product, active=True, kind=Bom.Kind.NORMAL)
             .filter(Q(valid_from__lte=on)).order_by("-valid_from", "-version").first()
             or Bom.objects.filter(product=product, active=True).order_by("valid_from", "version").first())
    if found is None:
        raise NotFound(_("%(sku)s has no bill of materials") % {"sku": product.sku}, field="sku", code="no_bom")
    return found


@dataclass
class Need:
    component: Product
    per_unit: Decimal  # of the finished product, scrap allowance included


def explode(bom: Bom, *, on: datetime.date, depth: int = 0) -> list[Need]:
    """Components per unit of the BOM's product; a component that has a phantom BOM is replaced by the
    phantom's own components (a kit is never stocked)."""
    if depth > MAX_DEPTH:
        raise ValidationFailed(_("the BOM of %(sku)s is nested too deep") % {"sku": bom.product.sku}, field="bom",
                               code="bom_cycle")
    needs: dict[int, Need] = {}
    for line in bom.lines.select_related("component__uom").order_by("seq"):
        per_unit = line.qty * (1 + line.scrap_pct / 100) / bom.quantity
        phantom = Bom.objects.filter(product=line.component, active=True, kind=Bom.Kind.PHANTOM,
                                     valid_from__lte=on).order_by("-valid_from", "-version").first()
        parts = [Need(n.component, n.per_unit * per_unit) for n in explode(phantom, on=on, depth=depth + 1)] \
            if phantom is not None else [Need(line.component, per_unit)]
        for need in parts:
            if need.component.pk in needs:
                needs[need.component.pk].per_unit += need.per_unit
            else:
                needs[need.component.pk] = need
    return list(needs.values())


def required(need: Need, qty: Decimal) -> Decimal:
    """The quantity of a component for `qty` finished units, at the component's unit precision."""
    return round_qty(need.per_unit * qty, need.component.uom.precision)
