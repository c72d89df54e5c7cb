"""The invoice face PDF: one A4 page holding the number, parties, lines, totals, 大写 and the QR text.

Text is read back with pdftotext (Debian poppler-utils, installed on these machines with apt-get)."""

import shutil
import subprocess
from datetime import datetime
from decimal import Decimal

import pytest

from sihe.invoicing.invoice import build_invoice, red_invoice
from sihe.invoicing.lines import InvoiceError, line_from_inclusive
from sihe.invoicing.pdf import MAX_LINES, render_pdf

from .conftest import SHANGHAI

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_pdf_is_produced(blue):
    data = render_pdf(blue)
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")


@needs_poppler
def test_pdf_face_carries_the_figures_a_buyer_checks(blue, tmp_path):
    # when
    data = render_pdf(blue)
    text = pdf_text(data, tmp_path)
    # then
    assert pdf_pages(data, tmp_path) == 1
    for expected in ("电子发票（普通发票）", "25442000000012345678", "2025年03月08日", "上海示例食品加工有限公司",
                     "91310115MA1H7K8L2M", "深圳市示例粮油贸易有限公司", "*谷物*稻谷", "*谷物*小麦", "150.03",
                     "13.50", "86.42", "7.78", "9%", "¥236.45", "¥21.28", "贰佰伍拾柒圆柒角叁分", "¥257.73",
                     "订单号: SO-2025-000123", "王会计"):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", str(tmp_path / "invoice.pdf")], capture_output=True, text=True).stdout
    assert "01,32,,25442000000012345678,257.73,20250308,,," in info  # the QR text, also kept as the subject


@needs_poppler
def test_red_invoice_face(blue, tmp_path):
    red = red_invoice(blue, number="25442000000012345999", confirmation_number="44000025031000000001",
                      issued_at=datetime(2025, 3, 20, 9, 0, tzinfo=SHANGHAI))
    text = pdf_text(render_pdf(red), tmp_path)
    assert "（负数）贰佰伍拾柒圆柒角叁分" in text
    assert "¥-257.73" in text and "-150.03" in text
    assert "25442000000012345678" in text and "44000025031000000001" in text


@needs_poppler
def test_thirty_lines_still_fit_one_page(seller, buyer, tmp_path):
    lines = [line_from_inclusive(name=f"*日用杂品*马克杯{n}号", tax_code="1090511010000000000", tax_rate="0.13",
                                 quantity=1, gross="99.90") for n in range(MAX_LINES)]
    invoice = build_invoice(number="25442000000012345680", issued_at=datetime(2025, 3, 8, 10, tzinfo=SHANGHAI),
                            seller=seller, buyer=buyer, lines=lines, kind="special")
    data = render_pdf(invoice)
    text = pdf_text(data, tmp_path)
    assert pdf_pages(data, tmp_path) == 1
    assert "电子发票（增值税专用发票）" in text
    assert f"¥{Decimal('99.90') * MAX_LINES:.2f}" in text
    assert "*日用杂品*马克杯29号" in text


def test_more_lines_than_a_page_holds_are_refused(seller, buyer):
    lines = [line_from_inclusive(name="*日用杂品*马克杯", tax_code="1090511010000000000", tax_rate="0.13",
                                 quantity=1, gross="1") for _ in range(MAX_LINES + 1)]
    invoice = build_invoice(number="25442000000012345681", issued_at=datetime(2025, 3, 8, 10, tzinfo=SHANGHAI),
                            seller=seller, buyer=buyer, lines=lines)
    with pytest.raises(InvoiceError) as error:
        render_pdf(invoice)
    assert error.value.field == "lines"
