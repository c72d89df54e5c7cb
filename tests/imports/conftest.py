"""Excel files built in memory, as people would type them."""

import io
import re
import zipfile

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


def understate_dimension(content: bytes, ref: str = "A1:K2") -> bytes:
    """The same workbook with the sheet's <dimension ref=...> rewritten, as some programs write it."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
                if not n:  # openpyxl's write-only mode leaves it out: put it where Excel writes it
                    data, n = re.subn(rb"<sheetViews", f'<dimension ref="{ref}"/><sheetViews'.encode(), data)
                assert n == 1
            target.writestr(item, data)
    return out.getvalue()


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
