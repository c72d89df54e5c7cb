"""Warehouse labels as PDF for a 100 × 60 mm thermal label printer (one label per page).

- bin labels (货位标签): the bin code as Code 128, large human-readable code, warehouse and zone;
  putaway confirms a move by scanning it.
- lot labels (批次标签): GS1-128 with FNC1 — (01) GTIN, (17) expiry, (10) lot, optionally (37) count
  — plus a QR code carrying the same element string (GS-separated), the product name in Chinese.
  What the label encodes is exactly what the receiving scan reads back (sihe.wms.inbound.gs1).
- pallet labels (SSCC 物流标签): GS1-128 of (00) SSCC with the from/to text, for inbound pallets and
  outbound shipments.
Chinese text uses reportlab's built-in CID font STSong-Light (no font file needed). Pages are not
compressed, so the human-readable codes can be found in the file as text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK = "STSong-Light"
LATIN = "Helvetica"
BOLD = "Helvetica-Bold"
WIDTH, HEIGHT = 100 * mm, 60 * mm
MARGIN = 3 * mm
FNC1 = "\xf1"  # reportlab's Code 128 FNC1
GS = "\x1d"


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _canvas(buffer: BytesIO, title: str) -> canvas.Canvas:
    _fonts()
    c = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT), pageCompression=0)
    c.setTitle(title)
    c.setAuthor("Sihe")
    return c


def _barcode(c: canvas.Canvas, value: str, *, x: float, y: float, width: float, height: float,
             bar_width: float = 0.33 * mm) -> None:
    """A Code 128 barcode fitted into width (narrowed only when it must be)."""
    symbol = code128.Code128(value, barHeight=height, barWidth=bar_width, quiet=False)
    scale = min(1.0, width / symbol.width)
    c.saveState()
    c.translate(x + (width - symbol.width * scale) / 2, y)
    c.scale(scale, 1)
    symbol.drawOn(c, 0, 0)
    c.restoreState()


def _qr(c: canvas.Canvas, value: str, *, x: float, y: float, size: float) -> None:
    widget = qr.QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.drawOn(c, x, y)


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


# -- GS1 element strings --------------------------------------------------------------------------


def gs1_fields(*, gtin: str, expiry: datetime.date | None = None, lot: str | None = None,
               count: Decimal | int | None = None, production_date: datetime.date | None = None) -> list[tuple]:
    """(AI, value) pairs in label order: fixed-length AIs first, variable-length ones last."""
    fields = [("01", gtin.zfill(14))]
    if production_date:
        fields.append(("11", production_date.strftime("%y%m%d")))
    if expiry:
        fields.append(("17", expiry.strftime("%y%m%d")))
    if count is not None:
        fields.append(("37", str(int(count))))
    if lot:
        fields.append(("10", lot))
    return fields


VARIABLE = {"10", "21", "30", "37"}


def element_string(fields: list[tuple], *, separator: str = GS) -> str:
    """The GS1 element string, with the separator after each variable-length field not last."""
    out = ""
    for i, (ai, value) in enumerate(fields):
        out += ai + value
        if ai in VARIABLE and i < len(fields) - 1:
            out += separator
    return out


def human_readable(fields: list[tuple]) -> str:
    return "".join(f"({ai}){value}" for ai, value in fields)


def gs1_128_value(fields: list[tuple]) -> str:
    """What reportlab's Code128 encodes: FNC1 first (GS1-128), FNC1 as separator."""
    return FNC1 + element_string(fields, separator=FNC1)


# -- labels ---------------------------------------------------------------------------------------


@dataclass
class BinLabel:
    code: str
    warehouse: str = ""
    zone: str = ""


@dataclass
class LotLabel:
    gtin: str
    sku: str
    name: str
    lot: str | None = None
    expiry: datetime.date | None = None
    production_date: datetime.date | None = None
    count: Decimal | int | None = None


