"""The demo company's master data, loaded through the catalog services (`sihe demo`).

Every loader is idempotent: it skips what already exists by natural key (company, warehouse code,
zone code, bin code, SKU, partner code, channel code), so a second run writes no row, no audit
entry and no event. Loaders take `advance(n)` to move a progress bar and return how many rows
they created. The data is deterministic: GTIN-13s (prefixes 690-695) and 统一社会信用代码 are
computed with their real check digits, never random.
"""

import io
from collections.abc import Callable
from decimal import Decimal

from stdnum.cn import uscc

from sihe.catalog import imports, services
from sihe.catalog.excel import COLUMNS, build_workbook
from sihe.catalog.models import Category, Channel, Company, Location, Partner, Product, Warehouse, Zone
from sihe.core import audit
from sihe.core.actor import Actor
from sihe.core.outbox import emit

Advance = Callable[[int], None]

# -- check digits ---------------------------------------------------------------------------------


def gtin13(body: str) -> str:
    """A GTIN-13 from its first 12 digits: GS1 weights 1,3,1,3… from the left, mod 10."""
    assert len(body) == 12 and body.isdigit(), body
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def org_code(serial: int) -> str:
    """A 9-character 组织机构代码 (GB 11714): 8 digits and a mod-11 check character."""
    digits = f"{serial:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(adcode: str, serial: int) -> str:
    """A 统一社会信用代码 of an enterprise (91) registered in the area `adcode`."""
    first17 = "91" + adcode + org_code(serial)
    return first17 + uscc.calc_check_digit(first17)


# -- company, warehouses, zones, bins, channels -----------------------------------------------------

COMPANY = {
    "name": "上海四合贸易有限公司",
    "credit_code": credit_code("310118", 66881230),
    "province": "上海市",
    "city": "上海市",
    "district": "青浦区",
    "address": "华新镇华志路 1688 号 3 幢",
    "phone": "021-59781688",
}

# code, name, province, city, district, address, latitude, longitude, (zone A aisles, positions,
# levels), (zone B aisles, positions, levels)
WAREHOUSES = [
    ("SH", "上海仓", "上海市", "上海市", "青浦区", "华新镇新府中路 1888 号 四合物流园 3 号库",
     "31.244610", "121.214870", (6, 10, 4), (3, 8, 3)),
    ("HZ", "杭州仓", "浙江省", "杭州市", "余杭区", "仁和街道东风路 66 号 仁和物流中心 B2 库",
     "30.443270", "120.198510", (4, 10, 4), (3, 8, 3)),
    ("GZ", "广州仓", "广东省", "广州市", "白云区", "太和镇广州北站物流园 B 栋",
     "23.321480", "113.354920", (5, 8, 4), (2, 8, 3)),
]

ZONES = [
    ("A", "A 存储区（托盘货架）"),
    ("B", "B 存储区（拆零货架）"),
    ("R", "R 收货月台"),
    ("S", "S 发货暂存区"),
    ("Q", "Q 质检隔离区"),
]
DOCKS = [("R", "dock", 4), ("S", "staging", 6), ("Q", "quality", 2)]


def location_rows() -> list[dict]:
    """Every location of the three warehouses in walking order (zone, aisle, position, level).
    Odd positions stand on the left of the aisle, even ones on the right (as the service numbers them)."""
    rows = []
    for code, *_, zone_a, zone_b in WAREHOUSES:
        for zone, (aisles, positions, levels), capacity in (("A", zone_a, "1.800"), ("B", zone_b, "0.240")):
            for aisle in range(1, aisles + 1):
                for position in range(1, positions + 1):
                    for level in range(1, levels + 1):
                        rows.append({
                            "warehouse": code, "code": f"{zone}-{aisle:02d}-{position:02d}-{level:02d}", "zone": zone,
                            "kind": "bin", "aisle": aisle, "position": position, "side": "L" if position % 2 else "R",
                            "level": level, "capacity_volume": capacity,
                        })
        for zone, kind, count in DOCKS:
            for n in range(1, count + 1):
                rows.append({"warehouse": code, "code": f"{zone}-{n:02d}", "zone": zone, "kind": kind,
                             "aisle": 0, "position": n, "side": "L", "level": 0, "capacity_volume": None})
    return rows


CHANNELS = [
    ("tb-flagship", "taobao", "四合天猫旗舰店", None),
    ("jd-self", "jd", "四合京东自营店", 90),
    ("dy-live", "douyin", "四合抖音小店", None),
    ("shopify-global", "shopify", "Sihe Global (Shopify)", None),
    ("woo-eu", "woocommerce", "Sihe Europe (WooCommerce)", 120),
    ("pos-store1", "pos", "青浦华新门店", None),
    ("dealer", "dealer", "经销商订货", 60),
    ("api", "api", "开放接口", None),
]

# -- partners -------------------------------------------------------------------------------------

