"""The normalized order every channel adapter produces, and the tools adapters share.

Adapters are pure: a channel's raw JSON in, a `NormalizedOrder` out, or a `ChannelPayloadError` naming
the JSON path at fault (e.g. `trade.orders.order[0].num`). Money is converted here, once: yuan strings
with `money()`, Douyin's integer 分 with `fen_to_yuan()`; never through float.

Amounts, for every channel:
- `line.line_total` = qty × unit price as the channel states it (before any discount);
- `line.discount` = every discount the buyer got on the line: its own plus its share of order-level
  discounts (the platform's own allocation when it sends one that adds up, else spread in proportion,
  the last line taking the rounding remainder);
- `line.amount_paid` = line_total − discount (+ line tax when prices exclude tax);
- `goods_total − discount_total + shipping_fee + fee_total + added tax = amount_paid`, checked against the
  channel's own total; a payload whose numbers do not add up is refused.
- `platform_subsidy` is the part of `discount_total` that the platform (or an influencer) pays to the
  seller, not a price cut borne by the seller.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed
from sihe.core.money import CENT, fen_to_yuan, money, to_decimal

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATUSES = ("pending_payment", "paid", "partially_shipped", "shipped", "completed", "cancelled", "closed")
ZERO = Decimal("0.00")
LIMIT = Decimal(10) ** 12  # no order line or total reaches a trillion; larger values are refused


class ChannelPayloadError(ValidationFailed):
    """A channel payload we cannot take: `field` is the JSON path, `reason` what is wrong with it."""

    code = "invalid_payload"

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}", field=field)
        self.reason = reason


@dataclass(frozen=True)
class Buyer:
    id: str = ""
    nick: str = ""
    email: str = ""


@dataclass(frozen=True)
class Receiver:
    """Masked values (张**, 138****5678) are kept as given; decryption is a separate platform call."""

    name: str = ""
    phone: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    detail: str = ""
    zip: str = ""
    country: str = ""


@dataclass(frozen=True)
class NormalizedLine:
    external_line_id: str
    channel_sku: str  # the platform's SKU id
    outer_sku: str  # our SKU as the shop typed it (商家编码 / outer id / Shopify sku)
    name: str
    spec: dict  # {"颜色": "黑色", "尺码": "M"}
    qty: Decimal
    unit_price: Decimal
    line_total: Decimal
    discount: Decimal
    tax: Decimal
    amount_paid: Decimal
    status: str  # normalized, as the order's
    channel_status: str
    refund_status: str = ""
    shippable: bool = True
    # the platform refunded the buyer for this line (Taobao SUCCESS, Douyin refund_status 3), under this id
    refunded: bool = False
    refund_id: str = ""


@dataclass(frozen=True)
class NormalizedOrder:
    channel_type: str
    external_id: str
    shop: str
    status: str
    channel_status: str
    buyer: Buyer
    receiver: Receiver
    lines: tuple[NormalizedLine, ...]
    goods_total: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    amount_paid: Decimal
    currency: str
    created_at: datetime
    paid_at: datetime | None
    updated_at: datetime
    tax_total: Decimal = ZERO
    fee_total: Decimal = ZERO  # other charges (WooCommerce fee_lines), ex tax; may be negative
    prices_include_tax: bool = True
    platform_subsidy: Decimal = ZERO
    refunded_total: Decimal = ZERO
    hold_reason: str = ""
    buyer_message: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def dedupe_key(self) -> str:
        """The same order twice is one order: (platform, shop, order id)."""
        return f"{self.channel_type}:{self.shop}:{self.external_id}"

    @property
    def version_key(self) -> datetime:
        """Apply a later payload of the same order only when this increases."""
        return self.updated_at

    def is_newer_than(self, other: "NormalizedOrder") -> bool:
        return self.dedupe_key == other.dedupe_key and self.version_key > other.version_key


MISSING = object()
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


class Node:
    """A value inside a payload together with its JSON path, so every error names where it is."""

    def __init__(self, value, path: str):
        self.value = value
        self.path = path

    def _child_path(self, key) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else str(key)

    def fail(self, reason: str):
        raise ChannelPayloadError(self.path or "$", reason)

    @property
    def missing(self) -> bool:
        return self.value is MISSING or self.value is None

    def __getitem__(self, key) -> "Node":
        if isinstance(key, int):
            items = self.as_list()
            return Node(items[key] if -len(items) <= key < len(items) else MISSING, self._child_path(key))
        if self.value is MISSING or self.value is None:
            return Node(MISSING, self._child_path(key))
        if not isinstance(self.value, dict):
            self.fail(_("must be an object"))
        return Node(self.value.get(key, MISSING), self._child_path(key))

    def has(self, key) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def as_dict(self) -> dict:
        if self.missing:
            self.fail(_("is missing"))
        if not isinstance(self.value, dict):
            self.fail(_("must be an object"))
        return self.value

    def as_list(self, *, required: bool = True) -> list:
        if self.missing:
            if required:
                self.fail(_("is missing"))
            return []
        if not isinstance(self.value, list):
            self.fail(_("must be a list"))
        return self.value

    def items(self, *, nonempty: bool = True) -> list["Node"]:
        values = self.as_list()
        if nonempty and not values:
            self.fail(_("must not be empty"))
        return [Node(value, self._child_path(index)) for index, value in enumerate(values)]

    def elements(self) -> list["Node"]:
        """A list API's rows; an absent list is an empty page (TOP leaves empty arrays out of its answer)."""
        return [Node(value, self._child_path(index)) for index, value in enumerate(self.as_list(required=False))]

    def id(self) -> str:
        """An external id as a string: ints (Shopify int64, Douyin shop_id) become their digits; floats are
        refused because they have already lost the last digits of a big id."""
        value = self.value
        if self.missing or value == "":
            self.fail(_("is missing"))
        if isinstance(value, bool) or isinstance(value, float):
            self.fail(_("must be a string or an integer id, not %(type)s") % {"type": type(value).__name__})
        if isinstance(value, int):
            return str(value)
        if not isinstance(value, str):
            self.fail(_("must be a string or an integer id"))
        return value.strip()

    def text(self, default: str = "") -> str:
        value = self.value
        if self.missing:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(_("must be text"))
        return str(value).strip()

    def yuan(self, *, default=MISSING, allow_negative: bool = False) -> Decimal:
        """A yuan amount sent as a decimal string ("59.00"); numbers are refused (floats lose cents)."""
        if self.missing:
            if default is MISSING:
                self.fail(_("is missing"))
            return default
        if not isinstance(self.value, str):
            self.fail(_("must be a decimal string such as \"59.00\""))
        amount = self._decimal(money)
        if amount < 0 and not allow_negative:
            self.fail(_("must not be negative"))
        return amount

    def fen(self, *, default=MISSING) -> Decimal:
        """An amount in integer 分 (Douyin): 14800 → 148.00. Decimal strings and floats are refused."""
        if self.missing:
            if default is MISSING:
                self.fail(_("is missing"))
            return default
        value = self.value
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
            self.fail(_("must be an integer number of fen"))
        if int(value) < 0:
            self.fail(_("must not be negative"))
        if int(value) >= LIMIT * 100:
            self.fail(_("is too large"))
        return fen_to_yuan(value)

    def number(self) -> Decimal:
        """A JSON number (WooCommerce line price)."""
        if self.missing:
            self.fail(_("is missing"))
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            self.fail(_("must be a number"))
        return self._decimal(to_decimal)

    def qty(self, *, strings: bool = False) -> Decimal:
        """A positive quantity: a JSON integer, or a digit string where the channel sends one (JD itemTotal)."""
        if self.missing:
            self.fail(_("is missing"))
        value = self.value
        if isinstance(value, bool) or isinstance(value, float):
            self.fail(_("must be a whole number"))
        if isinstance(value, str):
            if not strings:
                self.fail(_("must be a number, not text"))
        elif not isinstance(value, int):
            self.fail(_("must be a number"))
        qty = self._decimal(to_decimal)
        if qty != qty.to_integral_value():
            self.fail(_("must be a whole number"))
        if qty <= 0:
            self.fail(_("must be greater than zero"))
        return qty

    def integer(self, *, default=MISSING) -> int:
        if self.missing:
            if default is MISSING:
                self.fail(_("is missing"))
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(_("must be an integer"))
        return self.value

    def _decimal(self, convert) -> Decimal:
        try:
            number = to_decimal(self.value, field=self.path)
        except ValidationFailed as error:
            if error.code == "number_too_large":
                self.fail(_("is too large"))
            self.fail(_("is not a number: %(value)r") % {"value": self.value})
        if abs(number) >= LIMIT:  # also keeps quantize() inside the decimal context's precision
            self.fail(_("is too large"))
        return convert(number, field=self.path)

    def local_time(self, *, optional: bool = False, tz=SHANGHAI) -> datetime | None:
        """"YYYY-MM-DD HH:MM:SS" in China time (Taobao, JD); JD's 0001-01-01 / 1970-… mean 'not yet'."""
        if self.missing or self.value == "":
            if optional:
                return None
            self.fail(_("is missing"))
        if not isinstance(self.value, str):
            self.fail(_("must be a date-time string"))
        if self.value.startswith(("0001-01-01", "1970-01-01")):
            if optional:
                return None
            self.fail(_("is not set"))
        text = self.value.strip()
        try:
            if not _LOCAL_TIME.match(text):
                raise ValueError(text)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(_("must read YYYY-MM-DD HH:MM:SS"))
        return parsed.replace(tzinfo=tz)

    def unix_time(self, *, optional: bool = False) -> datetime | None:
        """Unix seconds (Douyin); 0 means not set."""
        if self.missing or self.value == 0:
            if optional:
                return None
            self.fail(_("is missing"))
        if isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0:
            self.fail(_("must be unix seconds (an integer)"))
        try:
            return datetime.fromtimestamp(self.value, tz=SHANGHAI)
        except (ValueError, OverflowError, OSError):  # beyond year 9999: not a time a platform sends
            self.fail(_("must be unix seconds (an integer)"))

    def iso_time(self, *, optional: bool = False, naive_tz=None) -> datetime | None:
        """ISO 8601; with an offset (Shopify) or naive in `naive_tz` (WooCommerce *_gmt is UTC)."""
        if self.missing or self.value == "":
            if optional:
                return None
            self.fail(_("is missing"))
        if not isinstance(self.value, str):
            self.fail(_("must be an ISO 8601 date-time string"))
        try:
            parsed = datetime.fromisoformat(self.value.strip())
        except ValueError:
            self.fail(_("must be an ISO 8601 date-time"))
        if parsed.tzinfo is None:
            if naive_tz is None:
                self.fail(_("must carry a time-zone offset"))
            parsed = parsed.replace(tzinfo=naive_tz)
        return parsed


