"""Reading a scanned GS1 barcode with biip (docs/decisions/0002): GS1-128, GS1 DataMatrix and QR
element strings (FNC1 sent as GS \\x1d, with or without a symbology identifier such as ]C1, ]d2,
]Q3), the bracketed human-readable form "(01)…(17)…(10)…", or a bare GTIN (EAN-13/UPC/ITF-14).

Pure: no database. Every refusal is a `ValidationFailed` on the field `barcode` with a code a
program can branch on (unreadable, bad_check_digit, no_gtin) and a reason a person can read.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import biip
from biip.gs1_messages import GS1Message
from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed
from sihe.stock.units import gs1_expiry

GS = "\x1d"
# How scanners and keyboards deliver the FNC1 separator when not as the GS control character.
GS_ALIASES = ("<GS>", "␝", "{GS}", "\\x1d", "~1")


@dataclass
class Gs1Scan:
    raw: str
    gtin: str | None = None  # 14 digits
    lot: str | None = None  # AI 10
    serial: str | None = None  # AI 21
    expiry: datetime.date | None = None  # AI 17 (day 00 = month end)
    production_date: datetime.date | None = None  # AI 11
    count: Decimal | None = None  # AI 30 / 37
    sscc: str | None = None  # AI 00

    def as_dict(self) -> dict:
        return {"gtin": self.gtin, "lot": self.lot, "serial": self.serial,
                "expiry": self.expiry.isoformat() if self.expiry else None,
                "production_date": self.production_date.isoformat() if self.production_date else None,
                "count": format(self.count, "f") if self.count is not None else None, "sscc": self.sscc}


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, field="barcode", code=code)


def _clean(barcode: str) -> str:
    text = (barcode or "").strip().replace("\r", "").replace("\n", "")
    for alias in GS_ALIASES:
        text = text.replace(alias, GS)
    return text


def parse(barcode: str) -> Gs1Scan:
    """The GS1 data of a scan, or a refusal naming why it cannot be read."""
    text = _clean(barcode)
    if not text:
        raise _refuse(_("the barcode is empty"), "unreadable")
    if "\x00" in text or len(text) > 200:
        raise _refuse(_("the barcode is not a GS1 barcode"), "unreadable")
    scan = Gs1Scan(raw=text)
    try:
        if text.startswith("("):
            message = GS1Message.parse_hri(text)
        else:
            result = biip.parse(text)
            message = result.gs1_message
            if message is None:
                if result.gtin is not None:
                    scan.gtin = result.gtin.as_gtin_14()
                    return scan
                if result.gtin_error and "check digit" in result.gtin_error:
                    raise _refuse(_("wrong check digit in GTIN %(v)s") % {"v": text}, "bad_check_digit")
                if result.sscc is not None:
                    scan.sscc = result.sscc.value
                    return scan
                raise _refuse(_("the barcode %(v)s is not a GS1 barcode (GTIN, SSCC or GS1 element string)")
                              % {"v": text[:60]}, "unreadable")
    except biip.ParseError as exc:
        raise _refuse(_("the barcode cannot be read as GS1: %(reason)s") % {"reason": str(exc)[:200]},
                      "unreadable") from exc
    for element in message.element_strings:
        ai, value = element.ai.ai, element.value
        if ai == "01" or ai == "02":
            if element.gtin_error or element.gtin is None:
                raise _refuse(_("wrong check digit in GTIN %(v)s") % {"v": value}, "bad_check_digit")
            if ai == "01":
                scan.gtin = element.gtin.as_gtin_14()
        elif ai == "00":
            if element.sscc_error or element.sscc is None:
                raise _refuse(_("wrong check digit in SSCC %(v)s") % {"v": value}, "bad_check_digit")
            scan.sscc = element.sscc.value
        elif ai == "10":
            scan.lot = value.strip()
        elif ai == "21":
            scan.serial = value.strip()
        elif ai == "17":
            try:
                scan.expiry = gs1_expiry(value)
            except ValidationFailed as exc:
                raise _refuse(exc.message, "unreadable") from exc
        elif ai == "11":
            scan.production_date = element.date
        elif ai in ("30", "37"):
            scan.count = Decimal(int(value))
    return scan
