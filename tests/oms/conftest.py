import copy
import json
from pathlib import Path

import pytest

SAMPLES = Path("/work/shared/reference/samples")
FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = {
    "taobao": "taobao-order.json",
    "douyin": "douyin-order.json",
    "shopify": "shopify-order.json",
    "jd": "jd-order.json",
    "woocommerce": "woocommerce-order.json",
}


def load(channel: str) -> dict:
    """The reference sample (copied into fixtures/ so the tests run without the shared folder)."""
    name = SOURCES[channel]
    path = FIXTURES / name
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def payload():
    return load


@pytest.fixture(autouse=True)
def english():
    """Reasons are asserted in English; the zh-Hans catalogue is tested separately."""
    from django.utils import translation

    with translation.override("en"):
        yield
