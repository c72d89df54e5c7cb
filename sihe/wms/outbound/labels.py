"""Shipping labels (快递面单): one 100 × 150 mm page per parcel, as thermal label printers take them.

Carrier and tracking number (Code 128, human-readable below), the receiver (name, the phone with
its middle four digits hidden as privacy labels do, 省/市/区 and address), the sender (the
warehouse), the order and shipment numbers, parcel n / m with its weight and contents. Chinese text
uses reportlab's built-in CID font STSong-Light (no font file needed).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from sihe.wms.models import Shipment
from sihe.wms.outbound.models import Parcel

CJK = "STSong-Light"
LATIN = "Helvetica-Bold"
WIDTH, HEIGHT = 100 * mm, 150 * mm
MARGIN = 4 * mm


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def mask_phone(phone: str) -> str:
    """138****5678: the middle of a mobile number is hidden on the label (隐私面单)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[7:]}"
    if len(digits) > 6:
        return f"{digits[:2]}{'*' * (len(digits) - 6)}{digits[-4:]}"
    return phone


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(current + ch, font, size) > width and current:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines or [""]


def _num(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def label_pdf(shipment: Shipment, parcels: list[Parcel]) -> bytes:
    _fonts()
    buffer = BytesIO()
    c = canvas.Canvas(buffer, pagesize=(WIDTH, HEIGHT))
    c.setTitle(f"{shipment.number} shipping label")
    c.setAuthor("Sihe")
    warehouse = shipment.warehouse
    total = len(parcels)
    inner = WIDTH - 2 * MARGIN
    for parcel in parcels:
        top = HEIGHT - MARGIN
        # carrier band
        c.setLineWidth(1)
        c.rect(MARGIN, MARGIN, inner, HEIGHT - 2 * MARGIN)
        c.setFont(LATIN, 20)
        c.drawString(MARGIN + 3 * mm, top - 9 * mm, parcel.carrier[:16])
        c.setFont(CJK, 11)
        c.drawRightString(WIDTH - MARGIN - 3 * mm, top - 8 * mm, f"第 {parcel.sequence}/{total} 件")
        c.line(MARGIN, top - 12 * mm, WIDTH - MARGIN, top - 12 * mm)
        # tracking number barcode
        barcode = code128.Code128(parcel.tracking_no, barHeight=18 * mm, barWidth=0.32 * mm, quiet=False)
        scale = min(1.0, (inner - 6 * mm) / barcode.width)
        c.saveState()
        c.translate(MARGIN + (inner - barcode.width * scale) / 2, top - 33 * mm)
        c.scale(scale, 1)
        barcode.drawOn(c, 0, 0)
        c.restoreState()
        c.setFont(LATIN, 12)
        c.drawCentredString(WIDTH / 2, top - 38 * mm, parcel.tracking_no)
        c.line(MARGIN, top - 41 * mm, WIDTH - MARGIN, top - 41 * mm)
        # receiver
        y = top - 47 * mm
        c.setFont(CJK, 9)
        c.drawString(MARGIN + 2 * mm, y, "收")
        c.setFont(CJK, 13)
        c.drawString(MARGIN + 8 * mm, y, f"{shipment.receiver_name}  {mask_phone(shipment.receiver_phone)}")
        address = f"{shipment.province}{shipment.city if shipment.city != shipment.province else ''}" \
                  f"{shipment.district}{shipment.address}"
        c.setFont(CJK, 11)
        for line in _wrap(address, CJK, 11, inner - 10 * mm)[:3]:
            y -= 5.5 * mm
            c.drawString(MARGIN + 8 * mm, y, line)
        y -= 4 * mm
        c.line(MARGIN, y, WIDTH - MARGIN, y)
        # sender
        y -= 5 * mm
        c.setFont(CJK, 9)
        c.drawString(MARGIN + 2 * mm, y, "寄")
        c.drawString(MARGIN + 8 * mm, y, f"{warehouse.name}")
        sender = f"{warehouse.province}{warehouse.city if warehouse.city != warehouse.province else ''}" \
                 f"{warehouse.district}{warehouse.address}"
        for line in _wrap(sender, CJK, 9, inner - 10 * mm)[:2]:
            y -= 4.2 * mm
            c.drawString(MARGIN + 8 * mm, y, line)
        y -= 3 * mm
        c.line(MARGIN, y, WIDTH - MARGIN, y)
        # order, parcel, contents
        y -= 5 * mm
        c.setFont(CJK, 9)
        c.drawString(MARGIN + 2 * mm, y, f"订单 {shipment.source_number or '—'}")
        c.drawRightString(WIDTH - MARGIN - 2 * mm, y, f"重量 {_num(parcel.weight)} kg")
        y -= 4.5 * mm
        c.drawString(MARGIN + 2 * mm, y, f"发货单 {shipment.number}")
        contents = "，".join(f"{item['sku']} × {item['qty']}" for item in parcel.items)
        for line in _wrap(f"内件 {contents}", CJK, 9, inner - 4 * mm)[:4]:
            y -= 4.5 * mm
            c.drawString(MARGIN + 2 * mm, y, line)
        # destination in large type (大头笔), for the sorting centre
        c.setFont(CJK, 22)
        c.drawCentredString(WIDTH / 2, MARGIN + 17 * mm, f"{shipment.city or shipment.province} {shipment.district}"[:14])
        # shipment number barcode at the foot, for the check bench
        foot = code128.Code128(shipment.number, barHeight=9 * mm, barWidth=0.25 * mm)
        scale = min(1.0, (inner - 6 * mm) / foot.width)
        c.saveState()
        c.translate(MARGIN + (inner - foot.width * scale) / 2, MARGIN + 3 * mm)
        c.scale(scale, 1)
        foot.drawOn(c, 0, 0)
        c.restoreState()
        c.showPage()
    c.save()
    return buffer.getvalue()
