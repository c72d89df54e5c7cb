"""Counting pages (count tasks, handheld blind count) and lot traceability."""
