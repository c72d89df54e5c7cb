"""Outbound pages: wave board, pick list with route map, handheld pick and check."""
