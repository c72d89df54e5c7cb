"""The de-facto 数电发票 XML (china-formats.md §4.2), written and read with the standard library.

No official XSD is public; element names follow the layout several public parsers agree on:
`EInvoice/Header/{EIid, EInvoiceTag, Version, InherentLabel}`, `EInvoiceData/{SellerInformation,
BuyerInformation, BasicInformation, IssuItemInformation*, SpecificInformation/RedEInvoice,
AdditionalInformation}`, `TaxSupervisionInfo`. The 大写 is written with 圆 and a red invoice's is
prefixed （负数）. Reading also accepts the older 增值税电子普通发票 layout (number only in
TaxSupervisionInfo, date only in RequestTime) and rates written 0.13 / 0.130000 / 13%.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from sihe.invoicing.amount_words import amount_in_words
from sihe.invoicing.invoice import ORDINARY, SPECIAL, Invoice, Party, RedReference
from sihe.invoicing.lines import (
    DISCOUNT,
    DISCOUNTED,
    NORMAL,
    InvoiceError,
    InvoiceLine,
    Totals,
    bounded,
    is_exempt,
    parse_rate,
    totals,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TYPE_LABELS = {ORDINARY: ("02", "普通发票"), SPECIAL: ("01", "增值税专用发票")}
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}


def _plain(value: Decimal) -> str:
    """Decimal without exponent and without trailing zeros after the point: 3, 12.3456, 50.01."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _add(parent, tag: str, text: str = "") -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _label(parent, tag: str, code: str, name: str) -> None:
    element = ET.SubElement(parent, tag)
    _add(element, "LabelCode", code)
    _add(element, "LabelName", name)


