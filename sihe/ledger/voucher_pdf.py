"""The 记账凭证 on paper: one voucher per sheet, on A4 (portrait) or on 241 × 140 mm voucher paper (the
凭证纸 that 金蝶/用友 print on), drawn with reportlab as the invoice face is (CID font STSong-Light, no
font file; figures in Helvetica).

A sheet carries what 会计基础工作规范 第五十一条 asks: the title by word (记账凭证, or 收款/付款/转账凭证),
核算单位, 日期, 凭证字号, 附单据 N 张, the lines (摘要, 会计科目 with its 明细 and dimensions, 借方金额,
贷方金额), 合计 with the amount in 大写, and the signature row 会计主管 · 记账 · 审核 · 出纳 · 制单 filled with
the names known (出纳 only on a voucher that moves cash or bank). A voucher with more lines than a sheet
holds goes on several sheets numbered 分数编号 (记-0012 1/2, 2/2); the first sheets end with 过次页 and the
last carries the 合计. Empty rows are struck through with one diagonal (空行划线注销).

附单据张数: the files attached to the voucher (原始凭证); a voucher made from a business document with
no file attached counts that document as one.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from sihe.core.amount_words import amount_in_words
from sihe.ledger.models import Account, Voucher

CJK = "STSong-Light"
LATIN = "Helvetica"
INK = Color(0.05, 0.30, 0.20)  # the green of printed voucher paper
RED = Color(0.75, 0.05, 0.05)
VOUCHER_PAPER = (241 * mm, 140 * mm)
PAPERS = {"a4": A4, "voucher": VOUCHER_PAPER}
TITLES = {"记": "记账凭证", "收": "收款凭证", "付": "付款凭证", "转": "转账凭证"}
DIM_LABELS = {"partner": "往来", "department": "部门", "project": "项目", "warehouse": "仓库"}


@dataclass
class Signatures:
    chief_accountant: str = ""
    cashier: str = ""


@dataclass
class Sheet:
    voucher: Voucher
    lines: list
    index: int
    count: int
    rows: int


@dataclass
class _Layout:
    width: float
    height: float
    margin: float
    rows: int
    row_h: float
    columns: list = field(default_factory=list)


def _fonts() -> None:
    if CJK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))


def _layout(paper: str) -> _Layout:
    width, height = PAPERS[paper]
    if paper == "voucher":
        layout = _Layout(width, height, 10 * mm, rows=6, row_h=11 * mm)
    else:
        layout = _Layout(width, height, 12 * mm, rows=12, row_h=10 * mm)
    inner = width - 2 * layout.margin
    layout.columns = [("摘要", inner * 0.27), ("会计科目", inner * 0.41), ("借方金额", inner * 0.16),
                      ("贷方金额", inner * 0.16)]
    return layout


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split into runs: ASCII in Helvetica (the CID font's Latin digits are cramped), the rest in `font`."""
    if font != CJK:
        return [(text, font)]
    runs: list[tuple[str, str]] = []
    for ch in text:
        f = LATIN if ord(ch) < 128 else CJK
        if runs and runs[-1][1] == f:
            runs[-1] = (runs[-1][0] + ch, f)
        else:
            runs.append((ch, f))
    return runs


def _width(text: str, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(part, f, size) for part, f in _runs(text, font))


def _fit(text: str, font: str, size: float, width: float) -> tuple[str, float]:
    while size > 6 and _width(text, font, size) > width:
        size -= 0.5
    if _width(text, font, size) > width:
        while text and _width(text + "…", font, size) > width:
            text = text[:-1]
        text += "…"
    return text, size


def _text(c, x, y, text, *, font=CJK, size=10.0, align="left", width=None, color=black):
    if width is not None:
        text, size = _fit(text, font, size, width)
    total = _width(text, font, size)
    x = {"left": x, "right": x - total, "center": x - total / 2}[align]
    c.setFillColor(color)
    for part, f in _runs(text, font):
        c.setFont(f, size)
        c.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, f, size)


def _amount(value: Decimal) -> str:
    return "" if not value else f"{value:,.2f}"


