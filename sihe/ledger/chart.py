"""The seed data: 小企业会计准则 (2011) chart of accounts, 现金流量项目 and posting rules.

Used by the data migrations (0002, and 0008 for the 损益类 sub-accounts of a database seeded before them) and
by tests; plain data, no models. Sub-account codes use the dotted form `2221.01.01`; accounts that matter to
programs are found by `role`, never by code. The 损益类 sub-accounts are those the 利润表 其中 lines read (by
role, `sihe.ledger.statements.INCOME_LINES`) plus the ones the system books to (平台佣金, 折旧费, 处置损益) and
an 其他 (.99) for the rest: an account with sub-accounts takes no postings.
"""

A, L, E, C, P = "asset", "liability", "equity", "cost", "profit_loss"
D, CR = "debit", "credit"

# code, name, English name, category, direction, options
CHART: list[tuple[str, str, str, str, str, dict]] = [
    ("1001", "库存现金", "Cash on hand", A, D, {"is_cash": True, "role": "cash"}),
    ("1002", "银行存款", "Bank deposits", A, D, {"is_cash": True, "role": "bank"}),
    ("1012", "其他货币资金", "Other monetary funds", A, D, {"is_cash": True, "role": "other_funds"}),
    ("1101", "短期投资", "Short-term investments", A, D, {}),
    ("1121", "应收票据", "Notes receivable", A, D, {"dim_partner": True}),
    ("1122", "应收账款", "Accounts receivable", A, D, {"dim_partner": True, "role": "receivable"}),
    ("1123", "预付账款", "Prepayments", A, D, {"dim_partner": True}),
    ("1131", "应收股利", "Dividends receivable", A, D, {}),
    ("1132", "应收利息", "Interest receivable", A, D, {}),
    ("1221", "其他应收款", "Other receivables", A, D, {"dim_partner": True}),
    ("1401", "材料采购", "Materials procurement", A, D, {}),
    ("1402", "在途物资", "Goods in transit", A, D, {}),
    ("1403", "原材料", "Raw materials", A, D, {"dim_warehouse": True, "role": "raw_materials"}),
    ("1404", "材料成本差异", "Materials cost variance", A, D, {}),
    ("1405", "库存商品", "Finished goods and merchandise", A, D, {"dim_warehouse": True, "role": "inventory"}),
    ("1407", "商品进销差价", "Merchandise price difference", A, CR, {}),
    ("1408", "委托加工物资", "Materials for outsourced processing", A, D, {}),
    ("1411", "周转材料", "Revolving materials", A, D, {"dim_warehouse": True}),
    ("1421", "消耗性生物资产", "Consumable biological assets", A, D, {}),
    ("1501", "长期债券投资", "Long-term bond investments", A, D, {}),
    ("1511", "长期股权投资", "Long-term equity investments", A, D, {}),
    ("1601", "固定资产", "Fixed assets", A, D, {}),
    ("1602", "累计折旧", "Accumulated depreciation", A, CR, {}),
    ("1604", "在建工程", "Construction in progress", A, D, {}),
    ("1605", "工程物资", "Construction materials", A, D, {}),
    ("1606", "固定资产清理", "Fixed assets in liquidation", A, D, {}),
    ("1621", "生产性生物资产", "Productive biological assets", A, D, {}),
    ("1622", "生产性生物资产累计折旧", "Accumulated depreciation of productive biological assets", A, CR, {}),
    ("1701", "无形资产", "Intangible assets", A, D, {}),
    ("1702", "累计摊销", "Accumulated amortisation", A, CR, {}),
    ("1801", "长期待摊费用", "Long-term prepaid expenses", A, D, {}),
    ("1901", "待处理财产损溢", "Assets losses and gains pending", A, D, {"dim_warehouse": True, "role": "pending_loss"}),
    ("2001", "短期借款", "Short-term loans", L, CR, {}),
    ("2201", "应付票据", "Notes payable", L, CR, {"dim_partner": True}),
    ("2202", "应付账款", "Accounts payable", L, CR, {}),
    ("2202.01", "应付账款—一般应付", "Accounts payable - trade", L, CR, {"dim_partner": True, "role": "payable"}),
    ("2202.02", "应付账款—暂估", "Accounts payable - goods received not invoiced", L, CR,
     {"dim_partner": True, "role": "grni"}),
    ("2203", "预收账款", "Advances from customers", L, CR, {"dim_partner": True}),
    ("2211", "应付职工薪酬", "Employee benefits payable", L, CR, {}),
    ("2221", "应交税费", "Taxes payable", L, CR, {}),
    ("2221.01", "应交增值税", "VAT payable", L, CR, {}),
    ("2221.01.01", "进项税额", "Input VAT", L, D, {"role": "vat_input"}),
    ("2221.01.02", "销项税额抵减", "Output VAT deduction", L, D, {"role": "vat_output_deduction"}),
    ("2221.01.03", "已交税金", "VAT paid", L, D, {"role": "vat_paid"}),
    ("2221.01.04", "转出未交增值税", "Unpaid VAT transferred out", L, D, {"role": "vat_transfer_out"}),
    ("2221.01.05", "减免税款", "VAT relief", L, D, {"role": "vat_relief"}),
    ("2221.01.06", "销项税额", "Output VAT", L, CR, {"role": "vat_output"}),
    ("2221.01.07", "进项税额转出", "Input VAT transferred out", L, CR, {"role": "vat_input_out"}),
    ("2221.01.08", "转出多交增值税", "Overpaid VAT transferred out", L, CR, {"role": "vat_overpaid_out"}),
    ("2221.02", "未交增值税", "Unpaid VAT", L, CR, {"role": "vat_unpaid"}),
    ("2221.03", "应交企业所得税", "Corporate income tax payable", L, CR, {"role": "cit_payable"}),
    ("2221.04", "应交个人所得税", "Individual income tax withheld", L, CR, {"role": "iit_payable"}),
    ("2221.05", "应交城市维护建设税", "Urban construction tax payable", L, CR, {"role": "uct_payable"}),
    ("2221.06", "应交教育费附加", "Education surcharge payable", L, CR, {"role": "edu_payable"}),
    ("2221.07", "应交地方教育附加", "Local education surcharge payable", L, CR, {"role": "local_edu_payable"}),
    ("2221.08", "应交印花税", "Stamp duty payable", L, CR, {"role": "stamp_payable"}),
    ("2221.09", "待认证进项税额", "Input VAT awaiting certification", L, D, {"role": "vat_pending_input"}),
    ("2231", "应付利息", "Interest payable", L, CR, {}),
    ("2232", "应付利润", "Profit payable", L, CR, {}),
    ("2241", "其他应付款", "Other payables", L, CR, {"dim_partner": True}),
    ("2401", "递延收益", "Deferred income", L, CR, {}),
    ("2501", "长期借款", "Long-term loans", L, CR, {}),
    ("2701", "长期应付款", "Long-term payables", L, CR, {}),
    ("3001", "实收资本", "Paid-in capital", E, CR, {"dim_partner": True}),
    ("3002", "资本公积", "Capital reserve", E, CR, {}),
    ("3101", "盈余公积", "Surplus reserve", E, CR, {}),
    ("3103", "本年利润", "Profit for the year", E, CR, {"role": "current_year_profit"}),
    ("3104", "利润分配", "Profit distribution", E, CR, {}),
    ("3104.01", "利润分配—未分配利润", "Retained earnings", E, CR, {"role": "retained_earnings"}),
    ("3104.02", "利润分配—提取法定盈余公积", "Appropriation to surplus reserve", E, CR, {}),
    ("3104.03", "利润分配—应付利润", "Profit distributed to investors", E, CR, {}),
    ("4001", "生产成本", "Production cost", C, D, {"dim_project": True, "role": "wip"}),
    ("4101", "制造费用", "Manufacturing overhead", C, D, {"dim_department": True}),
    ("4301", "研发支出", "R&D expenditure", C, D, {"dim_project": True}),
    ("4401", "工程施工", "Construction contracts", C, D, {"dim_project": True}),
    ("4403", "机械作业", "Machinery operations", C, D, {}),
    ("5001", "主营业务收入", "Revenue from main operations", P, CR, {"dim_department": True, "role": "revenue"}),
    ("5051", "其他业务收入", "Other operating revenue", P, CR, {}),
    ("5111", "投资收益", "Investment income", P, CR, {}),
    ("5301", "营业外收入", "Non-operating income", P, CR, {}),
    ("5301.01", "政府补助", "Government grants", P, CR, {"role": "government_grant"}),
    ("5301.02", "非流动资产处置净收益", "Net gains on disposal of non-current assets", P, CR,
     {"role": "disposal_gain"}),
    ("5301.99", "其他", "Other non-operating income", P, CR, {}),
    ("5401", "主营业务成本", "Cost of main operations", P, D, {"dim_department": True, "role": "cogs"}),
    ("5402", "其他业务成本", "Other operating costs", P, D, {}),
    ("5403", "税金及附加", "Taxes and surcharges", P, D, {}),
    ("5403.01", "消费税", "Consumption tax", P, D, {"role": "tax_consumption"}),
    ("5403.02", "营业税", "Business tax", P, D, {"role": "tax_business"}),
    ("5403.03", "城市维护建设税", "Urban maintenance and construction tax", P, D, {"role": "tax_urban_construction"}),
    ("5403.04", "资源税", "Resource tax", P, D, {"role": "tax_resource"}),
    ("5403.05", "土地增值税", "Land appreciation tax", P, D, {"role": "tax_land_appreciation"}),
    ("5403.06", "城镇土地使用税、房产税、车船税、印花税", "Land use, property, vehicle and vessel taxes, stamp duty", P, D,
     {"role": "tax_property_stamp"}),
    ("5403.07", "教育费附加、地方教育附加", "Education surcharge and local education surcharge", P, D,
     {"role": "tax_education_surcharge"}),
    ("5403.99", "其他", "Other taxes and surcharges", P, D, {}),
    ("5601", "销售费用", "Selling expenses", P, D, {"dim_department": True}),
    ("5601.01", "商品维修费", "Product repairs", P, D, {"dim_department": True, "role": "selling_repairs"}),
    ("5601.02", "广告费和业务宣传费", "Advertising and promotion", P, D,
     {"dim_department": True, "role": "selling_advertising"}),
    ("5601.03", "平台佣金及服务费", "Platform commissions and service fees", P, D,
     {"dim_department": True, "role": "selling_platform_fees"}),
    ("5601.04", "职工薪酬", "Sales staff costs", P, D, {"dim_department": True}),
    ("5601.05", "运输费", "Freight and delivery", P, D, {"dim_department": True}),
    ("5601.06", "折旧费", "Depreciation, selling", P, D, {"dim_department": True, "role": "selling_depreciation"}),
    ("5601.99", "其他", "Other selling expenses", P, D, {"dim_department": True}),
    ("5602", "管理费用", "Administrative expenses", P, D, {"dim_department": True}),
    ("5602.01", "开办费", "Start-up costs", P, D, {"dim_department": True, "role": "admin_startup"}),
    ("5602.02", "业务招待费", "Business entertainment", P, D, {"dim_department": True, "role": "admin_entertainment"}),
    ("5602.03", "研究费用", "Research costs", P, D, {"dim_department": True, "role": "admin_research"}),
    ("5602.04", "职工薪酬", "Administrative staff costs", P, D, {"dim_department": True}),
    ("5602.05", "办公费", "Office expenses", P, D, {"dim_department": True}),
    ("5602.06", "折旧费", "Depreciation, administration", P, D, {"dim_department": True, "role": "admin_depreciation"}),
    ("5602.99", "其他", "Other administrative expenses", P, D, {"dim_department": True}),
    ("5603", "财务费用", "Finance costs", P, D, {}),
    ("5603.01", "利息费用", "Interest expense (income negative)", P, D, {"role": "finance_interest"}),
    ("5603.02", "手续费", "Bank charges", P, D, {"role": "finance_fees"}),
    ("5603.99", "其他", "Other finance costs", P, D, {}),
    ("5711", "营业外支出", "Non-operating expenses", P, D, {}),
    ("5711.01", "坏账损失", "Bad debt losses", P, D, {"role": "bad_debt_loss"}),
    ("5711.02", "无法收回的长期债券投资损失", "Losses on unrecoverable long-term bond investments", P, D,
     {"role": "bond_investment_loss"}),
    ("5711.03", "无法收回的长期股权投资损失", "Losses on unrecoverable long-term equity investments", P, D,
     {"role": "equity_investment_loss"}),
    ("5711.04", "自然灾害等不可抗力因素造成的损失", "Losses from natural disasters and other force majeure", P, D,
     {"role": "force_majeure_loss"}),
    ("5711.05", "税收滞纳金", "Tax late-payment surcharges", P, D, {"role": "tax_late_fee"}),
    ("5711.06", "非流动资产处置净损失", "Net losses on disposal of non-current assets", P, D, {"role": "disposal_loss"}),
    ("5711.99", "其他", "Other non-operating expenses", P, D, {}),
    ("5801", "所得税费用", "Income tax expense", P, D, {}),
]

