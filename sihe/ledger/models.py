"""Models of sihe.ledger."""
