"""Outbound warehouse work: waves, pick lists in route order, scan-to-pick, check and pack."""