# line_no, name, English name, activity, inflow
CASH_FLOW_ITEMS: list[tuple[int, str, str, str, bool]] = [
    (1, "销售产成品、商品、提供劳务收到的现金", "Cash received from sales of goods and services", "operating", True),
    (2, "收到其他与经营活动有关的现金", "Other cash received from operating activities", "operating", True),
    (3, "购买原材料、商品、接受劳务支付的现金", "Cash paid for materials, goods and services", "operating", False),
    (4, "支付的职工薪酬", "Cash paid to employees", "operating", False),
    (5, "支付的税费", "Taxes paid", "operating", False),
    (6, "支付其他与经营活动有关的现金", "Other cash paid for operating activities", "operating", False),
    (8, "收回短期投资、长期债券投资和长期股权投资收到的现金", "Cash from disposal of investments", "investing", True),
    (9, "取得投资收益收到的现金", "Cash received from investment income", "investing", True),
    (10, "处置固定资产、无形资产和其他非流动资产收回的现金净额",
     "Net cash from disposal of fixed, intangible and other long-term assets", "investing", True),
    (11, "短期投资、长期债券投资和长期股权投资支付的现金", "Cash paid for investments", "investing", False),
    (12, "购建固定资产、无形资产和其他非流动资产支付的现金",
     "Cash paid for fixed, intangible and other long-term assets", "investing", False),
    (14, "取得借款收到的现金", "Cash received from borrowings", "financing", True),
    (15, "吸收投资者投资收到的现金", "Cash received from investors", "financing", True),
    (16, "偿还借款本金支付的现金", "Cash repayments of borrowings", "financing", False),
    (17, "偿还借款利息支付的现金", "Cash paid for interest on borrowings", "financing", False),
    (18, "分配利润支付的现金", "Cash paid for profit distribution", "financing", False),
]


