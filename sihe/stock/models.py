"""Models of sihe.stock."""
