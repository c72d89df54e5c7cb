"""Master data by natural keys: products (SKU), partners, warehouses, locations and channels (code)."""

from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from sihe.api.base import Strict, rendered
from sihe.api.pagination import MAX_INT, Page
from sihe.api.security import authorize, may
from sihe.catalog import selectors, services
from sihe.core import tx
from sihe.oms import review as order_review

router = Router(tags=["master data"])

Tracking = Literal["none", "lot", "lot_expiry", "serial"]
Costing = Literal["moving_average", "fifo"]
Side = Literal["L", "R"]
LocationKind = Literal["bin", "dock", "staging", "quality"]
ChannelType = Literal["taobao", "jd", "douyin", "shopify", "woocommerce", "pos", "dealer", "api"]


# Upper bounds of the columns: a bigger number is a 422 naming the field, not a database overflow (500).


def _set(payload: Schema) -> dict:
    return payload.model_dump(exclude_unset=True)


# -- products -------------------------------------------------------------------------------------


class ProductPatch(Strict):
    name: str | None = Field(None, max_length=200, description="Chinese name")
    name_en: str | None = Field(None, max_length=200)
    gtin: str | None = Field(None, description="GTIN-8/12/13/14; the GS1 check digit is verified")
    uom: str | None = Field(None, description="unit code, e.g. PCS, BOX, KG")
    category: str | None = None
    weight: Decimal | None = Field(None, lt=10**9, description="kg")
    volume: Decimal | None = Field(None, lt=10**6, description="m³")
    tracking: Tracking | None = None
    shelf_life_days: int | None = Field(None, ge=0, le=MAX_INT)
    tax_rate: Decimal | None = Field(None, lt=100, description="0, 0.01, 0.03, 0.05, 0.06, 0.09 or 0.13")
    tax_code: str | None = Field(None, description="税收分类编码, 19 digits")
    tax_short_name: str | None = Field(None, description="商品和服务税收分类简称, e.g. 乳制品")
    costing_method: Costing | None = None
    list_price: Decimal | None = Field(None, lt=10**10)
    active: bool | None = None
    make_or_buy: Literal["make", "buy"] | None = Field(None, description="MRP proposes production or purchase")
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    safety_stock: Decimal | None = Field(None, ge=0, lt=10**13)
    lot_sizing: Literal["lot_for_lot", "fixed", "periodic", "wagner_whitin", "silver_meal"] | None = None
    lot_size: Decimal | None = Field(None, ge=0, lt=10**13, description="fixed: the multiple; periodic: the periods")
    order_cost: Decimal | None = Field(None, ge=0, lt=10**10, description="set-up or ordering cost per order, CNY")
    holding_cost_per_period: Decimal | None = Field(None, ge=0, lt=10**10, description="CNY per unit and bucket")
    min_order_qty: Decimal | None = Field(None, ge=0, lt=10**13)
    main_supplier: str | None = Field(None, max_length=40, description="partner code; MRP buys from it")


class ProductIn(ProductPatch):
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = Field(..., min_length=1, max_length=200)
    uom: str = "PCS"
    tracking: Tracking = "none"


class ProductOut(Schema):
    sku: str
    name: str
    name_en: str
    gtin: str | None
    uom: str
    uom_precision: int
    category: str | None
    weight: Decimal
    volume: Decimal
    tracking: Tracking
    shelf_life_days: int | None
    tax_rate: Decimal
    tax_code: str
    tax_short_name: str
    costing_method: Costing
    list_price: Decimal
    active: bool
    make_or_buy: str
    lead_time_days: int
    safety_stock: Decimal
    lot_sizing: str
    lot_size: Decimal
    order_cost: Decimal
    holding_cost_per_period: Decimal
    min_order_qty: Decimal
    main_supplier: str | None

    @staticmethod
    def resolve_main_supplier(obj):
        return obj.main_supplier.code if obj.main_supplier_id else None

    @staticmethod
    def resolve_uom(obj):
        return obj.uom.code

    @staticmethod
    def resolve_uom_precision(obj):
        return obj.uom.precision

    @staticmethod
    def resolve_category(obj):
        return obj.category.code if obj.category_id else None