# code, name, province, city, district, adcode, address, phone, contact, with tax id, min shelf life
CUSTOMERS = [
    ("DLR-BJ01", "北京华联惠通商贸有限公司", "北京市", "北京市", "朝阳区", "110105", "望京街道阜通东大街 6 号 1201 室", "010-64783021", "周立新", True, 90),
    ("DLR-CD01", "成都蓉锦商贸有限公司", "四川省", "成都市", "武侯区", "510107", "人民南路四段 19 号威斯顿联邦大厦 8 楼", "028-85561732", "罗晓燕", True, 90),
    ("DLR-WH01", "武汉江城百货供应链有限公司", "湖北省", "武汉市", "江汉区", "420103", "建设大道 568 号新世界国贸大厦 2305 室", "027-85718890", "熊志刚", True, 60),
    ("DLR-ZZ01", "郑州豫丰商贸有限公司", "河南省", "郑州市", "金水区", "410105", "花园路 39 号国贸中心 A 座 1516", "0371-65921147", "王建军", True, 60),
    ("DLR-XA01", "西安秦汇商贸有限公司", "陕西省", "西安市", "雁塔区", "610113", "高新路 52 号高科大厦 9 层", "029-88326710", "杨帆", True, None),
    ("DLR-SY01", "沈阳盛京商贸有限公司", "辽宁省", "沈阳市", "和平区", "210102", "南京北街 206 号 1707 室", "024-23415568", "于海波", True, None),
    ("C-1001", "上海联华惠选超市有限公司", "上海市", "上海市", "浦东新区", "310115", "张杨路 1500 号", "021-58301126", "沈佳怡", True, 120),
    ("C-1002", "杭州西子便利连锁有限公司", "浙江省", "杭州市", "西湖区", "330106", "文三路 259 号昌地火炬大厦 1 号楼 5 层", "0571-88217640", "钱丽君", True, 120),
    ("C-1003", "苏州姑苏优选便利店有限公司", "江苏省", "苏州市", "姑苏区", "320508", "人民路 1188 号", "0512-65237781", "顾明", True, 90),
    ("C-1004", "南京金陵生活超市有限公司", "江苏省", "南京市", "鼓楼区", "320106", "中山北路 105 号", "025-83326619", "孙晓东", True, 120),
    ("C-1005", "广州羊城鲜生超市有限公司", "广东省", "广州市", "天河区", "440106", "天河路 208 号粤海天河城大厦 12 楼", "020-38839120", "梁嘉欣", True, 90),
    ("C-1006", "深圳鹏城母婴用品有限公司", "广东省", "深圳市", "南山区", "440305", "科技园南区高新南七道 12 号", "0755-86098832", "陈晓彤", True, 180),
    ("C-1007", "重庆山城优品商贸有限公司", "重庆市", "重庆市", "渝中区", "500103", "民族路 188 号环球金融中心 26 楼", "023-63710258", "谭勇", True, None),
    ("C-1008", "长沙星城便利连锁有限公司", "湖南省", "长沙市", "岳麓区", "430104", "麓谷大道 658 号麓谷信息港 A 座", "0731-88612275", "刘畅", True, 90),
    ("C-1009", "天津津门百货有限公司", "天津市", "天津市", "河西区", "120103", "友谊路 32 号", "022-23308871", "张宏伟", True, None),
    ("C-1010", "青岛海滨生活超市有限公司", "山东省", "青岛市", "市南区", "370202", "香港中路 72 号", "0532-85912263", "王海燕", True, 90),
    ("C-1011", "厦门鹭岛优购贸易有限公司", "福建省", "厦门市", "思明区", "350203", "厦禾路 888 号", "0592-2235617", "林志明", True, None),
    ("C-1012", "合肥庐州母婴连锁有限公司", "安徽省", "合肥市", "蜀山区", "340104", "长江西路 499 号", "0551-65310092", "吴静", True, 180),
    ("C-1013", "昆明春城数码科技有限公司", "云南省", "昆明市", "五华区", "530102", "东风西路 123 号三合营 1 栋", "0871-63185524", "李俊", True, None),
    ("C-1014", "宁波甬江酒店用品有限公司", "浙江省", "宁波市", "鄞州区", "330212", "天童南路 588 号宁波商会国贸中心 A 座", "0574-87729051", "徐立", True, None),
    ("C-2001", "上海浦江智联科技有限公司", "上海市", "上海市", "闵行区", "310112", "紫星路 588 号 2 幢 6 楼", "021-54301879", "黄蕾", True, None),
    ("C-2002", "北京中关村云智科技有限公司", "北京市", "北京市", "海淀区", "110108", "中关村大街 27 号 1108 室", "010-62558803", "赵磊", True, None),
    ("C-2003", "佛山南海华美家居有限公司", "广东省", "佛山市", "南海区", "440605", "桂城街道南海大道北 63 号", "0757-86263391", "何家豪", True, None),
    ("C-2004", "无锡太湖精密制造有限公司", "江苏省", "无锡市", "滨湖区", "320211", "蠡湖大道 2009 号", "0510-85186627", "蒋涛", True, None),
    ("C-3001", "王丽华（社区团购）", "上海市", "上海市", "青浦区", "310118", "盈港东路 8000 弄 12 号 301 室", "13816627093", "王丽华", False, None),
    ("C-3002", "陈建国（社区团长）", "浙江省", "杭州市", "拱墅区", "330105", "莫干山路 1418 号 5 幢 2 单元 602", "13958012846", "陈建国", False, None),
    ("C-3003", "张伟副食店", "江苏省", "苏州市", "吴中区", "320506", "东吴北路 98 号", "15062217735", "张伟", False, None),
    ("C-3004", "刘芳母婴店", "湖南省", "长沙市", "雨花区", "430111", "韶山中路 421 号", "18673125508", "刘芳", False, 180),
    ("C-3005", "赵强数码店", "广东省", "深圳市", "福田区", "440304", "华强北路 1002 号赛格广场 4 楼 4A21", "13925286641", "赵强", False, None),
    ("C-3006", "孙秀英", "黑龙江省", "哈尔滨市", "南岗区", "230103", "西大直街 92 号 3 单元 501", "13904519932", "孙秀英", False, None),
]

SUPPLIERS = [
    ("S-001", "内蒙古草原牧歌乳业有限公司", "内蒙古自治区", "呼和浩特市", "赛罕区", "150105", "金桥开发区宝力尔街 16 号", "0471-3956621", "包文斌"),
    ("S-002", "黑龙江五常稻香米业有限公司", "黑龙江省", "哈尔滨市", "五常市", "230184", "五常镇稻花香大街 88 号", "0451-53521186", "刘德胜"),
    ("S-003", "山东半岛粮油有限公司", "山东省", "青岛市", "黄岛区", "370211", "长江中路 216 号", "0532-86998127", "高翔"),
    ("S-004", "广东珠江调味食品有限公司", "广东省", "佛山市", "南海区", "440605", "狮山镇科技工业园 B 区 3 号", "0757-85563318", "陈伟强"),
    ("S-005", "浙江千岛湖源水饮品有限公司", "浙江省", "杭州市", "淳安县", "330127", "千岛湖镇新安东路 169 号", "0571-64883320", "方建华"),
    ("S-006", "福建闽南食品有限公司", "福建省", "厦门市", "同安区", "350212", "工业集中区思明园 218 号", "0592-7161185", "郑丽芳"),
    ("S-007", "广州洁丽日化有限公司", "广东省", "广州市", "白云区", "440111", "钟落潭镇良田工业园 29 号", "020-87401126", "黄志坚"),
    ("S-008", "上海美颜化妆品有限公司", "上海市", "上海市", "奉贤区", "310120", "金汇镇东方美谷大道 6655 号", "021-57528830", "沈婷"),
    ("S-009", "江苏舒爽卫生用品有限公司", "江苏省", "苏州市", "吴中区", "320506", "木渎镇金枫南路 1258 号", "0512-66288815", "朱红梅"),
    ("S-010", "深圳市迅充电子科技有限公司", "广东省", "深圳市", "宝安区", "440306", "西乡街道固戍一路 22 号 5 栋", "0755-27791563", "罗永辉"),
    ("S-011", "东莞市声悦电子有限公司", "广东省", "东莞市", "长安镇", "441900", "长安镇振安中路 368 号", "0769-85339902", "叶家明"),
    ("S-012", "宁波家得利塑料制品有限公司", "浙江省", "宁波市", "余姚市", "330281", "阳明街道城东北路 88 号", "0574-62791130", "邵建国"),
    ("S-013", "杭州西湖龙井茶业有限公司", "浙江省", "杭州市", "西湖区", "330106", "龙井路 1 号", "0571-87961203", "胡明"),
    ("S-014", "安徽黄山蜂业有限公司", "安徽省", "黄山市", "黄山区", "341003", "甘棠镇仙源东路 36 号", "0559-8512276", "汪小燕"),
    ("S-015", "浙江义乌百货日用品有限公司", "浙江省", "金华市", "义乌市", "330782", "稠城街道工人北路 1208 号", "0579-85326609", "楼国平"),
]


