"""Models of sihe.web."""
