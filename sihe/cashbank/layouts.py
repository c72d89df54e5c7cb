"""The statement layouts of the big banks, as data: which column holds what. A layout is found by its
header row (the first row, within the first 30, naming the date column and a money column), so banner
rows above it (户名, 账号, 起止日期 …) and total rows below it (合计, blank dates) are skipped.

Each field lists the header texts seen in that bank's exports, first match wins. `in` is money coming
into the account (贷方/收入), `out` money leaving it (借方/支出): a bank's statement is written from
the bank's side, where the customer's deposit is a liability. See docs/design/cashbank.md.
"""

LAYOUTS: dict[str, dict] = {
    "icbc": {
        "bank": "中国工商银行",
        "export": "企业网银 → 账户管理 → 明细查询 → 下载 (CSV or Excel)",
        "columns": {
            "date": ["交易时间", "交易日期"],
            "out": ["借方发生额"],
            "in": ["贷方发生额"],
            "balance": ["余额"],
            "reference": ["凭证号", "交易流水号"],
            "summary": ["摘要", "用途"],
            "counterparty": ["对方单位名称", "对方单位", "对方户名"],
            "counterparty_account": ["对方账号"],
        },
    },
    "ccb": {
        "bank": "中国建设银行",
        "export": "企业网银 → 账户查询 → 活期账户明细 → 下载 (Excel or CSV)",
        "columns": {
            "date": ["交易时间", "记账日期"],
            "out": ["借方发生额（支取）", "借方发生额(支取)", "借方发生额"],
            "in": ["贷方发生额（收入）", "贷方发生额(收入)", "贷方发生额"],
            "balance": ["余额", "账户余额"],
            "reference": ["账户明细编号-交易流水号", "交易流水号"],
            "summary": ["摘要", "备注"],
            "counterparty": ["对方户名"],
            "counterparty_account": ["对方账号"],
        },
    },
    "cmb": {
        "bank": "招商银行",
        "export": "企业网银 U-BANK → 账务查询 → 交易查询 → 导出 (Excel or CSV)",
        "columns": {
            "date": ["交易日", "交易日期"],
            "out": ["借方金额"],
            "in": ["贷方金额"],
            "balance": ["余额"],
            "reference": ["流水号"],
            "summary": ["摘要", "用途"],
            "counterparty": ["收(付)方名称", "收（付）方名称"],
            "counterparty_account": ["收(付)方帐号", "收(付)方账号", "收（付）方帐号"],
        },
    },
    "abc": {
        "bank": "中国农业银行",
        "export": "企业网银 → 账户管理 → 账户明细查询 → 下载 (Excel or CSV)",
        "columns": {
            "date": ["交易日期", "交易时间"],
            "in": ["收入金额"],
            "out": ["支出金额"],
            "balance": ["账户余额", "本次余额"],
            "reference": ["交易流水号", "流水号"],
            "summary": ["摘要", "交易用途"],
            "counterparty": ["对方户名"],
            "counterparty_account": ["对方账号"],
        },
    },
}

REQUIRED = ("date", "in", "out")


def choices() -> list[tuple[str, str]]:
    return [(key, layout["bank"]) for key, layout in LAYOUTS.items()]