def partner_rows() -> list[dict]:
    rows = []
    for n, (code, name, prov, city, dist, adcode, address, phone, contact, taxed, min_days) in enumerate(CUSTOMERS):
        rows.append({
            "code": code, "name": name, "kind": "customer", "province": prov, "city": city,
            "district": dist, "address": address, "phone": phone, "contact": contact,
            "tax_id": credit_code(adcode, 57300110 + 7919 * n) if taxed else "",
            "min_shelf_life_days": min_days,
        })
    for n, (code, name, prov, city, dist, adcode, address, phone, contact) in enumerate(SUPPLIERS):
        rows.append({
            "code": code, "name": name, "kind": "supplier", "province": prov, "city": city,
            "district": dist, "address": address, "phone": phone, "contact": contact,
            "tax_id": credit_code(adcode, 71800230 + 6113 * n),
        })
    return rows


# -- products -------------------------------------------------------------------------------------

# 税收分类编码 (19 digits) and the tax short name printed on 数电发票 as *简称*商品名, by kind of goods.
# Plausible codes in the table's layout (1… goods, 3… services), for demonstration.
TAX = {
    "dairy": ("1030109010000000000", "乳制品"),
    "drink": ("1030305990000000000", "饮料"),
    "grain": ("1030101020000000000", "谷物加工品"),
    "oil": ("1030107010000000000", "食用植物油"),
    "condiment": ("1030108010000000000", "调味品"),
    "instant": ("1030105020000000000", "方便食品"),
    "bakery": ("1030201010000000000", "焙烤食品"),
    "candy": ("1030203010000000000", "糖果"),
    "nuts": ("1030206010000000000", "炒货"),
    "seafood": ("1030110030000000000", "水产品加工品"),
    "nut_raw": ("1010114020000000000", "坚果"),
    "tea": ("1030401010000000000", "精制茶"),
    "honey": ("1010307010000000000", "蜂产品"),
    "fungus": ("1010112010000000000", "食用菌"),
    "babyfood": ("1030114010000000000", "婴幼儿辅助食品"),
    "paper": ("1060401020000000000", "纸制品"),
    "detergent": ("1070213010000000000", "洗涤剂"),
    "plastic": ("1070601990000000000", "塑料制品"),
    "textile": ("1060106010000000000", "纺织产品"),
    "sundries": ("1060512990000000000", "日用杂品"),
    "battery": ("1090418010000000000", "电池"),
    "cosmetic": ("1070222010000000000", "化妆品"),
    "toiletry": ("1070222020000000000", "洗护用品"),
    "oral": ("1070222030000000000", "口腔清洁用品"),
    "hygiene": ("1060402010000000000", "卫生用品"),
    "audio": ("1090513010000000000", "音响设备"),
    "wearable": ("1090511990000000000", "通信终端设备"),
    "cable": ("1090301010000000000", "电线电缆"),
    "power": ("1090416010000000000", "电源设备"),
    "glass": ("1080401990000000000", "玻璃制品"),
    "peripheral": ("1090514010000000000", "计算机外部设备"),
    "storage": ("1090514020000000000", "存储设备"),
    "svc_business": ("3040802990000000000", "商务辅助服务"),
    "svc_design": ("3040203000000000000", "设计服务"),
    "svc_it": ("3040201990000000000", "信息技术服务"),
    "svc_storage": ("3040408000000000000", "仓储服务"),
}

# Category -> (SKU prefix, GS1 company prefix (7 digits, 690-695)).
CATEGORIES = {
    "食品饮料": ("FD", "6931002"),
    "日用百货": ("HH", "6941003"),
    "个护美妆": ("BC", "6952004"),
    "母婴": ("MB", "6933005"),
    "数码配件": ("DG", "6950006"),
    "服务": ("SV", None),
}

