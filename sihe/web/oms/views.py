"""Orders pages: list, detail with timeline, customer-service queue, SKU mappings, intake errors, channel sync, AR aging."""