def build_xml(invoice: Invoice) -> bytes:
    """The invoice as 数电 XML (UTF-8, with declaration)."""
    result = invoice.totals
    root = ET.Element("EInvoice")
    header = _add(root, "Header")
    _add(header, "EIid", invoice.number)
    _add(header, "EInvoiceTag", "SWEI3200")
    _add(header, "Version", "0.1")
    labels = _add(header, "InherentLabel")
    _label(labels, "InIssuType", *(("N", "红字发票") if invoice.is_red else ("Y", "蓝字发票")))
    _label(labels, "EInvoiceType", *TYPE_LABELS[invoice.kind])
    _label(labels, "GeneralOrSpecialVAT", *TYPE_LABELS[invoice.kind])

    data = _add(root, "EInvoiceData")
    for tag, party in (("Seller", invoice.seller), ("Buyer", invoice.buyer)):
        block = _add(data, f"{tag}Information")
        _add(block, f"{tag}IdNum", party.tax_id)
        _add(block, f"{tag}Name", party.name)
        _add(block, f"{tag}Addr", party.address)
        _add(block, f"{tag}TelNum", party.phone)
        _add(block, f"{tag}BankName", party.bank)
        _add(block, f"{tag}BankAccNum", party.account)
    basic = _add(data, "BasicInformation")
    _add(basic, "TotalAmWithoutTax", _money(result.amount))
    _add(basic, "TotalTaxAm", _money(result.tax))
    _add(basic, "TotalTax-includedAmount", _money(result.total))
    _add(basic, "TotalTax-includedAmountInChinese", amount_in_words(result.total))
    _add(basic, "Drawer", invoice.drawer)
    _add(basic, "RequestTime", f"{invoice.issued_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}")
    for line in invoice.lines:
        item = _add(data, "IssuItemInformation")
        _add(item, "ItemName", line.name)
        _add(item, "SpecMod", line.spec)
        _add(item, "MeaUnits", line.unit)
        _add(item, "Quantity", _plain(line.quantity) if line.quantity is not None else "")
        _add(item, "UnPrice", _plain(line.unit_price) if line.unit_price is not None else "")
        _add(item, "Amount", _money(line.amount))
        _add(item, "TaxRate", "免税" if line.exempt else (_plain(line.tax_rate) if line.tax_rate else "0"))
        _add(item, "ComTaxAm", "***" if line.exempt else _money(line.tax))
        _add(item, "TotaltaxIncludedAmount", _money(line.total))
        _add(item, "TaxClassificationCode", line.tax_code)
    if invoice.red is not None:
        red = _add(_add(data, "SpecificInformation"), "RedEInvoice")
        _add(red, "OriginalInvoiceCode", invoice.red.original_number)
        _add(red, "CreditNoteNumber", invoice.red.confirmation_number)
    _add(_add(data, "AdditionalInformation"), "Remark", invoice.remark)

    supervision = _add(root, "TaxSupervisionInfo")
    _add(supervision, "InvoiceNumber", invoice.number)
    _add(supervision, "IssueTime", f"{invoice.issued_at.astimezone(SHANGHAI):%Y-%m-%d}")
    region = invoice.number[2:4]
    _add(supervision, "TaxBureauCode", f"1{region}00000000")
    _add(supervision, "TaxBureauName", f"国家税务总局{PROVINCES.get(region, '')}税务局")
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class ParsedInvoice:
    """An invoice read from XML, with the totals and 大写 as the XML states them."""

    invoice: Invoice
    stated: Totals
    stated_words: str

    def problems(self) -> list[tuple[str, str]]:
        """(element, reason) for every stated figure that disagrees with the lines (§4.4, §4.5)."""
        found = []
        try:
            computed = totals(self.invoice.lines)
        except InvoiceError as error:
            return [(error.field or "IssuItemInformation", error.message)]
        for tag, stated, actual in (
            ("TotalAmWithoutTax", self.stated.amount, computed.amount),
            ("TotalTaxAm", self.stated.tax, computed.tax),
            ("TotalTax-includedAmount", self.stated.total, computed.total),
        ):
            if stated != actual:
                found.append((tag, _("states %(stated)s, the lines add up to %(actual)s")
                               % {"stated": stated, "actual": actual}))
        if self.stated.amount + self.stated.tax != self.stated.total:
            found.append(("TotalTax-includedAmount", _("is not 合计金额 + 合计税额")))
        if not words_match(self.stated_words, self.stated.total):
            found.append(("TotalTax-includedAmountInChinese",
                          _("reads %(words)s, expected %(expected)s")
                          % {"words": self.stated_words, "expected": amount_in_words(self.stated.total)}))
        return found

    def check(self) -> Invoice:
        problems = self.problems()
        if problems:
            field, reason = problems[0]
            raise InvoiceError(f"{field}: {reason}", field=field)
        return self.invoice


def words_match(words: str, amount: Decimal) -> bool:
    """The stated 大写 is ours, or one of the variants §4.5 accepts (元/圆, 整/正, no 整 after 角,
    no 零 after a yuan ending in 0)."""
    ours = amount_in_words(amount)
    given = (words or "").strip().replace("元", "圆")
    if given.endswith("正"):
        given = given[:-1] + "整"
    candidates = {ours}
    if "圆零" in ours and "角" in ours:  # 1680.32: 零 after a yuan ending in 0 is optional before 角
        candidates.add(ours.replace("圆零", "圆"))
    if ours.endswith("角整"):  # PBOC: 整 may be omitted after 角
        candidates |= {candidate[:-1] for candidate in candidates}
    return given in candidates


