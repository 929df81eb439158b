"""Today's date in the service's own time zone (Asia/Seoul by default).

Closing dates, validity periods and report deadlines are Korean calendar dates; the server's
clock runs in UTC, whose date differs from Korea's for nine hours every day.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Seoul"


def local_zone() -> ZoneInfo:
    name = (
        current_app.config["SETTINGS"].display_timezone if has_app_context() else DEFAULT_TIMEZONE
    )
    return ZoneInfo(name)


def local_today() -> date:
    return datetime.now(local_zone()).date()