# Families: category, code, zh, en, uom, tax rate, tax kind, tracking, shelf life days,
# m³ per kg, variants [(code, zh spec, en spec, weight kg, list price)].
L, LE, S, N = "lot", "lot_expiry", "serial", "none"
FAMILIES = [
    ("食品饮料", "MILK", "纯牛奶", "Whole Milk", "BOX", "0.09", "dairy", LE, 180, "0.0012",
     [("250X12", "250ml×12盒", "250ml x12", "3.300", "49.90"), ("250X24", "250ml×24盒", "250ml x24", "6.500", "89.00"),
      ("1LX6", "1L×6盒", "1L x6", "6.400", "72.00")]),
    ("食品饮料", "YOGURT", "常温原味酸奶", "Ambient Plain Yogurt", "BOX", "0.13", "dairy", LE, 150, "0.0012",
     [("200X10", "200g×10盒", "200g x10", "2.200", "45.00"), ("200X12", "200g×12盒", "200g x12", "2.650", "52.00"),
      ("205X16", "205g×16盒", "205g x16", "3.500", "69.90")]),
    ("食品饮料", "MILKPWD", "全脂奶粉", "Whole Milk Powder", "BAG", "0.13", "dairy", LE, 540, "0.0025",
     [("400G", "400g", "400g", "0.420", "36.00"), ("800G", "800g", "800g", "0.830", "65.00"), ("1KG", "1kg", "1kg", "1.040", "78.00")]),
    ("食品饮料", "WATER", "天然饮用水", "Natural Drinking Water", "BOX", "0.13", "drink", LE, 540, "0.0011",
     [("550X24", "550ml×24瓶", "550ml x24", "13.800", "38.00"), ("1500X12", "1.5L×12瓶", "1.5L x12", "18.900", "42.00"),
      ("4LX6", "4L×6桶", "4L x6", "24.600", "48.00"), ("380X24", "380ml×24瓶", "380ml x24", "9.700", "32.00")]),
    ("食品饮料", "OOLONG", "无糖乌龙茶饮料", "Sugar-free Oolong Tea Drink", "BOX", "0.13", "drink", LE, 360, "0.0011",
     [("500X15", "500ml×15瓶", "500ml x15", "8.000", "75.00"), ("500X24", "500ml×24瓶", "500ml x24", "12.800", "112.00"),
      ("900X12", "900ml×12瓶", "900ml x12", "11.400", "96.00")]),
    ("食品饮料", "JUICE", "100%橙汁", "100% Orange Juice", "BOX", "0.13", "drink", LE, 270, "0.0011",
     [("1LX6", "1L×6瓶", "1L x6", "6.600", "79.00"), ("300X24", "300ml×24瓶", "300ml x24", "8.100", "96.00")]),
    ("食品饮料", "SODA", "苏打气泡水", "Sparkling Soda Water", "BOX", "0.13", "drink", LE, 360, "0.0011",
     [("PEACH", "白桃味 330ml×24罐", "white peach 330ml x24", "8.500", "69.00"),
      ("LIME", "青柠味 330ml×24罐", "lime 330ml x24", "8.500", "69.00"), ("PLAIN", "原味 330ml×24罐", "original 330ml x24", "8.500", "65.00")]),
    ("食品饮料", "COFFEE", "即饮咖啡", "Ready-to-drink Coffee", "BOX", "0.13", "drink", LE, 270, "0.0011",
     [("LATTE", "拿铁 280ml×15瓶", "latte 280ml x15", "4.900", "89.00"), ("AMER", "美式 280ml×15瓶", "americano 280ml x15", "4.900", "79.00"),
      ("COCO", "生椰拿铁 280ml×15瓶", "coconut latte 280ml x15", "4.900", "95.00")]),
    ("食品饮料", "RICE", "五常稻花香大米", "Wuchang Daohuaxiang Rice", "BAG", "0.09", "grain", LE, 365, "0.0014",
     [("2.5KG", "2.5kg", "2.5kg", "2.530", "49.90"), ("5KG", "5kg", "5kg", "5.050", "89.00"), ("10KG", "10kg", "10kg", "10.080", "169.00")]),
    ("食品饮料", "FLOUR", "高筋小麦粉", "Bread Flour", "BAG", "0.09", "grain", LE, 365, "0.0016",
     [("1KG", "1kg", "1kg", "1.020", "12.90"), ("2.5KG", "2.5kg", "2.5kg", "2.540", "28.00"), ("5KG", "5kg", "5kg", "5.060", "52.00")]),
    ("食品饮料", "PEANUTOIL", "压榨一级花生油", "Pressed Peanut Oil", "BTL", "0.09", "oil", LE, 540, "0.0012",
     [("900ML", "900ml", "900ml", "0.880", "36.90"), ("1.8L", "1.8L", "1.8L", "1.720", "69.90"), ("5L", "5L", "5L", "4.700", "179.00")]),
    ("食品饮料", "RAPEOIL", "非转基因菜籽油", "Non-GMO Rapeseed Oil", "BTL", "0.09", "oil", LE, 540, "0.0012",
     [("1.8L", "1.8L", "1.8L", "1.710", "39.90"), ("5L", "5L", "5L", "4.680", "99.00")]),
    ("食品饮料", "SOY", "特级生抽酱油", "Premium Light Soy Sauce", "BTL", "0.13", "condiment", LE, 720, "0.0010",
     [("500ML", "500ml", "500ml", "0.620", "12.90"), ("1.28L", "1.28L", "1.28L", "1.480", "25.90"), ("1.9L", "1.9L", "1.9L", "2.150", "35.00")]),
    ("食品饮料", "VINEGAR", "镇江香醋", "Zhenjiang Black Vinegar", "BTL", "0.13", "condiment", LE, 720, "0.0010",
     [("500ML", "500ml", "500ml", "0.760", "9.90"), ("800ML", "800ml", "800ml", "1.150", "14.90")]),
    ("食品饮料", "NOODLE", "红烧牛肉面", "Braised Beef Instant Noodles", "BOX", "0.13", "instant", LE, 180, "0.0060",
     [("5PK", "五连包", "5-pack", "0.560", "14.50"), ("12CUP", "12桶装", "12 cups", "1.650", "48.00"), ("24BAG", "24袋整箱", "24 bags", "2.700", "62.00")]),
    ("食品饮料", "CRACKER", "苏打饼干", "Soda Crackers", "BOX", "0.13", "bakery", LE, 270, "0.0040",
     [("400G", "400g", "400g", "0.450", "15.90"), ("1KG", "1kg 礼盒", "1kg gift box", "1.150", "36.00")]),
    ("食品饮料", "COOKIE", "丹麦风味黄油曲奇", "Butter Cookies", "PACK", "0.13", "bakery", LE, 300, "0.0035",
     [("368G", "368g 铁盒", "368g tin", "0.560", "39.00"), ("681G", "681g 铁盒", "681g tin", "0.960", "65.00")]),
    ("食品饮料", "CHOC", "黑巧克力", "Dark Chocolate", "PACK", "0.13", "candy", LE, 365, "0.0015",
     [("70-100G", "70% 100g", "70% 100g", "0.110", "19.90"), ("85-100G", "85% 100g", "85% 100g", "0.110", "21.90"),
      ("GIFT12", "礼盒 12粒", "gift box 12 pcs", "0.230", "59.00")]),
    ("食品饮料", "MILKCANDY", "奶糖", "Milk Candy", "BAG", "0.13", "candy", LE, 540, "0.0020",
     [("227G", "227g", "227g", "0.240", "12.90"), ("500G", "500g", "500g", "0.520", "25.90")]),
    ("食品饮料", "DAILYNUT", "每日坚果", "Daily Mixed Nuts", "BOX", "0.13", "nuts", LE, 180, "0.0040",
     [("25GX30", "25g×30袋", "25g x30", "0.900", "99.00"), ("25GX7", "25g×7袋", "25g x7", "0.220", "25.90")]),
    ("食品饮料", "WALNUT", "新疆纸皮核桃", "Xinjiang Thin-shell Walnuts", "BAG", "0.09", "nut_raw", LE, 270, "0.0030",
     [("500G", "500g", "500g", "0.510", "29.90"), ("1KG", "1kg", "1kg", "1.020", "55.00")]),
    ("食品饮料", "LONGJING", "西湖龙井绿茶", "West Lake Longjing Green Tea", "PACK", "0.13", "tea", LE, 540, "0.0060",
     [("100G", "100g 罐装", "100g can", "0.260", "168.00"), ("250G", "250g 礼盒", "250g gift box", "0.720", "398.00")]),
    ("食品饮料", "HONEY", "黄山土蜂蜜", "Huangshan Wildflower Honey", "BTL", "0.09", "honey", LE, 720, "0.0008",
     [("500G", "500g", "500g", "0.760", "59.00"), ("1KG", "1kg", "1kg", "1.380", "108.00")]),
    ("食品饮料", "SHIITAKE", "古田干香菇", "Gutian Dried Shiitake", "BAG", "0.09", "fungus", LE, 365, "0.0080",
     [("200G", "200g", "200g", "0.220", "26.90"), ("500G", "500g", "500g", "0.530", "59.90")]),
    ("食品饮料", "SEAWEED", "原味烤海苔", "Roasted Seaweed Snack", "PACK", "0.13", "seafood", LE, 270, "0.0150",
     [("4GX12", "4g×12包", "4g x12", "0.080", "16.90"), ("40G", "40g 罐装", "40g can", "0.110", "19.90")]),
    ("日用百货", "TISSUE", "原木抽纸", "Virgin Pulp Facial Tissue", "PACK", "0.13", "paper", L, None, "0.0070",
     [("3P100X6", "3层100抽×6包", "3-ply 100 sheets x6", "0.690", "15.90"), ("3P120X24", "3层120抽×24包", "3-ply 120 sheets x24", "3.100", "52.90"),
      ("4P90X8", "4层90抽×8包", "4-ply 90 sheets x8", "0.950", "22.90")]),
    ("日用百货", "TOILETROLL", "卷纸", "Toilet Roll", "PACK", "0.13", "paper", L, None, "0.0080",
     [("140GX10", "4层140g×10卷", "4-ply 140g x10", "1.450", "29.90"), ("140GX27", "4层140g×27卷", "4-ply 140g x27", "3.900", "69.90")]),
    ("日用百货", "KITCHENTWL", "厨房用纸", "Kitchen Paper Towel", "PACK", "0.13", "paper", L, None, "0.0080",
     [("75X2", "75节×2卷", "75 sheets x2", "0.400", "9.90"), ("75X4", "75节×4卷", "75 sheets x4", "0.800", "17.90")]),
    ("日用百货", "LAUNDRY", "薰衣草洗衣液", "Lavender Laundry Liquid", "BTL", "0.13", "detergent", L, None, "0.0010",
     [("1KG", "1kg", "1kg", "1.080", "19.90"), ("2KG", "2kg", "2kg", "2.120", "35.90"), ("3KG-REFILL", "3kg 补充装", "3kg refill", "3.050", "45.90")]),
    ("日用百货", "DISHSOAP", "柠檬洗洁精", "Lemon Dishwashing Liquid", "BTL", "0.13", "detergent", L, None, "0.0010",
     [("500G", "500g", "500g", "0.550", "7.90"), ("1.29KG", "1.29kg", "1.29kg", "1.380", "15.90"), ("5KG", "5kg 商用装", "5kg catering", "5.250", "45.00")]),
    ("日用百货", "PODS", "三合一洗衣凝珠", "3-in-1 Laundry Pods", "BOX", "0.13", "detergent", L, None, "0.0015",
     [("30", "30颗", "30 pods", "0.520", "39.90"), ("52", "52颗", "52 pods", "0.880", "59.90")]),
    ("日用百货", "TRASHBAG", "加厚垃圾袋", "Heavy-duty Trash Bags", "PACK", "0.13", "plastic", N, None, "0.0030",
     [("45X50-100", "45×50cm 100只", "45x50cm 100 bags", "0.450", "12.90"), ("60X80-50", "60×80cm 50只", "60x80cm 50 bags", "0.600", "16.90")]),
    ("日用百货", "CLINGFILM", "PE保鲜膜", "PE Cling Film", "PACK", "0.13", "plastic", N, None, "0.0020",
     [("30CMX100M", "30cm×100m", "30cm x 100m", "0.620", "19.90"), ("20CMX50M", "20cm×50m", "20cm x 50m", "0.250", "8.90")]),
    ("日用百货", "TOWEL", "纯棉毛巾", "Cotton Towel", "PCS", "0.13", "textile", N, None, "0.0040",
     [("WHITE", "34×76cm 白色", "34x76cm white", "0.110", "15.90"), ("GREY", "34×76cm 灰色", "34x76cm grey", "0.110", "15.90"),
      ("BATH", "浴巾 70×140cm", "bath towel 70x140cm", "0.420", "49.00")]),
    ("日用百货", "STORAGEBOX", "加厚收纳箱", "Storage Box", "PCS", "0.13", "plastic", N, None, "0.0300",
     [("35L", "35L", "35L", "1.050", "29.90"), ("60L", "60L", "60L", "1.600", "45.90"), ("100L", "100L", "100L", "2.450", "69.90")]),
    ("日用百货", "FLASK", "316不锈钢保温杯", "316 Stainless Vacuum Flask", "PCS", "0.13", "sundries", N, None, "0.0040",
     [("350ML", "350ml", "350ml", "0.300", "69.00"), ("500ML", "500ml", "500ml", "0.380", "89.00"), ("1L", "1L", "1L", "0.620", "129.00")]),
    ("日用百货", "TOOTHBRUSH", "软毛牙刷", "Soft-bristle Toothbrush", "PACK", "0.13", "sundries", N, None, "0.0060",
     [("4PK", "4支装", "4-pack", "0.090", "19.90"), ("1PK", "单支装", "single", "0.025", "6.90")]),
    ("日用百货", "HANGER", "防滑植绒衣架", "Non-slip Velvet Hangers", "PACK", "0.13", "sundries", N, None, "0.0080",
     [("10", "10只装", "10 pcs", "0.650", "19.90"), ("20", "20只装", "20 pcs", "1.300", "35.90")]),
    ("日用百货", "SLIPPER", "EVA居家拖鞋", "EVA House Slippers", "PR", "0.13", "sundries", N, None, "0.0120",
     [("38-39", "38-39码", "size 38-39", "0.260", "19.90"), ("40-41", "40-41码", "size 40-41", "0.280", "19.90"),
      ("42-43", "42-43码", "size 42-43", "0.300", "19.90")]),
    ("日用百货", "BATTERY", "碱性电池", "Alkaline Batteries", "PACK", "0.13", "battery", L, None, "0.0005",
     [("AA8", "5号×8粒", "AA x8", "0.200", "19.90"), ("AAA8", "7号×8粒", "AAA x8", "0.100", "17.90"), ("AA20", "5号×20粒", "AA x20", "0.500", "42.00")]),
    ("日用百货", "MOP", "免手洗平板拖把", "Flat Mop", "SET", "0.13", "sundries", N, None, "0.0150",
     [("STD", "标准款", "standard", "1.100", "59.00"), ("PLUS", "带替换布3块", "with 3 spare pads", "1.350", "79.00")]),
    ("个护美妆", "SHAMPOO", "氨基酸洗发水", "Amino Acid Shampoo", "BTL", "0.13", "toiletry", LE, 1095, "0.0010",
     [("400ML", "400ml", "400ml", "0.460", "49.90"), ("750ML", "750ml", "750ml", "0.830", "79.90"), ("80ML", "旅行装 80ml", "travel 80ml", "0.100", "15.90")]),
    ("个护美妆", "CONDITIONER", "丝滑护发素", "Silky Conditioner", "BTL", "0.13", "toiletry", LE, 1095, "0.0010",
     [("400ML", "400ml", "400ml", "0.460", "49.90"), ("750ML", "750ml", "750ml", "0.830", "79.90")]),
    ("个护美妆", "BODYWASH", "香氛沐浴露", "Fragrance Body Wash", "BTL", "0.13", "toiletry", LE, 1095, "0.0010",
     [("500ML", "500ml", "500ml", "0.580", "39.90"), ("1L", "1L", "1L", "1.120", "69.90")]),
    ("个护美妆", "TOOTHPASTE", "美白牙膏", "Whitening Toothpaste", "PCS", "0.13", "oral", LE, 1095, "0.0012",
     [("120G", "120g", "120g", "0.150", "16.90"), ("180G", "180g", "180g", "0.220", "22.90"), ("3X120G", "120g×3支", "120g x3", "0.450", "45.00")]),
    ("个护美妆", "MOUTHWASH", "清新漱口水", "Fresh Mouthwash", "BTL", "0.13", "oral", LE, 1095, "0.0010",
     [("250ML", "250ml", "250ml", "0.290", "25.90"), ("500ML", "500ml", "500ml", "0.560", "42.90")]),
    ("个护美妆", "CREAM", "保湿面霜", "Moisturising Face Cream", "PCS", "0.13", "cosmetic", LE, 1095, "0.0025",
     [("50G", "50g", "50g", "0.180", "129.00"), ("100G", "100g", "100g", "0.290", "219.00")]),
    ("个护美妆", "SHEETMASK", "玻尿酸补水面膜", "Hyaluronic Acid Sheet Mask", "BOX", "0.13", "cosmetic", LE, 1095, "0.0030",
     [("5", "5片装", "5 sheets", "0.160", "49.00"), ("10", "10片装", "10 sheets", "0.310", "89.00"), ("30", "30片装", "30 sheets", "0.900", "239.00")]),
    ("个护美妆", "SUNSCREEN", "清爽防晒霜 SPF50+", "Light Sunscreen SPF50+", "PCS", "0.13", "cosmetic", LE, 1095, "0.0020",
     [("40ML", "40ml", "40ml", "0.070", "69.00"), ("60ML", "60ml", "60ml", "0.095", "89.00"), ("100ML", "100ml", "100ml", "0.150", "129.00")]),
    ("个护美妆", "LIPSTICK", "丝绒哑光口红", "Velvet Matte Lipstick", "PCS", "0.13", "cosmetic", LE, 1095, "0.0030",
     [("999", "正红 #999", "true red #999", "0.035", "99.00"), ("520", "豆沙 #520", "rose nude #520", "0.035", "99.00"),
      ("316", "枫叶红 #316", "maple red #316", "0.035", "99.00")]),
    ("个护美妆", "CLEANSER", "氨基酸洗面奶", "Amino Acid Facial Cleanser", "PCS", "0.13", "cosmetic", LE, 1095, "0.0015",
     [("100G", "100g", "100g", "0.130", "59.00"), ("150G", "150g", "150g", "0.190", "79.00")]),
    ("个护美妆", "TONER", "补水爽肤水", "Hydrating Toner", "BTL", "0.13", "cosmetic", LE, 1095, "0.0012",
     [("200ML", "200ml", "200ml", "0.280", "89.00"), ("400ML", "400ml", "400ml", "0.520", "149.00")]),
    ("个护美妆", "HANDCREAM", "滋润护手霜", "Nourishing Hand Cream", "PCS", "0.13", "cosmetic", LE, 1095, "0.0015",
     [("50G", "50g", "50g", "0.065", "25.00"), ("GIFT3", "30g×3支礼盒", "gift box 30g x3", "0.160", "59.00")]),
    ("个护美妆", "COTTONPAD", "双面化妆棉", "Cotton Pads", "PACK", "0.13", "sundries", N, None, "0.0100",
     [("100", "100片", "100 pads", "0.070", "9.90"), ("222", "222片", "222 pads", "0.150", "19.90")]),
    ("个护美妆", "PADS", "超薄卫生巾", "Ultra-thin Sanitary Pads", "PACK", "0.13", "hygiene", LE, 1095, "0.0050",
     [("DAY245", "日用 245mm×10片", "day 245mm x10", "0.090", "15.90"), ("NIGHT350", "夜用 350mm×8片", "night 350mm x8", "0.120", "19.90"),
      ("LINER", "护垫 155mm×30片", "liners 155mm x30", "0.080", "12.90")]),
    ("母婴", "FORMULA", "婴幼儿配方奶粉", "Infant Formula Milk Powder", "PCS", "0.13", "dairy", LE, 720, "0.0030",
     [("S1-800G", "1段 800g", "stage 1 800g", "1.050", "268.00"), ("S2-800G", "2段 800g", "stage 2 800g", "1.050", "258.00"),
      ("S3-800G", "3段 800g", "stage 3 800g", "1.050", "238.00"), ("S1-400G", "1段 400g", "stage 1 400g", "0.560", "148.00"),
      ("S2-400G", "2段 400g", "stage 2 400g", "0.560", "142.00"), ("S3-400G", "3段 400g", "stage 3 400g", "0.560", "132.00")]),
    ("母婴", "DIAPER", "婴儿纸尿裤", "Baby Diapers", "PACK", "0.13", "hygiene", LE, 1095, "0.0060",
     [("NB84", "NB码 84片", "newborn 84 pcs", "1.700", "119.00"), ("S72", "S码 72片", "S 72 pcs", "1.850", "119.00"),
      ("M60", "M码 60片", "M 60 pcs", "2.000", "119.00"), ("L52", "L码 52片", "L 52 pcs", "2.100", "119.00"),
      ("XL44", "XL码 44片", "XL 44 pcs", "2.150", "119.00"), ("XXL40", "XXL码 40片", "XXL 40 pcs", "2.200", "119.00")]),
    ("母婴", "PULLUP", "婴儿拉拉裤", "Baby Pull-up Pants", "PACK", "0.13", "hygiene", LE, 1095, "0.0060",
     [("L40", "L码 40片", "L 40 pcs", "1.900", "109.00"), ("XL36", "XL码 36片", "XL 36 pcs", "1.950", "109.00"),
      ("XXL32", "XXL码 32片", "XXL 32 pcs", "2.000", "109.00")]),
    ("母婴", "BABYWIPE", "婴儿湿巾", "Baby Wipes", "PACK", "0.13", "hygiene", LE, 730, "0.0015",
     [("80X3", "80抽×3包", "80 wipes x3", "1.150", "29.90"), ("80X10", "80抽×10包 整箱", "80 wipes x10", "3.800", "89.00"),
      ("HAND25X6", "手口专用 25抽×6包", "hand & mouth 25 x6", "0.700", "25.90")]),
    ("母婴", "RICECEREAL", "婴儿高铁米粉", "Iron-fortified Baby Rice Cereal", "PCS", "0.13", "babyfood", LE, 540, "0.0040",
     [("PLAIN", "原味 225g", "original 225g", "0.260", "39.00"), ("CARROT", "胡萝卜 225g", "carrot 225g", "0.260", "42.00"),
      ("YAM", "淮山 225g", "Chinese yam 225g", "0.260", "42.00")]),
    ("母婴", "PUREE", "婴儿果泥", "Baby Fruit Puree Pouch", "BOX", "0.13", "babyfood", LE, 365, "0.0012",
     [("APPLE", "苹果 100g×6袋", "apple 100g x6", "0.680", "45.00"), ("BANANA", "香蕉 100g×6袋", "banana 100g x6", "0.680", "45.00"),
      ("MIX", "混合果蔬 100g×6袋", "mixed fruit & veg 100g x6", "0.680", "49.00")]),
    ("母婴", "BOTTLE", "PPSU宽口径奶瓶", "PPSU Wide-neck Baby Bottle", "PCS", "0.13", "plastic", L, None, "0.0060",
     [("160ML", "160ml", "160ml", "0.120", "119.00"), ("240ML", "240ml", "240ml", "0.140", "129.00"), ("300ML", "300ml", "300ml", "0.160", "139.00")]),
    ("母婴", "NIPPLE", "宽口径硅胶奶嘴", "Wide-neck Silicone Nipples", "PACK", "0.13", "plastic", L, None, "0.0100",
     [("S", "S号 2只装", "S 2-pack", "0.030", "49.00"), ("M", "M号 2只装", "M 2-pack", "0.030", "49.00"), ("L", "L号 2只装", "L 2-pack", "0.030", "49.00")]),
    ("母婴", "BABYWASH", "婴儿洗发沐浴露", "Baby Shampoo & Body Wash", "BTL", "0.13", "toiletry", LE, 1095, "0.0010",
     [("200ML", "200ml", "200ml", "0.240", "45.00"), ("400ML", "400ml", "400ml", "0.460", "69.00")]),
    ("母婴", "BABYLOTION", "婴儿润肤乳", "Baby Lotion", "BTL", "0.13", "cosmetic", LE, 1095, "0.0010",
     [("100ML", "100ml", "100ml", "0.130", "49.00"), ("200ML", "200ml", "200ml", "0.250", "79.00")]),
    ("母婴", "TEETHER", "硅胶牙胶", "Silicone Teether", "PCS", "0.13", "plastic", L, None, "0.0080",
     [("BANANA", "香蕉款", "banana", "0.040", "29.00"), ("STAR", "星星款", "star", "0.035", "29.00")]),
    ("数码配件", "POWERBANK", "快充移动电源", "Fast-charge Power Bank", "PCS", "0.13", "battery", S, None, "0.0008",
     [("10K-WHT", "10000mAh 白色", "10000mAh white", "0.230", "99.00"), ("10K-BLK", "10000mAh 黑色", "10000mAh black", "0.230", "99.00"),
      ("20K", "20000mAh", "20000mAh", "0.420", "159.00"), ("MAG5K", "磁吸 5000mAh", "magnetic 5000mAh", "0.140", "129.00")]),
    ("数码配件", "EARBUDS", "真无线蓝牙耳机", "True Wireless Earbuds", "PCS", "0.13", "audio", S, None, "0.0030",
     [("STD-WHT", "标准版 白色", "standard white", "0.120", "199.00"), ("ANC-WHT", "降噪版 白色", "ANC white", "0.130", "399.00"),
      ("ANC-BLK", "降噪版 黑色", "ANC black", "0.130", "399.00")]),
    ("数码配件", "WATCH", "智能运动手表", "Smart Sports Watch", "PCS", "0.13", "wearable", S, None, "0.0025",
     [("42-BLK", "42mm 曜石黑", "42mm obsidian black", "0.260", "899.00"), ("46-SLV", "46mm 月光银", "46mm moonlight silver", "0.290", "999.00")]),
    ("数码配件", "CABLE", "数据线", "Charging Cable", "PCS", "0.13", "cable", N, None, "0.0020",
     [("CC-1M", "USB-C 对 USB-C 1m", "USB-C to USB-C 1m", "0.040", "29.00"), ("CC-2M", "USB-C 对 USB-C 2m", "USB-C to USB-C 2m", "0.060", "39.00"),
      ("CL-1M", "USB-C 对 Lightning 1m", "USB-C to Lightning 1m", "0.040", "49.00"), ("CC60W-1.5M", "60W 编织 1.5m", "60W braided 1.5m", "0.060", "45.00")]),
    ("数码配件", "CHARGER", "氮化镓快充充电器", "GaN Fast Charger", "PCS", "0.13", "power", L, None, "0.0010",
     [("20W", "20W", "20W", "0.060", "49.00"), ("35W", "35W 双口", "35W dual port", "0.080", "89.00"),
      ("65W", "65W 三口", "65W three port", "0.120", "149.00"), ("100W", "100W 四口", "100W four port", "0.210", "259.00")]),
    ("数码配件", "PHONECASE", "手机保护壳", "Phone Case", "PCS", "0.13", "plastic", N, None, "0.0050",
     [("IP15-CLR", "iPhone 15 透明", "iPhone 15 clear", "0.030", "39.00"), ("IP15P-MATTE", "iPhone 15 Pro 磨砂", "iPhone 15 Pro matte", "0.030", "49.00"),
      ("MATE60", "华为 Mate 60 素皮", "Huawei Mate 60 leather", "0.035", "59.00")]),
    ("数码配件", "SCREENGLASS", "高清钢化膜", "HD Tempered Glass Screen Protector", "PACK", "0.13", "glass", N, None, "0.0040",
     [("IP15", "iPhone 15 两片装", "iPhone 15 2-pack", "0.040", "29.00"), ("IP15P", "iPhone 15 Pro 两片装", "iPhone 15 Pro 2-pack", "0.040", "29.00")]),
    ("数码配件", "MOUSE", "无线鼠标", "Wireless Mouse", "PCS", "0.13", "peripheral", N, None, "0.0030",
     [("SILENT-BLK", "静音款 黑色", "silent black", "0.090", "59.00"), ("SILENT-WHT", "静音款 白色", "silent white", "0.090", "59.00"),
      ("BT-DUAL", "蓝牙双模", "Bluetooth dual-mode", "0.100", "99.00")]),
    ("数码配件", "KEYBOARD", "机械键盘", "Mechanical Keyboard", "PCS", "0.13", "peripheral", N, None, "0.0035",
     [("87-BROWN", "87键 茶轴", "87-key brown switch", "0.850", "299.00"), ("104-RED", "104键 红轴", "104-key red switch", "1.050", "349.00")]),
    ("数码配件", "USBDRIVE", "高速U盘", "USB 3.2 Flash Drive", "PCS", "0.13", "storage", N, None, "0.0010",
     [("32G", "32GB", "32GB", "0.015", "29.90"), ("64G", "64GB", "64GB", "0.015", "39.90"), ("128G", "128GB", "128GB", "0.015", "59.90")]),
    ("数码配件", "MICROSD", "microSD 存储卡", "microSD Memory Card", "PCS", "0.13", "storage", L, None, "0.0010",
     [("64G", "64GB", "64GB", "0.005", "39.00"), ("128G", "128GB", "128GB", "0.005", "69.00"), ("256G", "256GB", "256GB", "0.005", "129.00")]),
    ("数码配件", "SPEAKER", "蓝牙音箱", "Bluetooth Speaker", "PCS", "0.13", "audio", S, None, "0.0025",
     [("MINI", "迷你款", "mini", "0.250", "129.00"), ("OUTDOOR", "户外防水款", "outdoor waterproof", "0.680", "299.00")]),
    ("数码配件", "USBHUB", "Type-C 扩展坞", "USB-C Hub", "PCS", "0.13", "peripheral", N, None, "0.0020",
     [("6IN1", "六合一", "6-in-1", "0.090", "129.00"), ("8IN1", "八合一", "8-in-1", "0.120", "199.00")]),
    ("数码配件", "CARHOLDER", "车载手机支架", "Car Phone Holder", "PCS", "0.13", "sundries", N, None, "0.0040",
     [("VENT", "出风口款", "air vent", "0.080", "39.00"), ("MAG", "磁吸款", "magnetic", "0.110", "69.00")]),
    ("服务", "DISPLAY", "门店陈列服务", "In-store Display Service", "EA", "0.06", "svc_business", N, None, "0",
     [("MONTH", "按月", "monthly", "0", "3000.00")]),
    ("服务", "GIFTDESIGN", "礼盒定制设计服务", "Gift Box Design Service", "EA", "0.06", "svc_design", N, None, "0",
     [("STD", "标准方案", "standard", "0", "5000.00")]),
    ("服务", "ESHOPOPS", "电商代运营服务", "E-commerce Store Operation Service", "EA", "0.06", "svc_it", N, None, "0",
     [("MONTH", "按月", "monthly", "0", "12000.00")]),
    ("服务", "WAREHOUSING", "仓储服务", "Warehousing Service", "EA", "0.06", "svc_storage", N, None, "0",
     [("PALLET-MONTH", "每托盘每月", "per pallet per month", "0", "45.00")]),
]


