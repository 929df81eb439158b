"""API v1 for the market: demands, products, proposals and ideas (same services as the pages).

The endpoints live in one module per kind of record; importing them registers their routes.
"""

from procure.api import (  # noqa: F401
    market_demands,
    market_ideas,
    market_products,
    market_proposals,
    market_questions,
)