def cash_flow_code(line_no: int) -> str:
    return f"CF{line_no:02d}"


# rule code, name, [(account code, side, amount key, summary template, dimension map, cash-flow line)]
POSTING_RULES: list[tuple[str, str, list[tuple[str, str, str, str, dict, int | None]]]] = [
    ("stock.receipt", "采购入库(暂估)", [
        ("1405", D, "value", "采购入库 {document} {goods}", {}, None),
        ("2202.02", CR, "value", "采购入库暂估 {document} {goods}", {}, None),
    ]),
    ("stock.issue", "销售出库结转成本", [
        ("5401", D, "value", "结转销售成本 {document} {goods}", {}, None),
        ("1405", CR, "value", "销售出库 {document} {goods}", {}, None),
    ]),
    ("stock.adjustment.gain", "盘盈", [
        ("1405", D, "value", "盘盈 {document} {goods}", {}, None),
        ("1901", CR, "value", "盘盈待处理 {document} {goods}", {}, None),
    ]),
    ("stock.adjustment.loss", "盘亏", [
        ("1901", D, "value", "盘亏待处理 {document} {goods}", {}, None),
        ("1405", CR, "value", "盘亏 {document} {goods}", {}, None),
    ]),
    ("stock.scrap", "报废", [
        ("1901", D, "value", "报废待处理 {document} {goods}", {}, None),
        ("1405", CR, "value", "报废 {document} {goods}", {}, None),
    ]),
    ("stock.transfer", "调拨", [
        ("1405", D, "value", "调入 {document} {goods}", {"warehouse": "to_warehouse"}, None),
        ("1405", CR, "value", "调出 {document} {goods}", {"warehouse": "from_warehouse"}, None),
    ]),
    ("production.consume", "生产领料", [
        ("4001", D, "value", "生产领料 {document} {goods}", {}, None),
        ("1405", CR, "value", "生产领料 {document} {goods}", {}, None),
    ]),
    ("production.output", "完工入库", [
        ("1405", D, "value", "完工入库 {document} {goods}", {}, None),
        ("4001", CR, "value", "完工入库 {document} {goods}", {}, None),
    ]),
    ("sales.revenue", "销售收入(开票)", [
        ("1122", D, "total", "销售 {document}", {}, None),
        ("5001", CR, "net", "销售收入 {document}", {}, None),
        ("2221.01.06", CR, "tax", "销项税额 {document}", {}, None),
    ]),
    ("purchase.invoice", "供应商发票(冲暂估)", [
        ("2202.02", D, "net", "冲暂估 {document}", {}, None),
        ("2221.01.01", D, "tax", "进项税额 {document}", {}, None),
        ("2202.01", CR, "total", "应付货款 {document}", {}, None),
    ]),
    ("receipt.bank", "银行收款", [
        ("1002", D, "amount", "收款 {document}", {}, 1),
        ("1122", CR, "amount", "收款 {document}", {}, None),
    ]),
    ("receipt.platform", "平台收款(其他货币资金)", [
        ("1012", D, "amount", "平台结算 {document}", {}, 1),
        ("5601.03", D, "fee", "平台佣金 {document}", {}, None),
        ("1122", CR, "total", "平台结算 {document}", {}, None),
    ]),
    ("payment.bank", "银行付款", [
        ("2202.01", D, "amount", "付款 {document}", {}, None),
        ("1002", CR, "amount", "付款 {document}", {}, 3),
    ]),
]


