"""Models of sihe.costing."""
