"""Channel adapters: each turns one platform's raw order JSON into a `NormalizedOrder` (pure, no DB).

    split_orders("jd", payload)             -> Page: the orders an API answer holds, each at its JSON path
    normalize("douyin", payload)            -> NormalizedOrder, or ChannelPayloadError naming the path
    ADAPTERS["shopify"].verify_webhook(headers, raw_body, secret) -> bool

See docs/design/channels.md.
"""

from django.utils.translation import gettext as _

from sihe.oms.channels.base import (
    STATUSES,
    Adapter,
    Buyer,
    ChannelPayloadError,
    NormalizedLine,
    NormalizedOrder,
    Page,
    Receiver,
)
from sihe.oms.channels.douyin import DouyinAdapter
from sihe.oms.channels.jd import JdAdapter
from sihe.oms.channels.native import NativeAdapter
from sihe.oms.channels.shopify import ShopifyAdapter
from sihe.oms.channels.taobao import TaobaoAdapter
from sihe.oms.channels.woocommerce import WooCommerceAdapter

ADAPTERS: dict[str, Adapter] = {
    "taobao": TaobaoAdapter(),
    "jd": JdAdapter(),
    "douyin": DouyinAdapter(),
    "shopify": ShopifyAdapter(),
    "woocommerce": WooCommerceAdapter(),
}
ADAPTERS["tmall"] = ADAPTERS["taobao"]  # Tmall speaks the same TOP trade API
for _native in ("pos", "dealer", "api", "manual"):  # Sihe's own format (manual entry, POS, dealers, integrators)
    ADAPTERS[_native] = NativeAdapter(_native)


def _adapter(channel_type: str) -> Adapter:
    adapter = ADAPTERS.get(channel_type)
    if adapter is None:
        raise ChannelPayloadError("channel_type", _("unknown channel %(channel)s") % {"channel": channel_type})
    return adapter


def normalize(channel_type: str, payload: dict, *, shop: str | None = None) -> NormalizedOrder:
    return _adapter(channel_type).normalize(payload, shop=shop)


def split_orders(channel_type: str, payload) -> Page:
    """The orders in whatever the platform's order API answered: one (order.get, a webhook body) or a page
    (trades.sold.get, order.search, searchList), so intake can take each order of a pulled page on its own."""
    return _adapter(channel_type).orders(payload)


__all__ = [
    "ADAPTERS", "STATUSES", "Buyer", "ChannelPayloadError", "NormalizedLine", "NormalizedOrder", "Page", "Receiver",
    "normalize", "split_orders",
]