def seed_chart(get_model=None) -> None:
    """Create what is missing of the seed (idempotent): used by the migration and after a flush."""
    if get_model is None:
        from django.apps import apps

        get_model = apps.get_model
    Account = get_model("ledger", "Account")
    CashFlowItem = get_model("ledger", "CashFlowItem")
    PostingRule = get_model("ledger", "PostingRule")
    PostingRuleLine = get_model("ledger", "PostingRuleLine")
    by_code = {}
    for code, name, name_en, category, direction, options in CHART:
        parent_code = code.rsplit(".", 1)[0] if "." in code else None
        parent = by_code.get(parent_code)
        account, _ = Account.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "name_en": name_en, "category": category, "direction": direction,
                "parent": parent, "level": code.count(".") + 1, **options,
            },
        )
        by_code[code] = account
        if parent is not None and parent.is_leaf:
            parent.is_leaf = False
            parent.save(update_fields=["is_leaf"])
    items = {}
    for line_no, name, name_en, activity, inflow in CASH_FLOW_ITEMS:
        items[line_no], _ = CashFlowItem.objects.get_or_create(
            code=cash_flow_code(line_no),
            defaults={"line_no": line_no, "name": name, "name_en": name_en, "activity": activity, "inflow": inflow},
        )
    for code, name, lines in POSTING_RULES:
        rule, created = PostingRule.objects.get_or_create(code=code, defaults={"name": name})
        if not created:
            continue
        for seq, (account, side, key, summary, dims, cf_line) in enumerate(lines, start=1):
            PostingRuleLine.objects.create(
                rule=rule, seq=seq, account=by_code[account], side=side, amount_key=key, summary=summary,
                dimension_map=dims, cash_flow_item=items.get(cf_line),
            )
