"""The three statements of 小企业会计准则 with the 行次 of the tax-filing forms:
资产负债表 会小企01表, 利润表 会小企02表, 现金流量表 会小企03表 (direct method).

Columns: balance sheet current = 期末余额, comparative = 年初余额; income statement and cash flow
current = 本月金额, comparative = 本年累计金额. Amounts are Decimal yuan, 2 places.

Before a period is closed its 损益类 balances are shown inside 未分配利润 (line 51), so the balance
sheet balances at any time; after 结转损益 they sit in 本年利润 and the figure is the same.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sihe.ledger.models import Account, CashFlowItem, OpeningCashFlow
from sihe.ledger.reports import movements, net_at_end, net_before, opening_ytd, year_start

ZERO = Decimal("0.00")


class _Balances:
    """Net debit balances per (leaf account, partner), queried by code prefixes."""

    def __init__(self, nets: dict, codes: dict[int, str]):
        self.by_code: dict[str, list[Decimal]] = defaultdict(list)
        for (account_id, _partner), net in nets.items():
            self.by_code[codes[account_id]].append(net)

    def _match(self, prefixes):
        for code, nets in self.by_code.items():
            if any(code == p or code.startswith(p + ".") for p in prefixes):
                yield from nets

    def dr(self, *prefixes) -> Decimal:
        return sum(self._match(prefixes), ZERO)

    def cr(self, *prefixes) -> Decimal:
        return -self.dr(*prefixes)

    def dr_detail(self, *prefixes) -> Decimal:
        """Σ of the debit balances of the detail (per partner) ledgers."""
        return sum((n for n in self._match(prefixes) if n > 0), ZERO)

    def cr_detail(self, *prefixes) -> Decimal:
        return sum((-n for n in self._match(prefixes) if n < 0), ZERO)


def _codes() -> dict[int, str]:
    return dict(Account.objects.values_list("id", "code"))


# -- 资产负债表 -----------------------------------------------------------------------------------

BALANCE_SHEET_NAMES = {
    1: "货币资金", 2: "短期投资", 3: "应收票据", 4: "应收账款", 5: "预付账款", 6: "应收股利", 7: "应收利息",
    8: "其他应收款", 9: "存货", 10: "其中：原材料", 11: "在产品", 12: "库存商品", 13: "周转材料",
    14: "其他流动资产", 15: "流动资产合计", 16: "长期债券投资", 17: "长期股权投资", 18: "固定资产原价",
    19: "减：累计折旧", 20: "固定资产账面价值", 21: "在建工程", 22: "工程物资", 23: "固定资产清理",
    24: "生产性生物资产", 25: "无形资产", 26: "开发支出", 27: "长期待摊费用", 28: "其他非流动资产",
    29: "非流动资产合计", 30: "资产总计", 31: "短期借款", 32: "应付票据", 33: "应付账款", 34: "预收账款",
    35: "应付职工薪酬", 36: "应交税费", 37: "应付利息", 38: "应付利润", 39: "其他应付款", 40: "其他流动负债",
    41: "流动负债合计", 42: "长期借款", 43: "长期应付款", 44: "递延收益", 45: "其他非流动负债",
    46: "非流动负债合计", 47: "负债合计", 48: "实收资本（或股本）", 49: "资本公积", 50: "盈余公积",
    51: "未分配利润", 52: "所有者权益（或股东权益）合计", 53: "负债和所有者权益（或股东权益）总计",
}


def _balance_sheet_column(b: _Balances, pl_codes: list[str]) -> dict[int, Decimal]:
    v: dict[int, Decimal] = {}
    v[1] = b.dr("1001", "1002", "1012")
    v[2] = b.dr("1101")
    v[3] = b.dr("1121")
    v[4] = b.dr_detail("1122") + b.dr_detail("2203")
    v[5] = b.dr_detail("1123") + b.dr_detail("2202")
    v[6], v[7], v[8] = b.dr("1131"), b.dr("1132"), b.dr("1221")
    v[9] = b.dr("1401", "1402", "1403", "1404", "1405", "1407", "1408", "1411", "1421", "4001", "4101", "4401", "4403")
    v[10], v[11], v[12], v[13] = b.dr("1403"), b.dr("4001"), b.dr("1405"), b.dr("1411")
    v[14] = b.dr("1901")
    v[15] = sum((v[i] for i in range(1, 10)), ZERO) + v[14]
    v[16], v[17], v[18], v[19] = b.dr("1501"), b.dr("1511"), b.dr("1601"), b.cr("1602")
    v[20] = v[18] - v[19]
    v[21], v[22], v[23] = b.dr("1604"), b.dr("1605"), b.dr("1606")
    v[24] = b.dr("1621", "1622")
    v[25] = b.dr("1701", "1702")
    v[26], v[27], v[28] = b.dr("4301"), b.dr("1801"), ZERO
    v[29] = v[16] + v[17] + sum((v[i] for i in range(20, 29)), ZERO)
    v[30] = v[15] + v[29]
    v[31], v[32] = b.cr("2001"), b.cr("2201")
    v[33] = b.cr_detail("2202") + b.cr_detail("1123")
    v[34] = b.cr_detail("2203") + b.cr_detail("1122")
    v[35], v[36], v[37], v[38], v[39], v[40] = b.cr("2211"), b.cr("2221"), b.cr("2231"), b.cr("2232"), b.cr("2241"), ZERO
    v[41] = sum((v[i] for i in range(31, 41)), ZERO)
    v[42], v[43], v[44], v[45] = b.cr("2501"), b.cr("2701"), b.cr("2401"), ZERO
    v[46] = v[42] + v[43] + v[44] + v[45]
    v[47] = v[41] + v[46]
    v[48], v[49], v[50] = b.cr("3001"), b.cr("3002"), b.cr("3101")
    # 3103 + 3104, plus 损益类 balances not yet carried forward (结转损益 moves them to 3103 unchanged)
    v[51] = b.cr("3103", "3104", *pl_codes)
    v[52] = v[48] + v[49] + v[50] + v[51]
    v[53] = v[47] + v[52]
    return v


def balance_sheet(period: str) -> dict:
    codes = _codes()
    pl_codes = list(Account.objects.filter(category="profit_loss", parent__isnull=True).values_list("code", flat=True))
    end = _balance_sheet_column(_Balances(net_at_end(period, by=("partner",)), codes), pl_codes)
    start = _balance_sheet_column(_Balances(net_before(year_start(period), by=("partner",)), codes), pl_codes)
    lines = [
        {"line_no": n, "name": name, "current": end[n], "comparative": start[n],
         "side": "assets" if n <= 30 else "liabilities_equity"}
        for n, name in BALANCE_SHEET_NAMES.items()
    ]
    return {
        "statement": "balance-sheet", "form": "会小企01表", "title": "资产负债表", "period": period,
        "columns": {"current": str(_("Closing balance")), "comparative": str(_("Balance at start of year"))},
        "column_names_zh": {"current": "期末余额", "comparative": "年初余额"},
        "column_order": ["current", "comparative"],
        "lines": lines, "balanced": end[30] == end[53] and start[30] == start[53],
    }


# -- 利润表 ---------------------------------------------------------------------------------------

# 其中 lines read the accounts that carry the role (and their sub-accounts), wherever the accountant put
# them in the chart; with no account of that role they read the conventional sub-account code.
INCOME_LINES = [
    (1, "一、营业收入", ("in", "5001", "5051")),
    (2, "减：营业成本", ("out", "5401", "5402")),
    (3, "税金及附加", ("out", "5403")),
    (4, "其中：消费税", ("out", "role:tax_consumption", "5403.01")),
    (5, "营业税", ("out", "role:tax_business", "5403.02")),
    (6, "城市维护建设税", ("out", "role:tax_urban_construction", "5403.03")),
    (7, "资源税", ("out", "role:tax_resource", "5403.04")),
    (8, "土地增值税", ("out", "role:tax_land_appreciation", "5403.05")),
    (9, "城镇土地使用税、房产税、车船税、印花税", ("out", "role:tax_property_stamp", "5403.06")),
    (10, "教育费附加、矿产资源补偿费、排污费", ("out", "role:tax_education_surcharge", "5403.07")),
    (11, "销售费用", ("out", "5601")),
    (12, "其中：商品维修费", ("out", "role:selling_repairs", "5601.01")),
    (13, "广告费和业务宣传费", ("out", "role:selling_advertising", "5601.02")),
    (14, "管理费用", ("out", "5602")),
    (15, "其中：开办费", ("out", "role:admin_startup", "5602.01")),
    (16, "业务招待费", ("out", "role:admin_entertainment", "5602.02")),
    (17, "研究费用", ("out", "role:admin_research", "5602.03")),
    (18, "财务费用", ("out", "5603")),
    (19, "其中：利息费用（收入以“-”号填列）", ("out", "role:finance_interest", "5603.01")),
    (20, "加：投资收益（损失以“-”号填列）", ("in", "5111")),
    (21, "二、营业利润（亏损以“-”号填列）", None),
    (22, "加：营业外收入", ("in", "5301")),
    (23, "其中：政府补助", ("in", "role:government_grant", "5301.01")),
    (24, "减：营业外支出", ("out", "5711")),
    (25, "其中：坏账损失", ("out", "role:bad_debt_loss", "5711.01")),
    (26, "无法收回的长期债券投资损失", ("out", "role:bond_investment_loss", "5711.02")),
    (27, "无法收回的长期股权投资损失", ("out", "role:equity_investment_loss", "5711.03")),
    (28, "自然灾害等不可抗力因素造成的损失", ("out", "role:force_majeure_loss", "5711.04")),
    (29, "税收滞纳金", ("out", "role:tax_late_fee", "5711.05")),
    (30, "三、利润总额（亏损总额以“-”号填列）", None),
    (31, "减：所得税费用", ("out", "5801")),
    (32, "四、净利润（净亏损以“-”号填列）", None),
]
STATEMENT_ROLES = tuple(p[5:] for _n, _name, rule in INCOME_LINES if rule for p in rule[1:] if p.startswith("role:"))


def _role_codes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for code, role in Account.objects.filter(role__in=STATEMENT_ROLES).values_list("code", "role"):
        found[role].append(code)
    return found


def _income_column(nets: dict, codes: dict[int, str], roles: dict[str, list[str]]) -> dict[int, Decimal]:
    b = _Balances({(aid, ""): net for (aid,), net in nets.items()}, codes)
    v: dict[int, Decimal] = {}
    for n, _name, rule in INCOME_LINES:
        if rule:
            side, *prefixes = rule
            if prefixes[0].startswith("role:"):
                prefixes = roles.get(prefixes[0][5:]) or prefixes[1:]
            v[n] = b.cr(*prefixes) if side == "in" else b.dr(*prefixes)
    v[21] = v[1] - v[2] - v[3] - v[11] - v[14] - v[18] + v[20]
    v[30] = v[21] + v[22] - v[24]
    v[32] = v[30] - v[31]
    return v


def _pl_nets(q: Q) -> dict:
    """损益类 movements net of 红冲, without the 结转损益 vouchers."""
    return {k: d - c for k, (d, c) in movements(q=q & Q(closing=False, account__category="profit_loss")).items()}


def _pl_ytd(period: str) -> dict:
    """本年累计 损益类 nets: posted in Sihe plus the 实际发生额 before the books started mid-year."""
    nets = defaultdict(lambda: ZERO, _pl_nets(Q(period__gte=year_start(period), period__lte=period)))
    for key, (d, c) in opening_ytd(period).items():
        nets[key] += d - c
    return nets


def income_statement(period: str) -> dict:
    codes, roles = _codes(), _role_codes()
    month = _income_column(_pl_nets(Q(period=period)), codes, roles)
    ytd = _income_column(_pl_ytd(period), codes, roles)
    lines = [{"line_no": n, "name": name, "current": month[n], "comparative": ytd[n]} for n, name, _r in INCOME_LINES]
    return {
        "statement": "income-statement", "form": "会小企02表", "title": "利润表", "period": period,
        "columns": {"current": str(pgettext_lazy("statement column", "This month")), "comparative": str(_("Year to date"))},
        "column_names_zh": {"current": "本月金额", "comparative": "本年累计金额"},
        # 会小企02表/03表 print 本年累计金额 before 本月金额 (小企业会计准则 附录)
        "column_order": ["comparative", "current"],
        "lines": lines, "net_profit": month[32], "net_profit_ytd": ytd[32],
    }


# -- 现金流量表 -----------------------------------------------------------------------------------

CASH_FLOW_TOTALS = {
    7: "经营活动产生的现金流量净额", 13: "投资活动产生的现金流量净额", 19: "筹资活动产生的现金流量净额",
    20: "四、现金净增加额", 21: "加：期初现金余额", 22: "五、期末现金余额",
}
SECTION = {1: "一、经营活动产生的现金流量：", 8: "二、投资活动产生的现金流量：", 14: "三、筹资活动产生的现金流量："}


def _cash_column(q: Q, opening_cash: Decimal, items: list[CashFlowItem],
                 before_books: dict[str, Decimal] | None = None) -> dict[int, Decimal]:
    nets: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = movements(q=q & ~Q(cash_flow=""), by=("cash_flow",))
    for (_account, cash_flow), (d, c) in rows.items():
        nets[cash_flow] += d - c
    for code, net in (before_books or {}).items():
        nets[code] += net
    v = {item.line_no: nets[item.code] if item.inflow else -nets[item.code] for item in items}
    v[7] = v[1] + v[2] - v[3] - v[4] - v[5] - v[6]
    v[13] = v[8] + v[9] + v[10] - v[11] - v[12]
    v[19] = v[14] + v[15] - v[16] - v[17] - v[18]
    v[20] = v[7] + v[13] + v[19]
    v[21] = opening_cash
    v[22] = v[20] + v[21]
    return v


def _cash(nets: dict, codes: dict[int, str]) -> Decimal:
    return _Balances({(aid, ""): n for (aid,), n in nets.items()}, codes).dr("1001", "1002", "1012")


def cash_flow(period: str) -> dict:
    codes = _codes()
    items = list(CashFlowItem.objects.order_by("line_no"))
    month_open = _cash(net_before(period), codes)
    year_open = _cash(net_before(year_start(period)), codes)
    closing_cash = _cash(net_at_end(period), codes)
    month = _cash_column(Q(period=period), month_open, items)
    # a company that started mid-year brings the 本年累计 per item of the months before its books
    before_books = {
        flow.item.code: flow.amount if flow.item.inflow else -flow.amount
        for flow in OpeningCashFlow.objects.filter(period__lte=period, period__gte=year_start(period)).select_related("item")
    }
    ytd = _cash_column(Q(period__gte=year_start(period), period__lte=period), year_open, items, before_books)
    names = {item.line_no: item.name for item in items} | CASH_FLOW_TOTALS
    lines = [
        {"line_no": n, "name": names[n], "current": month[n], "comparative": ytd[n], "section": SECTION.get(n, "")}
        for n in range(1, 23)
    ]
    return {
        "statement": "cash-flow", "form": "会小企03表", "title": "现金流量表", "period": period,
        "columns": {"current": str(pgettext_lazy("statement column", "This month")), "comparative": str(_("Year to date"))},
        "column_names_zh": {"current": "本月金额", "comparative": "本年累计金额"},
        # 会小企02表/03表 print 本年累计金额 before 本月金额 (小企业会计准则 附录)
        "column_order": ["comparative", "current"],
        "lines": lines, "closing_cash": closing_cash, "balanced": month[22] == closing_cash == ytd[22],
    }


STATEMENTS = {"balance-sheet": balance_sheet, "income-statement": income_statement, "cash-flow": cash_flow}
