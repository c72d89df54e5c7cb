"""数电发票 pages: list, detail, XML/PDF downloads, red invoices."""
