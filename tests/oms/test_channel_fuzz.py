"""Any single damaged value in a sample payload gives a normalized order or a ChannelPayloadError —
never another exception (which the intake API would turn into a 500)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sihe.oms.channels import ChannelPayloadError, normalize

from .conftest import SOURCES, load


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(value, path, new):
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
    | st.sampled_from(["", "0", "-1", "1e400", "NaN", "12.345", "0001-01-01 00:00:00", "2025-13-45T99:99"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=4,
)


@pytest.mark.parametrize("channel", sorted(SOURCES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_payloads_never_escape_as_other_errors(channel, data):
    payload = load(channel)
    paths = [p for p in _paths(payload) if p and p[0] != "_meta"]
    path = data.draw(st.sampled_from(paths))
    damaged = _replace(payload, path, data.draw(json_values))
    try:
        normalize(channel, damaged)
    except ChannelPayloadError as error:
        assert error.field and error.reason