def product_rows() -> list[dict]:
    """The ≥ 200 demo products as the service's input, in a stable order."""
    rows = []
    item_numbers: dict[str, int] = {}
    for category, code, zh, en, uom, rate, tax, tracking, shelf, per_kg, variants in FAMILIES:
        sku_prefix, gs1_prefix = CATEGORIES[category]
        tax_code, tax_short = TAX[tax]
        for vcode, vzh, ven, weight, price in variants:
            gtin = None
            if gs1_prefix:
                item_numbers[gs1_prefix] = item_numbers.get(gs1_prefix, 100) + 1
                gtin = gtin13(f"{gs1_prefix}{item_numbers[gs1_prefix]:05d}")
            volume = (Decimal(weight) * Decimal(per_kg)).quantize(Decimal("0.000001"))
            row = {
                "sku": f"{sku_prefix}-{code}-{vcode}",
                "name": f"{zh} {vzh}",
                "name_en": f"{en} {ven}",
                "uom": uom,
                "category": category,
                "weight": Decimal(weight),
                "volume": volume,
                "tracking": tracking,
                "shelf_life_days": shelf,
                "tax_rate": Decimal(rate),
                "tax_code": tax_code,
                "tax_short_name": tax_short,
                "list_price": Decimal(price),
            }
            if gtin:  # services carry no barcode; a blank GTIN would collide with the unique index
                row["gtin"] = gtin
            rows.append(row)
    return rows