def spread(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over lines in proportion to `weights`, half up to the fen; the last line takes the
    rounding remainder so the parts add up to `total` exactly."""
    if not weights:
        return []
    base = sum(weights, Decimal(0))
    shares = []
    for weight in weights[:-1]:
        share = total * weight / base if base else total / len(weights)
        shares.append(share.quantize(CENT, rounding=ROUND_HALF_UP))
    shares.append(total - sum(shares, Decimal(0)))
    return shares


def unit_price_of(total: Decimal, qty: Decimal) -> Decimal:
    """The unit price behind a line total: to the fen when exact, else to 6 places."""
    price = (total / qty).quantize(CENT, rounding=ROUND_HALF_UP)
    if price * qty == total:
        return price
    return (total / qty).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def check_sum(node: Node, stated: Decimal, computed: Decimal, what: str) -> None:
    """`what` is a msgid marked with gettext_noop; it is translated only when the check fails."""
    if stated != computed:
        node.fail(
            _("is %(stated)s but %(what)s come to %(computed)s")
            % {"stated": stated, "what": _(what), "computed": computed}
        )


def full_name(given: str, family: str) -> str:
    """刘 + 明 → 刘明; Alex + Chen → Alex Chen."""
    given, family = (given or "").strip(), (family or "").strip()
    if any("\u4e00" <= char <= "\u9fff" for char in given + family):
        return family + given
    return " ".join(part for part in (given, family) if part)


def parse_spec(text: str) -> dict:
    """颜色分类:黑色;尺码:M → {"颜色分类": "黑色", "尺码": "M"}."""
    spec = {}
    for part in (text or "").split(";"):
        name, sep, value = part.partition(":")
        if sep and name.strip():
            spec[name.strip()] = value.strip()
    return spec


def verify_hmac_base64(headers: dict, header: str, raw_body: bytes, secret: str | bytes) -> bool:
    """True when `header` holds base64(HMAC-SHA256(secret, raw body)); compared in constant time."""
    wanted = header.lower()
    given = next((value for key, value in (headers or {}).items() if key.lower() == wanted), None)
    if not given or not secret:
        return False
    key = secret.encode() if isinstance(secret, str) else secret
    digest = base64.b64encode(hmac.new(key, raw_body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(digest.encode(), str(given).strip().encode())


@dataclass(frozen=True)
class Page:
    """The orders one answer of a platform's order API holds, each a Node at its JSON path in the body.

    A one-order API (Taobao trade.fullinfo.get, JD order.get, Douyin orderDetail, a webhook body) gives
    one order and `listed = None`; a list API (trades.sold.get, order.search, order.searchList) gives the
    list node it read, so a caller that wants one order can name the list when it holds another number.
    `total` and `has_next` are the platform's own paging facts when it sends them (None otherwise): they
    are reported back to whoever pulls, so a pull can tell a last page from a short one."""

    orders: tuple[Node, ...]
    listed: Node | None = None
    total: int | None = None
    has_next: bool | None = None

    def only(self) -> Node:
        """The single order of a one-order call; a page of another size is refused naming its list."""
        if self.listed is None or len(self.orders) == 1:
            return self.orders[0]
        if self.listed.missing:
            self.listed.fail(_("is missing"))
        self.listed.fail(_("holds %(n)s orders; send one order per request") % {"n": len(self.orders)})


def page_of(listed: Node, *, total: Node | None = None, has_next: Node | bool | None = None) -> Page:
    """A list API's page: its rows, with the paging facts read leniently (they only inform the caller)."""
    return Page(tuple(listed.elements()), listed=listed, total=_count(total), has_next=_flag(has_next))


def _count(node: Node | None) -> int | None:
    value = None if node is None else node.value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _flag(node: Node | bool | None) -> bool | None:
    value = node.value if isinstance(node, Node) else node
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(value.strip().lower()) if isinstance(value, str) else None


TOP_ERROR = ("code", "msg", "sub_code", "sub_msg", "zh_desc", "en_desc")  # TOP and JOS `error_response`


def refuse_platform_error(node: Node) -> None:
    """An answer that is the platform's error (TOP and JOS `error_response`: an expired session, a rate
    limit) names that error instead of failing later on an order field nobody would understand."""
    if node.has("error_response"):
        platform_error(node["error_response"], TOP_ERROR)


def platform_error(error: Node, keys: tuple[str, ...], *, at: Node | None = None):
    """Refuse the payload at `at` (default: the error object), quoting the platform's code and message."""
    value = error.value if isinstance(error.value, dict) else {}
    words = [str(value[key]) for key in keys if value.get(key) not in (None, "")] or [str(error.value)]
    (at or error).fail(_("the platform answered with an error: %(error)s") % {"error": " ".join(words)[:300]})


class Adapter:
    """One channel: `orders(payload)` finds the orders in whatever its order APIs answer; `normalize(payload,
    shop=...)` takes one order; `verify_webhook` where the platform signs deliveries."""

    channel_type = ""
    verify_webhook = None  # (headers, raw_body, secret) -> bool, on channels that sign webhooks

    def orders(self, payload) -> Page:
        """The orders in a payload; by default the payload is one bare order."""
        return Page((root(payload),))

    def normalize(self, payload: dict, *, shop: str | None = None) -> NormalizedOrder:
        """One order: a one-order envelope, a bare order, or a page that holds exactly one order."""
        return self.normalize_order(self.orders(payload).only(), shop=shop)

    def normalize_order(self, order: Node, *, shop: str | None = None) -> NormalizedOrder:
        raise ChannelPayloadError("$", _("this channel has no adapter"))


def root(payload) -> Node:
    if not isinstance(payload, dict):
        raise ChannelPayloadError("$", _("the payload must be a JSON object"))
    return Node(payload, "")


def status_of(node: Node, table: dict) -> str:
    raw = node.text()
    if not raw:
        node.fail(_("is missing"))
    if raw not in table:
        node.fail(_("unknown status %(status)s") % {"status": raw})
    return table[raw]
