"""A damaged element in an invoice XML is reported as an InvoiceError/problem, never another exception."""

import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sihe.core.errors import ValidationFailed
from sihe.invoicing.xml import parse_xml

SAMPLE = (Path(__file__).parent / "fixtures" / "einvoice-shudian.xml").read_bytes()
LEAVES = [i for i, e in enumerate(ET.fromstring(SAMPLE).iter()) if len(e) == 0]
texts = st.text(max_size=12) | st.sampled_from(
    ["", "-1", "1E30", "NaN", "Infinity", "13%", "0.17", "12.3456789", "2025-02-30 25:00:00", "（负数）零圆整"])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(LEAVES), texts, st.booleans())
def test_damaged_invoice_xml_is_reported_not_crashed(index, text, remove):
    root = ET.fromstring(SAMPLE)
    elements = list(root.iter())
    element = elements[index]
    if remove:
        parent = next(p for p in elements if element in list(p))
        parent.remove(element)
    else:
        element.text = text
    try:
        parsed = parse_xml(ET.tostring(root, encoding="utf-8"))
        for field, reason in parsed.problems():
            assert field and reason
    except ValidationFailed as error:
        assert error.field
