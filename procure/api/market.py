"""API v1 for the market: demands, products, proposals and ideas (same services as the pages)."""