def _text(element, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _decimal(element, path: str, *, required: bool = True) -> Decimal | None:
    text = _text(element, path)
    if not text:
        if required:
            raise InvoiceError(_("%(element)s is missing") % {"element": path}, field=path)
        return None
    return bounded(text, path)


def parse_xml(data: bytes | str) -> ParsedInvoice:
    """Read a 数电 (or older 电子普票) XML. Call `.check()` to refuse one whose figures do not add up."""
    try:
        root = ET.fromstring(data.encode() if isinstance(data, str) else data)
    except ET.ParseError as error:
        raise InvoiceError(_("not well-formed XML: %(error)s") % {"error": error}, field="xml") from error
    if root.tag != "EInvoice":
        raise InvoiceError(_("the root element must be EInvoice"), field="xml")
    body = root.find("EInvoiceData")
    if body is None:
        raise InvoiceError(_("EInvoiceData is missing"), field="EInvoiceData")
    number = _text(root, "Header/EIid") or _text(root, "TaxSupervisionInfo/InvoiceNumber")
    request_time = _text(body, "BasicInformation/RequestTime")
    try:
        if request_time:
            issued_at = datetime.strptime(request_time + " +0800", "%Y-%m-%d %H:%M:%S %z")
        else:
            issued_at = datetime.strptime(_text(root, "TaxSupervisionInfo/IssueTime") + " +0800", "%Y-%m-%d %z")
    except ValueError as error:
        raise InvoiceError(_("the issue time is missing or not a date"), field="RequestTime") from error
    issued_at = issued_at.astimezone(SHANGHAI)

    def party(tag: str) -> Party:
        block = body.find(f"{tag}Information")
        return Party(
            name=_text(block, f"{tag}Name"), tax_id=_text(block, f"{tag}IdNum"), address=_text(block, f"{tag}Addr"),
            phone=_text(block, f"{tag}TelNum"), bank=_text(block, f"{tag}BankName"),
            account=_text(block, f"{tag}BankAccNum"),
        )

    lines = []
    for index, item in enumerate(body.findall("IssuItemInformation")):
        where = f"IssuItemInformation[{index}]"
        amount = _decimal(item, "Amount")
        quantity = _decimal(item, "Quantity", required=False)
        kind = NORMAL
        if quantity is None and amount < 0 and lines and lines[-1].name == _text(item, "ItemName"):
            kind = DISCOUNT
            lines[-1] = InvoiceLine(**{**lines[-1].__dict__, "kind": DISCOUNTED})
        exempt = is_exempt(_text(item, "TaxRate"))
        lines.append(InvoiceLine(
            name=_text(item, "ItemName"),
            tax_code=_text(item, "TaxClassificationCode"),
            tax_rate=Decimal(0) if exempt else parse_rate(_text(item, "TaxRate") or "0", field=f"{where}.TaxRate"),
            amount=amount,
            tax=Decimal("0.00") if exempt else _decimal(item, "ComTaxAm"),
            exempt=exempt,
            quantity=quantity,
            unit_price=_decimal(item, "UnPrice", required=False),
            spec=_text(item, "SpecMod"),
            unit=_text(item, "MeaUnits"),
            kind=kind,
        ))
    red = None
    if _text(root, "Header/InherentLabel/InIssuType/LabelCode") == "N" or body.find(
            "SpecificInformation/RedEInvoice") is not None:
        red = RedReference(
            original_number=_text(body, "SpecificInformation/RedEInvoice/OriginalInvoiceCode"),
            confirmation_number=_text(body, "SpecificInformation/RedEInvoice/CreditNoteNumber"),
        )
    type_code = _text(root, "Header/InherentLabel/EInvoiceType/LabelCode")
    invoice = Invoice(
        number=number, issued_at=issued_at, seller=party("Seller"), buyer=party("Buyer"), lines=tuple(lines),
        kind=SPECIAL if type_code == "01" else ORDINARY, remark=_text(body, "AdditionalInformation/Remark"),
        drawer=_text(body, "BasicInformation/Drawer"), red=red,
    )
    basic = body.find("BasicInformation")
    stated = Totals(
        amount=_decimal(basic, "TotalAmWithoutTax"),
        tax=_decimal(basic, "TotalTaxAm"),
        total=_decimal(basic, "TotalTax-includedAmount"),
    )
    return ParsedInvoice(invoice=invoice, stated=stated,
                         stated_words=_text(basic, "TotalTax-includedAmountInChinese"))
