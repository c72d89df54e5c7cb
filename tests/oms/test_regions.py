"""Province codes of every platform map to the province name Sihe stores (issue 11, item 18).

Expected values are written out here from the platforms' published lists, not derived from geo's tables:
WooCommerce i18n/states.php (CN1…CN32), Shopify/worldwide db/data/regions/CN.yml (zone codes), ISO 3166-2:CN
(letters since 2017, numbers before)."""

import pytest

from sihe.oms import geo
from sihe.oms.channels import normalize

from .conftest import load

WOOCOMMERCE = [
    ("CN1", "云南省"), ("CN2", "北京市"), ("CN3", "天津市"), ("CN4", "河北省"), ("CN5", "山西省"),
    ("CN6", "内蒙古自治区"), ("CN7", "辽宁省"), ("CN8", "吉林省"), ("CN9", "黑龙江省"), ("CN10", "上海市"),
    ("CN11", "江苏省"), ("CN12", "浙江省"), ("CN13", "安徽省"), ("CN14", "福建省"), ("CN15", "江西省"),
    ("CN16", "山东省"), ("CN17", "河南省"), ("CN18", "湖北省"), ("CN19", "湖南省"), ("CN20", "广东省"),
    ("CN21", "广西壮族自治区"), ("CN22", "海南省"), ("CN23", "重庆市"), ("CN24", "四川省"), ("CN25", "贵州省"),
    ("CN26", "陕西省"), ("CN27", "甘肃省"), ("CN28", "青海省"), ("CN29", "宁夏回族自治区"),
    ("CN30", "澳门特别行政区"), ("CN31", "西藏自治区"), ("CN32", "新疆维吾尔自治区"),
]
SHOPIFY = [  # (province_code, province as Shopify names it, the name stored)
    ("AH", "Anhui", "安徽省"), ("BJ", "Beijing", "北京市"), ("CQ", "Chongqing", "重庆市"), ("FJ", "Fujian", "福建省"),
    ("GS", "Gansu", "甘肃省"), ("GD", "Guangdong", "广东省"), ("GX", "Guangxi", "广西壮族自治区"),
    ("GZ", "Guizhou", "贵州省"), ("HI", "Hainan", "海南省"), ("HE", "Hebei", "河北省"),
    ("HL", "Heilongjiang", "黑龙江省"), ("HA", "Henan", "河南省"), ("HB", "Hubei", "湖北省"), ("HN", "Hunan", "湖南省"),
    ("NM", "Inner Mongolia", "内蒙古自治区"), ("JS", "Jiangsu", "江苏省"), ("JX", "Jiangxi", "江西省"),
    ("JL", "Jilin", "吉林省"), ("LN", "Liaoning", "辽宁省"), ("NX", "Ningxia", "宁夏回族自治区"),
    ("QH", "Qinghai", "青海省"), ("SN", "Shaanxi", "陕西省"), ("SD", "Shandong", "山东省"), ("SH", "Shanghai", "上海市"),
    ("SX", "Shanxi", "山西省"), ("SC", "Sichuan", "四川省"), ("TJ", "Tianjin", "天津市"),
    ("XJ", "Xinjiang", "新疆维吾尔自治区"), ("YZ", "Xizang", "西藏自治区"), ("XZ", "Xizang", "西藏自治区"),
    ("YN", "Yunnan", "云南省"), ("ZJ", "Zhejiang", "浙江省"),
]
ISO = [  # (letter code, former numeric code, the name stored)
    ("CN-BJ", "CN-11", "北京市"), ("CN-TJ", "CN-12", "天津市"), ("CN-HE", "CN-13", "河北省"), ("CN-SX", "CN-14", "山西省"),
    ("CN-NM", "CN-15", "内蒙古自治区"), ("CN-LN", "CN-21", "辽宁省"), ("CN-JL", "CN-22", "吉林省"),
    ("CN-HL", "CN-23", "黑龙江省"), ("CN-SH", "CN-31", "上海市"), ("CN-JS", "CN-32", "江苏省"),
    ("CN-ZJ", "CN-33", "浙江省"), ("CN-AH", "CN-34", "安徽省"), ("CN-FJ", "CN-35", "福建省"), ("CN-JX", "CN-36", "江西省"),
    ("CN-SD", "CN-37", "山东省"), ("CN-HA", "CN-41", "河南省"), ("CN-HB", "CN-42", "湖北省"), ("CN-HN", "CN-43", "湖南省"),
    ("CN-GD", "CN-44", "广东省"), ("CN-GX", "CN-45", "广西壮族自治区"), ("CN-HI", "CN-46", "海南省"),
    ("CN-CQ", "CN-50", "重庆市"), ("CN-SC", "CN-51", "四川省"), ("CN-GZ", "CN-52", "贵州省"), ("CN-YN", "CN-53", "云南省"),
    ("CN-XZ", "CN-54", "西藏自治区"), ("CN-SN", "CN-61", "陕西省"), ("CN-GS", "CN-62", "甘肃省"),
    ("CN-QH", "CN-63", "青海省"), ("CN-NX", "CN-64", "宁夏回族自治区"), ("CN-XJ", "CN-65", "新疆维吾尔自治区"),
    ("CN-TW", "CN-71", "台湾省"), ("CN-HK", "CN-91", "香港特别行政区"), ("CN-MO", "CN-92", "澳门特别行政区"),
]


