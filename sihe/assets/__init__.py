"""Fixed assets (固定资产): categories, cards, acquisition, monthly depreciation by department, disposal."""