def bin_labels_pdf(labels: list[BinLabel]) -> bytes:
    buffer = BytesIO()
    c = _canvas(buffer, "bin labels")
    inner = WIDTH - 2 * MARGIN
    for label in labels:
        c.setLineWidth(0.8)
        c.rect(MARGIN, MARGIN, inner, HEIGHT - 2 * MARGIN)
        c.setFont(CJK, 9)
        c.drawString(MARGIN + 2 * mm, HEIGHT - MARGIN - 5 * mm, _fit(f"货位 {label.warehouse}  {label.zone}".strip(),
                                                                     CJK, 9, inner - 4 * mm))
        c.setFont(BOLD, 30)
        size = 30
        while pdfmetrics.stringWidth(label.code, BOLD, size) > inner - 4 * mm and size > 10:
            size -= 1
        c.setFont(BOLD, size)
        c.drawCentredString(WIDTH / 2, HEIGHT - MARGIN - 17 * mm, label.code)
        _barcode(c, label.code, x=MARGIN + 3 * mm, y=MARGIN + 4 * mm, width=inner - 6 * mm, height=22 * mm,
                 bar_width=0.45 * mm)
        c.showPage()
    if not labels:
        c.showPage()
    c.save()
    return buffer.getvalue()


def lot_labels_pdf(labels: list[LotLabel]) -> bytes:
    buffer = BytesIO()
    c = _canvas(buffer, "lot labels")
    inner = WIDTH - 2 * MARGIN
    qr_size = 24 * mm
    for label in labels:
        fields = gs1_fields(gtin=label.gtin, expiry=label.expiry, lot=label.lot, count=label.count,
                            production_date=label.production_date)
        c.setLineWidth(0.8)
        c.rect(MARGIN, MARGIN, inner, HEIGHT - 2 * MARGIN)
        top = HEIGHT - MARGIN
        c.setFont(CJK, 11)
        c.drawString(MARGIN + 2 * mm, top - 6 * mm, _fit(label.name, CJK, 11, inner - qr_size - 6 * mm))
        c.setFont(LATIN, 8)
        c.drawString(MARGIN + 2 * mm, top - 10.5 * mm, f"SKU {label.sku}")
        c.setFont(CJK, 9)
        y = top - 15.5 * mm
        if label.lot:
            c.drawString(MARGIN + 2 * mm, y, f"批号 LOT {label.lot}")
            y -= 4.5 * mm
        if label.expiry:
            c.drawString(MARGIN + 2 * mm, y, f"有效期至 EXP {label.expiry.isoformat()}")
            y -= 4.5 * mm
        if label.count is not None:
            c.drawString(MARGIN + 2 * mm, y, f"数量 QTY {label.count}")
        _qr(c, element_string(fields), x=WIDTH - MARGIN - qr_size - 1.5 * mm, y=top - qr_size - 1.5 * mm,
            size=qr_size)
        _barcode(c, gs1_128_value(fields), x=MARGIN + 2 * mm, y=MARGIN + 6 * mm, width=inner - 4 * mm,
                 height=13 * mm, bar_width=0.28 * mm)
        c.setFont(LATIN, 7.5)
        c.drawCentredString(WIDTH / 2, MARGIN + 2 * mm, _fit(human_readable(fields), LATIN, 7.5, inner - 2 * mm))
        c.showPage()
    if not labels:
        c.showPage()
    c.save()
    return buffer.getvalue()


def sscc_label_pdf(*, sscc: str, ship_from: str, ship_to: str, content: str = "") -> bytes:
    """A logistics (pallet) label: (00) SSCC as GS1-128 with from/to and contents text."""
    buffer = BytesIO()
    c = _canvas(buffer, f"SSCC {sscc}")
    inner = WIDTH - 2 * MARGIN
    c.setLineWidth(0.8)
    c.rect(MARGIN, MARGIN, inner, HEIGHT - 2 * MARGIN)
    top = HEIGHT - MARGIN
    c.setFont(CJK, 9)
    c.drawString(MARGIN + 2 * mm, top - 5 * mm, _fit(f"发货 {ship_from}", CJK, 9, inner - 4 * mm))
    c.drawString(MARGIN + 2 * mm, top - 10 * mm, _fit(f"收货 {ship_to}", CJK, 9, inner - 4 * mm))
    if content:
        c.drawString(MARGIN + 2 * mm, top - 15 * mm, _fit(f"内容 {content}", CJK, 9, inner - 4 * mm))
    fields = [("00", sscc)]
    _barcode(c, gs1_128_value(fields), x=MARGIN + 2 * mm, y=MARGIN + 7 * mm, width=inner - 4 * mm, height=20 * mm,
             bar_width=0.4 * mm)
    c.setFont(BOLD, 10)
    c.drawCentredString(WIDTH / 2, MARGIN + 2.5 * mm, human_readable(fields))
    c.showPage()
    c.save()
    return buffer.getvalue()
