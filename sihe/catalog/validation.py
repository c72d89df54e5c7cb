"""Cleaning master-data input, shared by the API, the admin and Excel import.

`clean_*` return the cleaned values and *every* problem found (field, reason), so an Excel import can
report all bad cells of a file at once; services raise the first problem as a ValidationFailed.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from biip import ParseError
from biip.gtin import Gtin
from django.utils.translation import gettext as _
from stdnum.cn import uscc

from sihe.catalog.models import TAX_RATES, Channel, Location, Partner, Product
from sihe.core.money import LIMIT as MONEY_LIMIT
from sihe.core.money import text as money_text

Problems = list[tuple[str, str]]
CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str = "str"  # str | decimal | int | bool | choice
    required: bool = False
    max_length: int | None = None
    choices: tuple = ()
    minimum: Decimal | None = None
    max_places: int | None = None
    aliases: tuple = field(default=())


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _convert(spec: Spec, value):
    """Return the converted value or raise ValueError with the reason."""
    if spec.kind == "str":
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if spec.max_length and len(text) > spec.max_length:
            raise ValueError(_("longer than %(n)s characters") % {"n": spec.max_length})
        if "\x00" in text:  # PostgreSQL cannot store it; refused alike on every database
            raise ValueError(_("must not contain NUL (0x00) characters"))
        if CONTROL.search(text):  # \v, \f … break every Excel export and every printed label
            raise ValueError(_("must not contain control characters"))
        return text
    if spec.kind == "choice":
        text = str(value).strip()
        if text not in spec.choices:
            raise ValueError(_("must be one of %(choices)s") % {"choices": ", ".join(spec.choices)})
        return text
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "y", "是"):
            return True
        if text in ("0", "false", "no", "n", "否"):
            return False
        raise ValueError(_("must be true or false"))
    if isinstance(value, bool):
        raise ValueError(_("must be a number"))
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("must be a number")) from None
    if not number.is_finite():
        raise ValueError(_("must be a number"))
    if spec.minimum is not None and number < spec.minimum:
        raise ValueError(_("must be at least %(min)s") % {"min": spec.minimum})
    if spec.kind == "int":
        if number != number.to_integral_value():
            raise ValueError(_("must be a whole number"))
        return int(number)
    if spec.max_places is not None and -number.normalize().as_tuple().exponent > spec.max_places:
        raise ValueError(_("at most %(n)s decimal places") % {"n": spec.max_places})
    return number


def clean_fields(specs: list[Spec], data: dict, *, partial: bool) -> tuple[dict, Problems]:
    cleaned: dict = {}
    problems: Problems = []
    known = {s.name for s in specs}
    for key in data:
        if key not in known:
            problems.append((key, _("unknown field")))
    for spec in specs:
        if spec.name not in data:
            if spec.required and not partial:
                problems.append((spec.name, _("is required")))
            continue
        value = data[spec.name]
        if _blank(value):
            if spec.required:
                problems.append((spec.name, _("is required")))
            else:
                cleaned[spec.name] = None if spec.kind in ("decimal", "int") else ("" if spec.kind == "str" else None)
            continue
        try:
            cleaned[spec.name] = _convert(spec, value)
        except ValueError as exc:
            problems.append((spec.name, str(exc)))
    return cleaned, problems


def check_gtin(value: str) -> str | None:
    """Return the reason a GTIN is wrong, or None. GS1 check digit via biip."""
    if not re.fullmatch(r"\d{8}|\d{12}|\d{13}|\d{14}", value):
        return _("a GTIN has 8, 12, 13 or 14 digits")
    try:
        Gtin.parse(value)
    except ParseError:
        return _("wrong GS1 check digit")
    return None


def normalize_gtin(value: str) -> str:
    """GTIN-13 is what Chinese retail barcodes carry; store what was given, as digits."""
    return value


PRODUCT_SPECS = [
    Spec("sku", required=True, max_length=64),
    Spec("name", required=True, max_length=200),
    Spec("name_en", max_length=200),
    Spec("gtin", max_length=14),
    Spec("uom", required=True, max_length=20),
    Spec("category", max_length=40),
    Spec("weight", "decimal", minimum=Decimal(0), max_places=3),
    Spec("volume", "decimal", minimum=Decimal(0), max_places=6),
    Spec("tracking", "choice", choices=tuple(Product.Tracking.values)),
    Spec("shelf_life_days", "int", minimum=Decimal(0)),
    Spec("tax_rate", "decimal", minimum=Decimal(0)),
    Spec("tax_code", max_length=19),
    Spec("tax_short_name", max_length=40),
    Spec("costing_method", "choice", choices=tuple(Product.CostingMethod.values)),
    Spec("list_price", "decimal", minimum=Decimal(0), max_places=4),
    Spec("active", "bool"),
    Spec("make_or_buy", "choice", choices=tuple(Product.MakeOrBuy.values)),
    Spec("lead_time_days", "int", minimum=Decimal(0)),
    Spec("safety_stock", "decimal", minimum=Decimal(0), max_places=6),
    Spec("lot_sizing", "choice", choices=tuple(Product.LotSizing.values)),
    Spec("lot_size", "decimal", minimum=Decimal(0), max_places=6),
    Spec("order_cost", "decimal", minimum=Decimal(0), max_places=2),
    Spec("holding_cost_per_period", "decimal", minimum=Decimal(0), max_places=6),
    Spec("min_order_qty", "decimal", minimum=Decimal(0), max_places=6),
    Spec("main_supplier", max_length=40),
]

ADDRESS_SPECS = [
    Spec("province", max_length=40),
    Spec("city", max_length=40),
    Spec("district", max_length=40),
    Spec("address", max_length=200),
]

PARTNER_SPECS = [
    Spec("code", required=True, max_length=40),
    Spec("name", required=True, max_length=200),
    Spec("kind", "choice", required=True, choices=tuple(Partner.Kind.values)),
    *ADDRESS_SPECS,
    Spec("phone", max_length=40),
    Spec("tax_id", max_length=20),
    Spec("contact", max_length=60),
    Spec("min_shelf_life_days", "int", minimum=Decimal(0)),
    Spec("credit_limit", "decimal", minimum=Decimal(0), max_places=2),  # empty or 0: no limit
    Spec("active", "bool"),
]

WAREHOUSE_SPECS = [
    Spec("code", required=True, max_length=20),
    Spec("name", required=True, max_length=100),
    *ADDRESS_SPECS,
    Spec("latitude", "decimal", minimum=Decimal(-90), max_places=6),
    Spec("longitude", "decimal", minimum=Decimal(-180), max_places=6),
    Spec("allow_negative_stock", "bool"),
    Spec("active", "bool"),
]

LOCATION_SPECS = [
    Spec("code", required=True, max_length=40),
    Spec("warehouse", required=True, max_length=20),
    Spec("zone", max_length=10),
    Spec("kind", "choice", choices=tuple(Location.Kind.values)),
    Spec("aisle", "int", minimum=Decimal(0)),
    Spec("position", "int", minimum=Decimal(0)),
    Spec("side", "choice", choices=tuple(Location.Side.values)),
    Spec("level", "int", minimum=Decimal(0)),
    Spec("capacity_volume", "decimal", minimum=Decimal(0), max_places=3),
    Spec("active", "bool"),
]

CHANNEL_SPECS = [
    Spec("code", required=True, max_length=40),
    Spec("type", "choice", required=True, choices=tuple(Channel.Type.values)),
    Spec("name", required=True, max_length=100),
    Spec("min_shelf_life_days", "int", minimum=Decimal(0)),
    Spec("active", "bool"),
]

UNIT_SPECS = [
    Spec("code", required=True, max_length=20),
    Spec("name", required=True, max_length=40),
    Spec("precision", "int", minimum=Decimal(0)),
]

CATEGORY_SPECS = [
    Spec("code", required=True, max_length=40),
    Spec("name", required=True, max_length=100),
    Spec("parent", max_length=40),
]

BIN_CODE = re.compile(r"^(?P<zone>[A-Za-z0-9]{1,10})-(?P<aisle>\d{1,3})-(?P<position>\d{1,3})-(?P<level>\d{1,3})$")


def clean_product(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    cleaned, problems = clean_fields(PRODUCT_SPECS, data, partial=partial)
    if cleaned.get("gtin") == "":
        cleaned["gtin"] = None  # no GTIN is NULL, not "": the column is unique
    if cleaned.get("gtin"):
        reason = check_gtin(cleaned["gtin"])
        if reason:
            problems.append(("gtin", reason))
    rate = cleaned.get("tax_rate")
    if rate is not None and rate not in TAX_RATES:
        problems.append(("tax_rate", _("must be one of %(rates)s") % {"rates": ", ".join(str(r) for r in TAX_RATES)}))
    if cleaned.get("tax_code") and not re.fullmatch(r"\d{19}", cleaned["tax_code"]):
        problems.append(("tax_code", _("a tax classification code has 19 digits")))
    if cleaned.get("tracking") == Product.Tracking.LOT_EXPIRY and "shelf_life_days" in cleaned:
        if not cleaned["shelf_life_days"]:
            problems.append(("shelf_life_days", _("is required for lot + expiry tracked products")))
    return cleaned, problems


def clean_partner(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    cleaned, problems = clean_fields(PARTNER_SPECS, data, partial=partial)
    tax_id = cleaned.get("tax_id")
    if tax_id and not uscc.is_valid(tax_id):
        problems.append(("tax_id", _("not a valid unified social credit code (check digit)")))
    if cleaned.get("credit_limit") is not None and cleaned["credit_limit"] >= MONEY_LIMIT:
        problems.append(("credit_limit", _("must be less than %(limit)s") % {"limit": money_text(MONEY_LIMIT)}))
    return cleaned, problems


def clean_warehouse(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    cleaned, problems = clean_fields(WAREHOUSE_SPECS, data, partial=partial)
    if cleaned.get("latitude") is not None and cleaned["latitude"] > 90:
        problems.append(("latitude", _("must be between -90 and 90")))
    if cleaned.get("longitude") is not None and cleaned["longitude"] > 180:
        problems.append(("longitude", _("must be between -180 and 180")))
    return cleaned, problems


def clean_location(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    """A bin code like A-03-05-02 gives zone, aisle, position and level unless they are given."""
    cleaned, problems = clean_fields(LOCATION_SPECS, data, partial=partial)
    if "zone" in cleaned and not cleaned["zone"]:
        cleaned.pop("zone")  # "" means "not given": the zone comes from the code
    code = cleaned.get("code")
    kind = cleaned.get("kind") or Location.Kind.BIN
    if code and kind == Location.Kind.BIN:
        match = BIN_CODE.match(code)
        if not match:
            problems.append(("code", _("a bin code looks like A-03-05-02 (zone-aisle-position-level)")))
        else:
            cleaned.setdefault("zone", match["zone"])
            cleaned.setdefault("aisle", int(match["aisle"]))
            cleaned.setdefault("position", int(match["position"]))
            cleaned.setdefault("level", int(match["level"]))
            # Odd positions on the left of the aisle, even on the right: the usual rack numbering.
            cleaned.setdefault("side", "L" if int(match["position"]) % 2 else "R")
    if code and kind != Location.Kind.BIN and not cleaned.get("zone"):
        cleaned["zone"] = code.split("-")[0][:10]
    return cleaned, problems


def clean_channel(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    return clean_fields(CHANNEL_SPECS, data, partial=partial)


def clean_unit(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    cleaned, problems = clean_fields(UNIT_SPECS, data, partial=partial)
    if cleaned.get("code"):
        cleaned["code"] = cleaned["code"].upper()  # unit codes are upper case and match case-insensitively
    if cleaned.get("precision") is not None and cleaned["precision"] > 6:
        problems.append(("precision", _("at most 6 decimal places")))
    return cleaned, problems


def clean_category(data: dict, *, partial: bool = False) -> tuple[dict, Problems]:
    return clean_fields(CATEGORY_SPECS, data, partial=partial)