@router.get("/products", response=list[ProductOut], summary="List products")
@paginate(Page)
def list_products(request, q: str | None = None, active: bool | None = None):
    authorize(request, "catalog.view")
    qs = selectors.products()
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q) | Q(gtin=q))
    if active is not None:
        qs = qs.filter(active=active)
    return qs


@router.post("/products", response={201: ProductOut}, summary="Create a product")
def create_product(request, payload: ProductIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        product = services.create_product(data=_set(payload) | {"sku": payload.sku, "name": payload.name,
                                                                 "uom": payload.uom, "tracking": payload.tracking},
                                          actor=actor)
    return 201, selectors.product_by_sku(product.sku)


@router.get("/products/{sku}", response=ProductOut, summary="One product by SKU")
def get_product(request, sku: str):
    authorize(request, "catalog.view")
    card = selectors.product_card(sku)
    return rendered({name: card[name] for name in ProductOut.model_fields})


@router.patch("/products/{sku}", response=ProductOut, summary="Change a product")
def patch_product(request, sku: str, payload: ProductPatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        services.update_product(product=selectors.product_by_sku(sku), data=_set(payload), actor=actor)
    return selectors.product_by_sku(sku)


# -- partners -------------------------------------------------------------------------------------


class AddressFields(Strict):
    province: str | None = Field(None, max_length=40, description="省")
    city: str | None = Field(None, max_length=40, description="市")
    district: str | None = Field(None, max_length=40, description="区/县")
    address: str | None = Field(None, max_length=200, description="详细地址")


class PartnerPatch(AddressFields):
    name: str | None = Field(None, max_length=200)
    kind: Literal["customer", "supplier"] | None = None
    phone: str | None = Field(None, max_length=40)
    tax_id: str | None = Field(None, description="统一社会信用代码 (check digit verified)")
    contact: str | None = Field(None, max_length=60)
    min_shelf_life_days: int | None = Field(None, ge=0, le=MAX_INT)
    credit_limit: Decimal | None = Field(None, ge=0, lt=10**15,
                                         description="CNY; a customer's orders above it wait for a manager; null/0: none")
    active: bool | None = None


class PartnerIn(PartnerPatch):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["customer", "supplier"]


class PartnerOut(Schema):
    code: str
    name: str
    kind: str
    province: str
    city: str
    district: str
    address: str
    phone: str
    tax_id: str
    contact: str
    min_shelf_life_days: int | None
    credit_limit: Decimal | None
    active: bool


class PartnerCreditOut(Schema):
    code: str
    limit: str | None = Field(..., description="null: no credit limit")
    exposure: str = Field(..., description="open receivables + open orders not yet shipped")
    receivable: str = Field(..., description="shipped and not yet paid")
    unshipped: str = Field(..., description="open orders not yet shipped")
    available: str | None = Field(..., description="limit − exposure (negative when over); null: no limit")


@router.get("/partners", response=list[PartnerOut], summary="List customers and suppliers")
@paginate(Page)
def list_partners(request, kind: Literal["customer", "supplier"] | None = None, q: str | None = None):
    authorize(request, "catalog.view")
    qs = selectors.partners()
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@router.post("/partners", response={201: PartnerOut}, summary="Create a customer or supplier")
def create_partner(request, payload: PartnerIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        partner = services.create_partner(data=_set(payload) | {"kind": payload.kind}, actor=actor)
    return 201, partner


@router.get("/partners/{code}", response=PartnerOut, summary="One partner by code")
def get_partner(request, code: str):
    authorize(request, "catalog.view")
    return selectors.partner_by_code(code)


@router.get("/partners/{code}/credit", response=PartnerCreditOut,
            summary="A customer's credit: limit, exposure (open receivables + unshipped orders) and what is available")
def get_partner_credit(request, code: str):
    if not may(request, "ledger.view"):
        authorize(request, "orders.manage")
    return {"code": code, **order_review.credit(selectors.partner_by_code(code)).as_dict()}


@router.patch("/partners/{code}", response=PartnerOut, summary="Change a partner")
def patch_partner(request, code: str, payload: PartnerPatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return services.update_partner(partner=selectors.partner_by_code(code), data=_set(payload), actor=actor)


# -- warehouses -----------------------------------------------------------------------------------


class WarehousePatch(AddressFields):
    name: str | None = Field(None, max_length=100)
    latitude: Decimal | None = Field(None, lt=1000)
    longitude: Decimal | None = Field(None, lt=1000)
    allow_negative_stock: bool | None = None
    active: bool | None = None


class WarehouseIn(WarehousePatch):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)


class WarehouseOut(Schema):
    code: str
    name: str
    province: str
    city: str
    district: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    allow_negative_stock: bool
    active: bool


@router.get("/warehouses", response=list[WarehouseOut], summary="List warehouses")
@paginate(Page)
def list_warehouses(request):
    authorize(request, "catalog.view")
    return selectors.warehouses()


@router.post("/warehouses", response={201: WarehouseOut}, summary="Create a warehouse")
def create_warehouse(request, payload: WarehouseIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return 201, services.create_warehouse(data=_set(payload), actor=actor)


@router.get("/warehouses/{code}", response=WarehouseOut, summary="One warehouse by code")
def get_warehouse(request, code: str):
    authorize(request, "catalog.view")
    return selectors.warehouse_by_code(code)


@router.patch("/warehouses/{code}", response=WarehouseOut, summary="Change a warehouse")
def patch_warehouse(request, code: str, payload: WarehousePatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return services.update_warehouse(warehouse=selectors.warehouse_by_code(code), data=_set(payload), actor=actor)


# -- locations ------------------------------------------------------------------------------------


class LocationPatch(Strict):
    zone: str | None = Field(None, max_length=10)
    kind: LocationKind | None = None
    aisle: int | None = Field(None, ge=0, le=MAX_INT)
    position: int | None = Field(None, ge=0, le=MAX_INT)
    side: Side | None = None
    level: int | None = Field(None, ge=0, le=MAX_INT)
    capacity_volume: Decimal | None = Field(None, lt=10**7)
    active: bool | None = None


class LocationIn(LocationPatch):
    code: str = Field(..., min_length=1, max_length=40, description="e.g. A-03-05-02: zone-aisle-position-level")
    warehouse: str = Field(..., min_length=1, max_length=20)


class LocationOut(Schema):
    code: str
    warehouse: str
    zone: str
    kind: str
    aisle: int
    position: int
    side: str
    level: int
    capacity_volume: Decimal | None
    active: bool

    @staticmethod
    def resolve_warehouse(obj):
        return obj.warehouse.code

    @staticmethod
    def resolve_zone(obj):
        return obj.zone.code


@router.get("/locations", response=list[LocationOut], summary="List locations (bins)")
@paginate(Page)
def list_locations(request, warehouse: str | None = None, zone: str | None = None):
    authorize(request, "catalog.view")
    qs = selectors.locations()
    if warehouse:
        qs = qs.filter(warehouse__code=warehouse)
    if zone:
        qs = qs.filter(zone__code=zone)
    return qs


@router.post("/locations", response={201: LocationOut}, summary="Create a location")
def create_location(request, payload: LocationIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        location = services.create_location(data=_set(payload), actor=actor)
    return 201, selectors.location_by_code(location.warehouse.code, location.code)


@router.get("/locations/{warehouse}/{code}", response=LocationOut, summary="One location by warehouse and code")
def get_location(request, warehouse: str, code: str):
    authorize(request, "catalog.view")
    return selectors.location_by_code(warehouse, code)


@router.patch("/locations/{warehouse}/{code}", response=LocationOut, summary="Change a location")
def patch_location(request, warehouse: str, code: str, payload: LocationPatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        services.update_location(location=selectors.location_by_code(warehouse, code), data=_set(payload), actor=actor)
    return selectors.location_by_code(warehouse, code)


# -- channels -------------------------------------------------------------------------------------


class ChannelPatch(Strict):
    type: ChannelType | None = None
    name: str | None = Field(None, max_length=100)
    min_shelf_life_days: int | None = Field(None, ge=0, le=MAX_INT)
    active: bool | None = None


class ChannelIn(ChannelPatch):
    code: str = Field(..., min_length=1, max_length=40)
    type: ChannelType
    name: str = Field(..., min_length=1, max_length=100)


class ChannelOut(Schema):
    code: str
    type: str
    name: str
    min_shelf_life_days: int | None
    active: bool


@router.get("/channels", response=list[ChannelOut], summary="List sales channels")
@paginate(Page)
def list_channels(request):
    authorize(request, "catalog.view")
    return selectors.channels()


@router.post("/channels", response={201: ChannelOut}, summary="Create a sales channel")
def create_channel(request, payload: ChannelIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return 201, services.create_channel(data=_set(payload) | {"type": payload.type}, actor=actor)


@router.get("/channels/{code}", response=ChannelOut, summary="One channel by code")
def get_channel(request, code: str):
    authorize(request, "catalog.view")
    return selectors.channel_by_code(code)


@router.patch("/channels/{code}", response=ChannelOut, summary="Change a channel")
def patch_channel(request, code: str, payload: ChannelPatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return services.update_channel(channel=selectors.channel_by_code(code), data=_set(payload), actor=actor)


# -- units and categories -------------------------------------------------------------------------


class UnitPatch(Strict):
    name: str | None = Field(None, max_length=40)
    precision: int | None = Field(None, ge=0, le=6, description="decimal places of quantities in this unit")


class UnitIn(UnitPatch):
    code: str = Field(..., min_length=1, max_length=20, description="e.g. PCS, BOX, KG; matched case-insensitively")
    name: str = Field(..., min_length=1, max_length=40)


class UnitOut(Schema):
    code: str
    name: str
    precision: int


@router.get("/units", response=list[UnitOut], summary="List units of measure")
@paginate(Page)
def list_units(request):
    authorize(request, "catalog.view")
    return selectors.units()


@router.post("/units", response={201: UnitOut}, summary="Create a unit of measure")
def create_unit(request, payload: UnitIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return 201, services.create_unit(data=_set(payload) | {"code": payload.code, "name": payload.name}, actor=actor)


@router.patch("/units/{code}", response=UnitOut, summary="Change a unit's name (or precision while unused)")
def patch_unit(request, code: str, payload: UnitPatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return services.update_unit(unit=selectors.unit_by_code(code), data=_set(payload), actor=actor)


class CategoryPatch(Strict):
    name: str | None = Field(None, max_length=100)
    parent: str | None = Field(None, max_length=40, description="parent category code")


class CategoryIn(CategoryPatch):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None = Field(None, alias="parent.code")


@router.get("/categories", response=list[CategoryOut], summary="List product categories")
@paginate(Page)
def list_categories(request):
    authorize(request, "catalog.view")
    return selectors.categories()


@router.post("/categories", response={201: CategoryOut}, summary="Create a product category")
def create_category(request, payload: CategoryIn):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return 201, services.create_category(data=_set(payload) | {"code": payload.code, "name": payload.name},
                                             actor=actor)


@router.patch("/categories/{code}", response=CategoryOut, summary="Change a category")
def patch_category(request, code: str, payload: CategoryPatch):
    actor = authorize(request, "catalog.edit")
    with tx.entry():
        return services.update_category(category=selectors.category_by_code(code), data=_set(payload), actor=actor)