def account_title(account: Account) -> str:
    """2221.01.04 应交税费—应交增值税—转出未交增值税: the code and the names from level 1 down (a sub-account
    whose name already begins with its parent's, 应付账款—暂估, is not repeated)."""
    chain, node = [], account
    while node is not None:
        chain.append(node)
        node = node.parent
    name = ""
    for node in reversed(chain):
        name = node.name if (not name or node.name.startswith(name.split("—")[0] + "—")) else f"{name}—{node.name}"
    return f"{account.code} {name}"


# the approvals acts write for their own vouchers, in the words the 审核 box shows
SYSTEM_APPROVALS = {"rule": "凭证模板", "assets": "固定资产", "cashbank": "出纳", "月末计税 vat": "月末计税"}


def person(username: str) -> str:
    """A user's full name (姓名) when the account has one; system approvals in words."""
    if not username:
        return ""
    source, colon, rest = username.partition(":")
    if colon and source in SYSTEM_APPROVALS:
        # an act's own approval ("assets:depreciation 2026-07 (wang)"): who set it going, and what it was
        who = rest[rest.find("(") + 1:rest.rfind(")")] if "(" in rest else ""
        return f"{person(who)}（{SYSTEM_APPROVALS[source]}）" if who else SYSTEM_APPROVALS[source]
    if username in SYSTEM_APPROVALS:
        return SYSTEM_APPROVALS[username]
    user = get_user_model().objects.filter(username=username).only("first_name", "last_name").first()
    if user is not None and (user.last_name or user.first_name):
        return f"{user.last_name}{user.first_name}"
    return username


def attached_documents(voucher: Voucher) -> int:
    files = voucher.attachments.count()
    return files or (1 if voucher.source_type and voucher.source_id and voucher.kind == Voucher.Kind.AUTO else 0)


