"""Cash and bank (出纳): accounts, 现金/银行日记账, receipts and payments, statement import, reconciliation."""
