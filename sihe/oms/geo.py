"""Where a receiver is, roughly, to choose the nearest warehouse.

Coordinates of every provincial capital and the larger cities (to about 0.01°); a city we do not
know falls back to its province's capital. Distances are great-circle kilometres (haversine): the
ranking of warehouses is what matters, not the road distance.

Provinces are read through `channels.regions` (names, pinyin, ISO / Shopify / WooCommerce codes), whose
`short_name` gives the key of the tables here.
"""

import math
from decimal import Decimal

from sihe.oms.channels.regions import province_name, short_name  # noqa: F401 - province_name is geo API too

# name (without 省/市/自治区 suffix) → (latitude, longitude)
CITIES: dict[str, tuple[float, float]] = {
    "北京": (39.90, 116.40), "天津": (39.13, 117.20), "上海": (31.23, 121.47), "重庆": (29.56, 106.55),
    "石家庄": (38.04, 114.51), "太原": (37.87, 112.55), "呼和浩特": (40.84, 111.75), "沈阳": (41.80, 123.43),
    "长春": (43.82, 125.32), "哈尔滨": (45.80, 126.53), "南京": (32.06, 118.80), "杭州": (30.27, 120.15),
    "合肥": (31.82, 117.23), "福州": (26.07, 119.30), "南昌": (28.68, 115.86), "济南": (36.65, 117.12),
    "郑州": (34.75, 113.62), "武汉": (30.59, 114.31), "长沙": (28.23, 112.94), "广州": (23.13, 113.26),
    "南宁": (22.82, 108.37), "海口": (20.04, 110.35), "成都": (30.57, 104.07), "贵阳": (26.65, 106.63),
    "昆明": (25.04, 102.71), "拉萨": (29.65, 91.13), "西安": (34.34, 108.94), "兰州": (36.06, 103.83),
    "西宁": (36.62, 101.78), "银川": (38.49, 106.23), "乌鲁木齐": (43.83, 87.62), "香港": (22.32, 114.17),
    "澳门": (22.20, 113.55), "台北": (25.03, 121.57),
    "深圳": (22.54, 114.06), "苏州": (31.30, 120.62), "宁波": (29.87, 121.54), "厦门": (24.48, 118.09),
    "青岛": (36.07, 120.38), "大连": (38.91, 121.61), "无锡": (31.49, 120.31), "东莞": (23.02, 113.75),
    "佛山": (23.02, 113.12), "温州": (28.00, 120.70), "金华": (29.08, 119.65), "义乌": (29.31, 120.08),
    "嘉兴": (30.75, 120.76), "绍兴": (30.00, 120.58), "湖州": (30.89, 120.09), "台州": (28.66, 121.42),
    "常州": (31.81, 119.97), "南通": (31.98, 120.89), "徐州": (34.26, 117.18), "扬州": (32.39, 119.41),
    "烟台": (37.46, 121.45), "潍坊": (36.71, 119.16), "珠海": (22.27, 113.58), "中山": (22.52, 113.39),
    "惠州": (23.11, 114.42), "汕头": (23.35, 116.68), "泉州": (24.87, 118.68), "洛阳": (34.62, 112.45),
    "唐山": (39.63, 118.18), "保定": (38.87, 115.46), "廊坊": (39.54, 116.68), "芜湖": (31.35, 118.43),
    "宜昌": (30.69, 111.29), "襄阳": (32.01, 112.12), "桂林": (25.27, 110.29), "三亚": (18.25, 109.51),
    "绵阳": (31.47, 104.68), "遵义": (27.73, 106.93), "大理": (25.61, 100.27), "咸阳": (34.33, 108.71),
    "包头": (40.66, 109.84), "鞍山": (41.11, 122.99), "吉林": (43.84, 126.55), "大庆": (46.59, 125.10),
    "济宁": (35.41, 116.59), "临沂": (35.10, 118.36), "赣州": (25.83, 114.93), "株洲": (27.83, 113.13),
}

PROVINCE_CAPITALS: dict[str, str] = {
    "北京": "北京", "天津": "天津", "上海": "上海", "重庆": "重庆", "河北": "石家庄", "山西": "太原",
    "内蒙古": "呼和浩特", "辽宁": "沈阳", "吉林": "长春", "黑龙江": "哈尔滨", "江苏": "南京", "浙江": "杭州",
    "安徽": "合肥", "福建": "福州", "江西": "南昌", "山东": "济南", "河南": "郑州", "湖北": "武汉", "湖南": "长沙",
    "广东": "广州", "广西": "南宁", "海南": "海口", "四川": "成都", "贵州": "贵阳", "云南": "昆明", "西藏": "拉萨",
    "陕西": "西安", "甘肃": "兰州", "青海": "西宁", "宁夏": "银川", "新疆": "乌鲁木齐", "香港": "香港",
    "澳门": "澳门", "台湾": "台北",
}
def known_province(province: str) -> bool:
    return short_name(province) in PROVINCE_CAPITALS


def locate(province: str, city: str) -> tuple[float, float] | None:
    """The receiver's coordinates: the city if we know it, else the province's capital, else None."""
    for name in (short_name(city), short_name(province)):
        if name in CITIES:
            return CITIES[name]
    capital = PROVINCE_CAPITALS.get(short_name(province))
    return CITIES.get(capital) if capital else None


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def warehouse_point(warehouse) -> tuple[float, float] | None:
    if warehouse.latitude is not None and warehouse.longitude is not None:
        return (float(Decimal(warehouse.latitude)), float(Decimal(warehouse.longitude)))
    return locate(warehouse.province, warehouse.city)
