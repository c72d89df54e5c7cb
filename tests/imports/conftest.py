"""Excel files built in memory, as people would type them."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook


def make_xlsx(headers: list, rows: list) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def xlsx():
    return make_xlsx


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgid language); people get them in zh-Hans."""
    with translation.override("en"):
        yield