# -- loaders --------------------------------------------------------------------------------------


def load_company(*, actor: Actor, advance: Advance) -> int:
    """The company row; an installation that already has a company keeps it untouched."""
    created = 0
    if not Company.objects.exists():
        services.set_company(data=dict(COMPANY), actor=actor)
        created = 1
    advance(1)
    return created


def load_warehouses(*, actor: Actor, advance: Advance) -> int:
    """The three warehouses and their five zones each (A, B storage; R dock; S staging; Q hold)."""
    created = 0
    existing = set(Warehouse.objects.values_list("code", flat=True))
    for code, name, prov, city, dist, address, lat, lng, *_ in WAREHOUSES:
        if code not in existing:
            services.create_warehouse(
                data={"code": code, "name": name, "province": prov, "city": city, "district": dist,
                      "address": address, "latitude": lat, "longitude": lng},
                actor=actor,
            )
            created += 1
        warehouse = Warehouse.objects.get(code=code)
        have = set(warehouse.zones.values_list("code", flat=True))
        for zone_code, zone_name in ZONES:
            if zone_code not in have:
                _create_zone(warehouse=warehouse, code=zone_code, name=zone_name, actor=actor)
                created += 1
        advance(1)
    return created


def _create_zone(*, warehouse: Warehouse, code: str, name: str, actor: Actor) -> Zone:
    """A named zone; bins created later find it by code (the location service would name it by code)."""
    zone = Zone.objects.create(warehouse=warehouse, code=code, name=name)
    audit.record_created(zone, actor=actor, fields=["warehouse", "code", "name"])
    emit("catalog.zone.created", aggregate_type="zone", aggregate_id=f"{warehouse.code}/{code}",
         payload={"warehouse": warehouse.code, "code": code, "name": name}, actor=actor)
    return zone


