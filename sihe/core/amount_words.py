"""Amounts in Chinese upper case (大写), per china-formats.md §4.5: 价税合计 on invoices, 合计 on vouchers.

The 数电 XML writes 圆 (`yuan="圆"`, the default); printed forms may use 元 and the 人民币 prefix
(`prefix="人民币"`). Zeros inside the number are written as one 零; 角 = 0 with 分 ≠ 0 always gets 零
after the yuan; when the yuan digit is 0 (or 角 is 0) before the fraction we write 零 too (the
"write 零" variant that the reference algorithm produces and the rules accept). An amount that
stops at 元 or 角 ends with 整; one with 分 never does. A negative amount (red invoice) is prefixed
（负数）.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from sihe.core.errors import ValidationFailed
from sihe.core.money import round_money, to_decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("", "万", "亿", "万亿")
LIMIT = Decimal(10) ** 16  # 万亿 is the largest group unit we write


def _section(value: int) -> str:
    """0 < value ≤ 9999 → e.g. 1409 → 壹仟肆佰零玖 (one 零 for a run of inner zeros)."""
    text, zero = "", False
    for index, digit in enumerate(int(c) for c in f"{value:04d}"):
        if digit == 0:
            zero = True
            continue
        if zero and text:
            text += "零"
        text += DIGITS[digit] + _PLACES[index]
        zero = False
    return text


def _integer_words(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    out, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = True
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _section(group) + _GROUP_UNITS[index]
        gap = False
    return out


def amount_in_words(
    amount,
    *,
    yuan: str = "圆",
    negative_prefix: str = "（负数）",
    prefix: str = "",
    zheng: str = "整",
) -> str:
    """1234.56 → 壹仟贰佰叁拾肆圆伍角陆分; -500 → （负数）伍佰圆整; 0 → 零圆整.

    `amount` is a Decimal, int or numeric string (rounded half up to the fen); floats are refused
    upstream by `to_decimal`'s rules only if they cannot be represented — pass Decimals.
    """
    value = to_decimal(amount, field="amount")
    if abs(value) >= LIMIT:
        raise ValidationFailed(_("the amount is too large to write in words"), field="amount",
                               code="amount_too_large")
    value = round_money(value)
    negative, value = value < 0, abs(value)
    cents = int(value * 100)
    number, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    sign = negative_prefix if negative else ""
    if cents == 0:
        return prefix + "零" + yuan + zheng
    words = _integer_words(number) + yuan if number else ""
    if jiao == fen == 0:
        words += zheng
    else:
        if number and (number % 10 == 0 or jiao == 0):
            words += "零"
        if jiao:
            words += DIGITS[jiao] + "角"
        words += DIGITS[fen] + "分" if fen else zheng
    return sign + prefix + words
