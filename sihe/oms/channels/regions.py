"""Province names and codes as the channels send them, to the name Sihe stores (pure: no DB, no Django).

Provinces arrive as names (浙江省, 浙江, Zhejiang) or as codes: ISO 3166-2:CN (CN-ZJ, formerly CN-33),
Shopify's zone codes (ZJ, bare, only for a Chinese address) and WooCommerce's own (CN12).
`province_name` gives the official name Sihe stores for any of them (what Taobao, JD and Douyin send),
`short_name` the key `geo`'s tables use. Adapters call it so an order is stored with a place review and
sourcing know; `geo` reads stored names through it.
"""

import re

# Shopify / WooCommerce send provinces in pinyin or as codes
PINYIN = {
    "beijing": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆", "hebei": "河北", "shanxi": "山西",
    "inner mongolia": "内蒙古", "neimenggu": "内蒙古", "nei mongol": "内蒙古", "liaoning": "辽宁", "jilin": "吉林",
    "heilongjiang": "黑龙江", "jiangsu": "江苏", "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西",
    "shandong": "山东", "henan": "河南", "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "guangxi": "广西",
    "guangxi zhuang": "广西", "hainan": "海南", "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "tibet": "西藏",
    "xizang": "西藏", "shaanxi": "陕西", "gansu": "甘肃", "qinghai": "青海", "ningxia": "宁夏", "ningxia hui": "宁夏",
    "xinjiang": "新疆", "hong kong": "香港", "macau": "澳门", "macao": "澳门", "taiwan": "台湾", "shenzhen": "深圳",
    "guangzhou": "广州", "hangzhou": "杭州", "nanjing": "南京", "suzhou": "苏州", "wuhan": "武汉", "chengdu": "成都",
    "xian": "西安", "xi'an": "西安",
}
# The name Sihe stores for a province that arrives as a code: the full official name (GB/T 2260), the
# way Taobao, JD and Douyin spell it, so a code and a name of the same place read the same on every page.
OFFICIAL = {
    "北京": "北京市", "天津": "天津市", "河北": "河北省", "山西": "山西省", "内蒙古": "内蒙古自治区", "辽宁": "辽宁省",
    "吉林": "吉林省", "黑龙江": "黑龙江省", "上海": "上海市", "江苏": "江苏省", "浙江": "浙江省", "安徽": "安徽省",
    "福建": "福建省", "江西": "江西省", "山东": "山东省", "河南": "河南省", "湖北": "湖北省", "湖南": "湖南省",
    "广东": "广东省", "广西": "广西壮族自治区", "海南": "海南省", "重庆": "重庆市", "四川": "四川省", "贵州": "贵州省",
    "云南": "云南省", "西藏": "西藏自治区", "陕西": "陕西省", "甘肃": "甘肃省", "青海": "青海省",
    "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区", "台湾": "台湾省", "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}
# ISO 3166-2:CN letter codes (since 2017), used as "CN-SH" and, bare, as Shopify's zone codes
ISO_LETTERS = {
    "BJ": "北京", "TJ": "天津", "HE": "河北", "SX": "山西", "NM": "内蒙古", "LN": "辽宁", "JL": "吉林", "HL": "黑龙江",
    "SH": "上海", "JS": "江苏", "ZJ": "浙江", "AH": "安徽", "FJ": "福建", "JX": "江西", "SD": "山东", "HA": "河南",
    "HB": "湖北", "HN": "湖南", "GD": "广东", "GX": "广西", "HI": "海南", "CQ": "重庆", "SC": "四川", "GZ": "贵州",
    "YN": "云南", "XZ": "西藏", "SN": "陕西", "GS": "甘肃", "QH": "青海", "NX": "宁夏", "XJ": "新疆", "TW": "台湾",
    "HK": "香港", "MO": "澳门",
}
# ISO 3166-2:CN numeric codes (before 2017): GB/T 2260's first two digits, but 91/92 for Hong Kong/Macao
ISO_NUMBERS = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南",
    "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆", "71": "台湾",
    "91": "香港", "92": "澳门",
}
CODES = {f"CN-{code}": name for table in (ISO_LETTERS, ISO_NUMBERS) for code, name in table.items()}
# WooCommerce's own state codes for CN (woocommerce/i18n/states.php): not ISO, numbered in its own order;
# Hong Kong and Taiwan are countries of their own there (HK, TW), Macao is CN30.
WOOCOMMERCE = {
    "CN1": "云南", "CN2": "北京", "CN3": "天津", "CN4": "河北", "CN5": "山西", "CN6": "内蒙古", "CN7": "辽宁",
    "CN8": "吉林", "CN9": "黑龙江", "CN10": "上海", "CN11": "江苏", "CN12": "浙江", "CN13": "安徽", "CN14": "福建",
    "CN15": "江西", "CN16": "山东", "CN17": "河南", "CN18": "湖北", "CN19": "湖南", "CN20": "广东", "CN21": "广西",
    "CN22": "海南", "CN23": "重庆", "CN24": "四川", "CN25": "贵州", "CN26": "陕西", "CN27": "甘肃", "CN28": "青海",
    "CN29": "宁夏", "CN30": "澳门", "CN31": "西藏", "CN32": "新疆",
}
# Shopify's zone codes for CN (Shopify/worldwide db/data/regions/CN.yml): the ISO letters of the 31
# mainland divisions, except that Shopify codes Xizang YZ (XZ as an alternate); HK, MO, TW are countries.
SHOPIFY = {**{code: name for code, name in ISO_LETTERS.items() if code not in ("HK", "MO", "TW")}, "YZ": "西藏"}
_SUFFIX = re.compile(r"(特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|省|市|地区|盟|自治州)$")


def short_name(name: str) -> str:
    """北京市 / Beijing / CN-BJ / CN-11 / CN2 → 北京: the key of the tables above. WooCommerce's CN1…CN32
    cannot be mistaken for anything else, so an order stored with one is still placed."""
    name = (name or "").strip()
    if name.upper() in CODES:
        return CODES[name.upper()]
    if name.upper() in WOOCOMMERCE:
        return WOOCOMMERCE[name.upper()]
    if name.lower() in PINYIN:
        return PINYIN[name.lower()]
    return _SUFFIX.sub("", name)


def province_name(value: str, codes: dict[str, str] | None = None) -> str | None:
    """The official name Sihe stores (上海市, 广西壮族自治区) for a province a channel sent as its own code
    (`codes`, e.g. SHOPIFY's bare "SH", only meaningful for a Chinese address), an ISO 3166-2:CN code,
    pinyin or a Chinese name with or without its suffix; None when it names no province we know."""
    text = (value or "").strip()
    short = (codes or {}).get(text.upper()) or short_name(text)
    return OFFICIAL.get(short)