def load_locations(*, actor: Actor, advance: Advance) -> int:
    """The bins that do not exist yet, through the catalog's set-based import (the same cleaning as
    the location service, whole-file validation, bulk writes, one audit row per bin and one
    `catalog.import.completed` event) — a few hundred single inserts would take half a minute."""
    existing = set(Location.objects.values_list("warehouse__code", "code"))
    rows = location_rows()
    missing = [row for row in rows if (row["warehouse"], row["code"]) not in existing]
    advance(len(rows) - len(missing))
    if not missing:
        return 0
    columns = [column.field for column in COLUMNS["locations"]]
    book = build_workbook("locations", ([{"active": True, **row}[name] for name in columns] for row in missing),
                          language="en")
    plan = imports.validate_workbook(kind="locations", source=io.BytesIO(book))
    written = [0]

    def progress(done: int) -> None:
        advance(done - written[0])
        written[0] = done

    return imports.apply_plan(plan=plan, actor=actor, progress=progress).created


def load_products(*, actor: Actor, advance: Advance) -> int:
    created = 0
    have = set(Category.objects.values_list("code", flat=True))
    for name in CATEGORIES:  # categories exist before the products that name them
        if name not in have:
            services.create_category(data={"code": name, "name": name}, actor=actor)
    existing = set(Product.objects.values_list("sku", flat=True))
    for row in product_rows():
        if row["sku"] not in existing:
            services.create_product(data=row, actor=actor)
            created += 1
        advance(1)
    return created


def load_partners(*, actor: Actor, advance: Advance) -> int:
    created = 0
    existing = set(Partner.objects.values_list("code", flat=True))
    for row in partner_rows():
        if row["code"] not in existing:
            services.create_partner(data=row, actor=actor)
            created += 1
        advance(1)
    return created


def load_channels(*, actor: Actor, advance: Advance) -> int:
    created = 0
    existing = set(Channel.objects.values_list("code", flat=True))
    for code, kind, name, min_days in CHANNELS:
        if code not in existing:
            services.create_channel(
                data={"code": code, "type": kind, "name": name, "min_shelf_life_days": min_days}, actor=actor
            )
            created += 1
        advance(1)
    return created
