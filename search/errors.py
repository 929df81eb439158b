"""Errors raised by the search backends."""


class SearchError(Exception):
    """Base class for every error this package raises."""


class SearchUnavailable(SearchError):
    """The backend cannot be reached or its index cannot be opened or written.

    The web application catches this and shows "results may be incomplete".
    """


class InvalidQueryError(SearchError, ValueError):
    """The query names an unknown filter, sort or facet, or has an impossible value."""
