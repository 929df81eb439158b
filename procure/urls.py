"""URL helpers."""

from urllib.parse import urlsplit

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

# The largest value of a 32-bit signed integer column: every primary key fits in it.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` that only matches numbers a primary key can hold.

    Werkzeug's converter accepts any number of digits; ``/demands/99999999999999999999`` then
    reached the database, which refused the number (SQLite: OverflowError; PostgreSQL: integer
    out of range) and the page was a 500 instead of a 404. A number too large for any key is a
    404 at once: raised here rather than refused with ``ValidationError``, because Werkzeug then
    reports the other methods of the route as a misleading 405.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in: no open redirects."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