def _woo(state: str, country: str = "CN") -> dict:
    payload = load("woocommerce")
    for part in ("billing", "shipping"):
        payload[part].update(state=state, country=country)
    return payload


def _shopify(code: str, name: str, country: str = "CN") -> dict:
    payload = load("shopify")
    payload["shipping_address"].update(province_code=code, province=name, country_code=country)
    return payload


@pytest.mark.parametrize(("code", "stored"), WOOCOMMERCE)
def test_woocommerce_state_code_is_stored_as_the_province_name(code, stored):
    # when a WooCommerce order to China comes with its state code
    receiver = normalize("woocommerce", _woo(code)).receiver
    # then Sihe stores the province's name, which review and sourcing know
    assert receiver.province == stored
    assert geo.known_province(receiver.province)


def test_every_woocommerce_china_code_is_covered():
    assert [code for code, _ in WOOCOMMERCE] == [f"CN{n}" for n in range(1, 33)]


def test_woocommerce_outside_china_and_unknown_codes_are_kept_as_sent():
    assert normalize("woocommerce", _woo("CA", country="US")).receiver.province == "CA"
    # an unknown code stays as sent: review holds it naming the code
    assert normalize("woocommerce", _woo("CN33")).receiver.province == "CN33"
    assert not geo.known_province("CN33")


@pytest.mark.parametrize(("code", "name", "stored"), SHOPIFY)
def test_shopify_province_code_is_stored_as_the_province_name(code, name, stored):
    assert normalize("shopify", _shopify(code, name)).receiver.province == stored


@pytest.mark.parametrize(("code", "name", "stored"), [(c, n, s) for c, n, s in SHOPIFY if c != "XZ"])
def test_shopify_province_name_alone_gives_the_same_name(code, name, stored):
    # an order without province_code (an older app or a hand-made order) still has its pinyin name
    assert normalize("shopify", _shopify("", name)).receiver.province == stored


def test_shopify_outside_china_keeps_its_province():
    receiver = normalize("shopify", load("shopify")).receiver
    assert (receiver.province, receiver.country) == ("Illinois", "US")
    # Shopify's "SH" is Schaffhausen in Switzerland: a code means a Chinese province only for CN
    assert normalize("shopify", _shopify("SH", "Schaffhausen", country="CH")).receiver.province == "Schaffhausen"


@pytest.mark.parametrize(("letters", "number", "stored"), ISO)
def test_iso_3166_2_codes_give_the_province_name(letters, number, stored):
    assert geo.province_name(letters) == stored
    assert geo.province_name(number) == stored
    assert geo.province_name(letters.lower()) == stored


@pytest.mark.parametrize(("given", "stored"), [
    ("上海", "上海市"), ("上海市", "上海市"), ("广西壮族自治区", "广西壮族自治区"), ("广西", "广西壮族自治区"),
    ("Inner Mongolia", "内蒙古自治区"), ("Nei Mongol", "内蒙古自治区"), ("ningxia hui", "宁夏回族自治区"),
    ("CN10", "上海市"), ("火星省", None), ("", None), ("SH", None),
])
def test_province_names_and_codes_without_a_platform(given, stored):
    # a bare two-letter code is a province only where the platform says so (Shopify, for a Chinese address)
    assert geo.province_name(given) == stored
