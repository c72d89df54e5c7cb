"""Inbound warehouse work: expected receipts (ASN), receiving by GS1 scan, quality hold, putaway, labels."""
