"""Sihe (四合): one courtyard (stock ledger, general ledger, event log) and four wings."""