def _sheets(vouchers, paper: str) -> list[Sheet]:
    rows = _layout(paper).rows
    sheets = []
    for voucher in vouchers:
        lines = list(voucher.lines.select_related("account__parent__parent").order_by("seq"))
        count = max(1, -(-len(lines) // rows))
        for index in range(count):
            sheets.append(Sheet(voucher, lines[index * rows:(index + 1) * rows], index + 1, count, rows))
    return sheets


def _draw(c, sheet: Sheet, layout: _Layout, company: str, signatures: Signatures) -> None:
    v = sheet.voucher
    left, right = layout.margin, layout.width - layout.margin
    top = layout.height - layout.margin
    mid = layout.width / 2

    title = TITLES.get(v.word, "记账凭证")
    _text(c, mid, top - 8 * mm, "  ".join(title), size=18, align="center", color=INK)
    title_w = _width("  ".join(title), CJK, 18)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    for dy in (10 * mm, 11 * mm):
        c.line(mid - title_w / 2 - 4, top - dy, mid + title_w / 2 + 4, top - dy)
    if v.kind == Voucher.Kind.REVERSAL:
        _text(c, mid + title_w / 2 + 8 * mm, top - 8 * mm, "（红字冲销）", size=10, color=RED)

    info_y = top - 17 * mm
    _text(c, left, info_y, f"核算单位：{company}", size=9.5, width=(right - left) * 0.42)
    _text(c, mid, info_y, f"日期：{v.date:%Y年%m月%d日}", size=9.5, align="center")
    number = v.display_number + (f"  {sheet.index}/{sheet.count}" if sheet.count > 1 else "")
    _text(c, right, info_y, f"凭证字号：{number}", size=9.5, align="right")

    # the table
    table_top = info_y - 3.5 * mm
    head_h = layout.row_h * 0.85
    xs = [left]
    for _title, width in layout.columns:
        xs.append(xs[-1] + width)
    body_top = table_top - head_h
    total_top = body_top - sheet.rows * layout.row_h
    bottom = total_top - layout.row_h
    c.setStrokeColor(INK)
    c.setLineWidth(1.2)
    c.rect(left, bottom, right - left, table_top - bottom)
    c.setLineWidth(0.5)
    for y in [body_top - i * layout.row_h for i in range(sheet.rows + 1)]:
        c.line(left, y, right, y)
    c.line(xs[1], total_top, xs[1], table_top)  # 合计 spans 摘要 and 会计科目
    for x in xs[2:-1]:
        c.line(x, bottom, x, table_top)
    for (title_text, width), x in zip(layout.columns, xs, strict=False):
        _text(c, x + width / 2, table_top - head_h / 2 - 3.5, title_text, size=10.5, align="center", color=INK)

    pad = 1.8 * mm
    for i, line in enumerate(sheet.lines):
        y = body_top - i * layout.row_h
        red = line.debit < 0 or line.credit < 0
        color = RED if red else black
        _text(c, xs[0] + pad, y - layout.row_h / 2 - 3.3, line.summary, size=9.5, width=layout.columns[0][1] - 2 * pad,
              color=color)
        dims = "  ".join(f"{DIM_LABELS[d]}:{getattr(line, d)}" for d in DIM_LABELS if getattr(line, d))
        title_text = account_title(line.account)
        if dims:
            _text(c, xs[1] + pad, y - layout.row_h * 0.38 - 1.5, title_text, size=9.5,
                  width=layout.columns[1][1] - 2 * pad, color=color)
            _text(c, xs[1] + pad, y - layout.row_h * 0.80 - 1, dims, size=7.5, width=layout.columns[1][1] - 2 * pad,
                  color=color)
        else:
            _text(c, xs[1] + pad, y - layout.row_h / 2 - 3.3, title_text, size=9.5,
                  width=layout.columns[1][1] - 2 * pad, color=color)
        for col, value in ((2, line.debit), (3, line.credit)):
            _text(c, xs[col + 1] - pad, y - layout.row_h / 2 - 3.3, _amount(value), font=LATIN, size=10,
                  align="right", color=color)

    # the empty rows are struck through (空行划线注销) so nothing can be written into them afterwards
    if len(sheet.lines) < sheet.rows:
        c.setLineWidth(0.5)
        c.line(xs[4], body_top - len(sheet.lines) * layout.row_h, xs[1], total_top)

    # 合计 (or 过次页 on a sheet that continues)
    y = total_top - layout.row_h / 2 - 3.3
    if sheet.index < sheet.count:
        _text(c, xs[0] + pad, y, "过次页", size=10)
        debit = sum((ln.debit for ln in sheet.lines), Decimal("0"))
        credit = sum((ln.credit for ln in sheet.lines), Decimal("0"))
    else:
        every = list(v.lines.all())
        debit = sum((ln.debit for ln in every), Decimal("0"))
        credit = sum((ln.credit for ln in every), Decimal("0"))
        words = amount_in_words(debit, yuan="元")
        _text(c, xs[0] + pad, y, f"合计：人民币{words}", size=10.5, width=xs[2] - xs[0] - 2 * pad)
    for col, value in ((2, debit), (3, credit)):
        _text(c, xs[col + 1] - pad, y, f"¥{value:,.2f}", font=LATIN, size=10.5, align="right",
              color=RED if value < 0 else black)

    # 附单据 and the signatures
    docs = attached_documents(v)
    _text(c, right, top - 8 * mm, f"附单据 {docs} 张", size=9.5, align="right")
    cash = any(ln.account.is_cash for ln in v.lines.all())
    names = [("会计主管", signatures.chief_accountant), ("记账", person(v.posted_by)), ("审核", person(v.reviewed_by)),
             ("出纳", signatures.cashier if cash else ""), ("制单", person(v.made_by))]
    step = (right - left) / len(names)
    sig_y = bottom - 6.5 * mm
    for i, (label, name) in enumerate(names):
        _text(c, left + i * step, sig_y, f"{label}：{name}", size=9.5, width=step - 2 * mm)


def render_vouchers(vouchers, *, paper: str = "a4", company: str = "", signatures: Signatures | None = None) -> bytes:
    """One PDF: each voucher on its own sheet(s), in the order given."""
    if paper not in PAPERS:
        raise ValueError(paper)
    _fonts()
    layout = _layout(paper)
    signatures = signatures or Signatures()
    buffer = BytesIO()
    c = canvas.Canvas(buffer, pagesize=(layout.width, layout.height))
    vouchers = list(vouchers)
    c.setTitle(" ".join(v.display_number for v in vouchers[:20]) or "记账凭证")
    c.setAuthor(company)
    sheets = _sheets(vouchers, paper)
    for sheet in sheets:
        _draw(c, sheet, layout, company, signatures)
        c.showPage()
    if not sheets:
        _text(c, layout.margin, layout.height - 2 * layout.margin, "（无凭证）", size=12)
        c.showPage()
    c.save()
    return buffer.getvalue()
