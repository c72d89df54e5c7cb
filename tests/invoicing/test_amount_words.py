"""大写 per china-formats.md §4.5: every worked example, and a round trip through an independent parser."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sihe.core.errors import ValidationFailed
from sihe.invoicing.amount_words import amount_in_words

_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_section(text: str) -> int:
    """壹仟零玖 → 1009: digits followed by 拾/佰/仟 or standing alone (units)."""
    total, digit = 0, 0
    for char in text:
        if char in _DIGIT:
            digit = _DIGIT[char]
        elif char in _UNIT:
            total += digit * _UNIT[char]
            digit = 0
        else:
            raise ValueError(f"unexpected {char!r} in {text!r}")
    return total + digit


def _parse_integer(text: str) -> int:
    if "亿" in text:
        high, low = text.rsplit("亿", 1)
        return _parse_integer(high) * 10**8 + _parse_integer(low)
    if "万" in text:
        high, low = text.split("万", 1)
        return _parse_section(high) * 10**4 + _parse_section(low)
    return _parse_section(text)


def parse_words(text: str) -> Decimal:
    """An independent reader of 大写 amounts; accepts both 零 variants, 元/圆, 整/正, 人民币, （负数）."""
    sign = 1
    if text.startswith("（负数）"):
        sign, text = -1, text[len("（负数）"):]
    text = text.removeprefix("人民币")
    if text.endswith(("整", "正")):
        text = text[:-1]
    integer_part, _, fraction = text.replace("元", "圆").rpartition("圆")
    if "圆" not in text.replace("元", "圆"):
        integer_part, fraction = "", text
    yuan = _parse_integer(integer_part) if integer_part else 0
    jiao = fen = 0
    fraction = fraction.lstrip("零")
    if "角" in fraction:
        head, fraction = fraction.split("角", 1)
        jiao = _DIGIT[head]
    fraction = fraction.lstrip("零")
    if "分" in fraction:
        fen = _DIGIT[fraction.split("分", 1)[0]]
    return sign * (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100)


# (amount, what we write, the accepted alternatives from §4.5 written with 元)
WORKED = [
    ("6007.14", "陆仟零柒圆壹角肆分", []),
    ("1409.50", "壹仟肆佰零玖圆伍角整", ["壹仟肆佰零玖元伍角"]),
    ("1680.32", "壹仟陆佰捌拾圆零叁角贰分", ["壹仟陆佰捌拾元叁角贰分"]),
    ("107000.53", "壹拾万柒仟圆零伍角叁分", ["壹拾万零柒仟元伍角叁分"]),
    ("16409.02", "壹万陆仟肆佰零玖圆零贰分", []),
    ("325.04", "叁佰贰拾伍圆零肆分", []),
    ("10", "壹拾圆整", []),
    ("15", "壹拾伍圆整", []),
    ("100000", "壹拾万圆整", []),
    ("0", "零圆整", []),
    ("0.05", "伍分", []),
    ("0.50", "伍角整", ["伍角"]),
    ("100000000", "壹亿圆整", []),
    ("100010001.01", "壹亿零壹万零壹圆零壹分", []),
    ("12345.67", "壹万贰仟叁佰肆拾伍圆陆角柒分", []),
    ("1234.56", "壹仟贰佰叁拾肆圆伍角陆分", []),
    ("257.73", "贰佰伍拾柒圆柒角叁分", []),
]


@pytest.mark.parametrize(("amount", "expected", "alternatives"), WORKED)
def test_worked_examples(amount, expected, alternatives):
    # when
    words = amount_in_words(Decimal(amount))
    # then
    assert words == expected
    assert parse_words(words) == Decimal(amount)
    for alternative in alternatives:
        assert parse_words(alternative) == Decimal(amount)


def test_printed_form_uses_yuan_and_renminbi_prefix():
    assert amount_in_words(Decimal("6007.14"), yuan="元", prefix="人民币") == "人民币陆仟零柒元壹角肆分"
    assert amount_in_words("1409.50", yuan="元") == "壹仟肆佰零玖元伍角整"


def test_negative_amount_on_a_red_invoice():
    assert amount_in_words(Decimal("-500")) == "（负数）伍佰圆整"
    assert amount_in_words(Decimal("-257.73")) == "（负数）贰佰伍拾柒圆柒角叁分"
    assert parse_words("（负数）伍佰圆整") == Decimal("-500")


def test_rounds_half_up_to_the_fen_and_accepts_ints_and_strings():
    assert amount_in_words("0.005") == "壹分"
    assert amount_in_words(20) == "贰拾圆整"
    assert amount_in_words("1000000000000") == "壹万亿圆整"


def test_a_cent_amount_never_ends_with_zheng():
    for amount in ("0.01", "10.01", "100.11", "99999.99"):
        assert not amount_in_words(amount).endswith("整")


def test_refuses_non_numbers_and_amounts_beyond_wan_yi():
    with pytest.raises(ValidationFailed) as error:
        amount_in_words("12,00")
    assert error.value.field == "amount"
    with pytest.raises(ValidationFailed) as error:
        amount_in_words(Decimal("10000000000000000"))
    assert error.value.code == "amount_too_large"


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**14))
def test_round_trip_through_an_independent_parser(cents):
    # given an amount 0..10^12 yuan with two decimals
    amount = Decimal(cents) / 100
    # when written in words and read back
    words = amount_in_words(amount)
    # then the reading is the amount, and 整 appears exactly when there are no fen
    assert parse_words(words) == amount
    assert words.endswith("整") == (cents % 10 == 0)
    assert "零零" not in words


def reference_to_upper(amount, yuan="元", zheng="整"):
    """The reference algorithm of china-formats.md §4.5, verbatim in behaviour."""
    from decimal import ROUND_HALF_UP

    digits = "零壹贰叁肆伍陆柒捌玖"
    a = Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    neg, a = a < 0, abs(a)
    n, jiao, fen = int(a), int(a * 10) % 10, int(a * 100) % 10
    if n == jiao == fen == 0:
        return ("（负数）" if neg else "") + "零" + yuan + zheng

    def sec(x):
        s, zero = "", False
        for i, d in enumerate(int(c) for c in f"{x:04d}"):
            if d == 0:
                zero = True
                continue
            if zero and s:
                s += "零"
            s += digits[d] + "仟佰拾 "[i].strip()
            zero = False
        return s

    groups, x = [], n
    while x:
        groups.append(x % 10000)
        x //= 10000
    out, gap = "", False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            gap = True
            continue
        if out and (gap or g < 1000):
            out += "零"
        out += sec(g) + ["", "万", "亿", "万亿"][gi]
        gap = False
    res = out + yuan if n else ""
    if jiao == fen == 0:
        res += zheng
    else:
        if n and (n % 10 == 0 or jiao == 0):
            res += "零"
        if jiao:
            res += digits[jiao] + "角"
        res += digits[fen] + "分" if fen else zheng
    return ("（负数）" if neg else "") + res


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_same_words_as_the_reference_algorithm(cents):
    amount = Decimal(cents) / 100
    assert amount_in_words(amount, yuan="元") == reference_to_upper(amount)
