"""The invoice face as a one-page A4 (landscape) PDF, drawn with reportlab.

Chinese text uses the Adobe CID font STSong-Light that ships with reportlab (no font file needed);
figures use Helvetica. Layout after the 数电票 face: QR code (§4.2) top left, title, 发票号码 and
开票日期 top right; 购买方 / 销售方 blocks; the line table; 合计; 价税合计 (大写) and (小写); 备注
(on a red invoice it names the blue number and the 红字发票信息确认单编号); 开票人 below the frame.
"""

from decimal import Decimal
from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from sihe.invoicing.invoice import Invoice
from sihe.invoicing.lines import InvoiceError

CJK = "STSong-Light"
LATIN = "Helvetica"
BROWN = Color(0.55, 0.27, 0.13)  # the red-brown of the printed form
MAX_LINES = 30
COLUMNS = (  # title, width in mm, alignment
    ("项目名称", 62, "left"),
    ("规格型号", 28, "left"),
    ("单位", 14, "center"),
    ("数量", 20, "right"),
    ("单价", 28, "right"),
    ("金额", 30, "right"),
    ("税率/征收率", 22, "center"),
    ("税额", 33, "right"),
)


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _rate(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _fit(c, text: str, font: str, size: float, width: float) -> tuple[str, float]:
    """Shrink to 5.5 pt, then cut with … so the text stays inside its cell."""
    while size > 5.5 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    if pdfmetrics.stringWidth(text, font, size) > width:
        while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        text += "…"
    return text, size


def _text(c, x: float, y: float, text: str, *, font: str = CJK, size: float = 9, align: str = "left",
          width: float | None = None, color=black) -> None:
    if width is not None:
        text, size = _fit(c, text, font, size, width)
    c.setFont(font, size)
    c.setFillColor(color)
    if align == "right":
        c.drawRightString(x, y, text)
    elif align == "center":
        c.drawCentredString(x, y, text)
    else:
        c.drawString(x, y, text)


def _font_for(text: str) -> str:
    return LATIN if all(ord(ch) < 128 for ch in text) else CJK


def render_pdf(invoice: Invoice) -> bytes:
    """The invoice face; raises InvoiceError when the lines do not fit one page (use a 销货清单 then)."""
    if len(invoice.lines) > MAX_LINES:
        raise InvoiceError(_("more than %(n)s lines do not fit on one page") % {"n": MAX_LINES}, field="lines")
    result = invoice.totals
    _fonts()
    buffer = BytesIO()
    page_w, page_h = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(page_w, page_h))
    c.setTitle(f"{invoice.type_name} {invoice.number}")
    c.setAuthor(invoice.seller.name)
    c.setSubject(invoice.qr_text())

    left, right = 18 * mm, page_w - 18 * mm
    width = right - left
    top = page_h - 16 * mm

    # QR code, title, number and date
    qr = QrCodeWidget(invoice.qr_text())
    x0, y0, x1, y1 = qr.getBounds()
    size = 24 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, left, top - size)
    title = invoice.type_name
    _text(c, page_w / 2, top - 12 * mm, title, size=20, align="center", color=BROWN)
    title_w = pdfmetrics.stringWidth(title, CJK, 20)
    c.setStrokeColor(BROWN)
    for dy in (14.5, 15.5):
        c.line(page_w / 2 - title_w / 2, top - dy * mm, page_w / 2 + title_w / 2, top - dy * mm)
    if invoice.is_red:
        _text(c, page_w / 2, top - 21 * mm, "（红字）", size=11, align="center", color=BROWN)
    info_x = right - 62 * mm
    _text(c, info_x, top - 6 * mm, "发票号码：", size=9, color=BROWN)
    _text(c, info_x + 17 * mm, top - 6 * mm, invoice.number, font=LATIN, size=9.5)
    _text(c, info_x, top - 12 * mm, "开票日期：", size=9, color=BROWN)
    _text(c, info_x + 17 * mm, top - 12 * mm, f"{invoice.issue_day:%Y年%m月%d日}", size=9.5)

    # frame: parties, lines, total in words, remark
    frame_top = top - 27 * mm
    party_h = 22 * mm
    header_h = 7 * mm
    words_h = 9 * mm
    remark_h = 16 * mm
    available = 92 * mm
    row_h = min(6.5 * mm, available / max(len(invoice.lines) + 1, 1))
    table_h = header_h + row_h * len(invoice.lines) + 7 * mm
    frame_bottom = frame_top - party_h - table_h - words_h - remark_h
    c.setStrokeColor(BROWN)
    c.setLineWidth(0.8)
    c.rect(left, frame_bottom, width, frame_top - frame_bottom)

    # 购买方 | 销售方
    half = width / 2
    y_party = frame_top - party_h
    c.line(left, y_party, right, y_party)
    c.line(left + half, frame_top, left + half, y_party)
    for index, (label, party) in enumerate((("购买方信息", invoice.buyer), ("销售方信息", invoice.seller))):
        x = left + index * half
        c.line(x + 8 * mm, frame_top, x + 8 * mm, y_party)
        for k, char in enumerate(label):
            _text(c, x + 4 * mm, frame_top - 5 * mm - k * 3.8 * mm, char, size=9, align="center", color=BROWN)
        _text(c, x + 10 * mm, frame_top - 8 * mm, "名称：", size=9, color=BROWN)
        _text(c, x + 20 * mm, frame_top - 8 * mm, party.name, size=10, width=half - 22 * mm)
        _text(c, x + 10 * mm, frame_top - 17 * mm, "统一社会信用代码/纳税人识别号：", size=9, color=BROWN)
        _text(c, x + 62 * mm, frame_top - 17 * mm, party.tax_id, font=LATIN, size=10, width=half - 64 * mm)

    # line table
    scale = width / (sum(col[1] for col in COLUMNS) * mm)
    xs = [left]
    for _title, w, _align in COLUMNS:
        xs.append(xs[-1] + w * mm * scale)
    y = y_party - header_h + 2.2 * mm
    for (title_text, _w, _align), x_a, x_b in zip(COLUMNS, xs[:-1], xs[1:], strict=True):
        _text(c, (x_a + x_b) / 2, y, title_text, size=9, align="center", color=BROWN)
    y = y_party - header_h
    font_size = min(9.0, row_h * 0.72)
    for line in invoice.lines:
        y -= row_h
        cells = (line.name, line.spec, line.unit, _num(line.quantity), _num(line.unit_price),
                 f"{line.amount:.2f}", "免税" if line.exempt else _rate(line.tax_rate),
                 "***" if line.exempt else f"{line.tax:.2f}")
        for (_t, _w, align), x_a, x_b, cell in zip(COLUMNS, xs[:-1], xs[1:], cells, strict=True):
            pad = 1.5 * mm
            anchor = {"left": x_a + pad, "right": x_b - pad, "center": (x_a + x_b) / 2}[align]
            _text(c, anchor, y + row_h * 0.3, cell, font=_font_for(cell), size=font_size, align=align,
                  width=x_b - x_a - 2 * pad)
    y_total = y_party - table_h
    _text(c, (xs[0] + xs[1]) / 2, y_total + 2.3 * mm, "合    计", size=9, align="center", color=BROWN)
    _text(c, xs[6] - 1.5 * mm, y_total + 2.3 * mm, f"¥{result.amount:.2f}", font=LATIN, size=9, align="right")
    _text(c, xs[8] - 1.5 * mm, y_total + 2.3 * mm, f"¥{result.tax:.2f}", font=LATIN, size=9, align="right")

    # 价税合计
    c.setStrokeColor(BROWN)
    c.line(left, y_total, right, y_total)
    y_words = y_total - words_h
    c.line(left, y_words, right, y_words)
    c.line(left + 32 * mm, y_total, left + 32 * mm, y_words)
    _text(c, left + 16 * mm, y_words + 3.3 * mm, "价税合计（大写）", size=9, align="center", color=BROWN)
    _text(c, left + 36 * mm, y_words + 3.3 * mm, invoice.total_in_words, size=10.5)
    _text(c, right - 62 * mm, y_words + 3.3 * mm, "（小写）", size=9, color=BROWN)
    _text(c, right - 48 * mm, y_words + 3.3 * mm, f"¥{result.total:.2f}", font=LATIN, size=10.5)

    # 备注
    c.line(left + 8 * mm, y_words, left + 8 * mm, frame_bottom)
    for k, char in enumerate("备注"):
        _text(c, left + 4 * mm, y_words - 7 * mm - k * 4.5 * mm, char, size=9, align="center", color=BROWN)
    remark_lines = [part for part in invoice.remark.splitlines() if part.strip()]
    if invoice.red is not None and invoice.red.confirmation_number not in invoice.remark:
        # a red face always names the blue invoice and its 红字发票信息确认单 in 备注
        remark_lines.insert(0, f"被红冲蓝字数电票号码：{invoice.red.original_number} "
                               f"红字发票信息确认单编号：{invoice.red.confirmation_number}")
    remark_lines = remark_lines or [""]
    for k, part in enumerate(remark_lines[:3]):
        _text(c, left + 10 * mm, y_words - 5.5 * mm - k * 4.5 * mm, part, size=9, width=width - 12 * mm)

    _text(c, left + 4 * mm, frame_bottom - 6 * mm, "开票人：", size=9, color=BROWN)
    _text(c, left + 18 * mm, frame_bottom - 6 * mm, invoice.drawer, size=9)
    c.showPage()
    c.save()
    return buffer.getvalue()
