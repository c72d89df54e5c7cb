"""Insights: the manager's figures (KPIs) read from the books and records of every wing, never from a copy,
with a definition and a drill-down to the documents behind each figure; the role home pages read them."""
