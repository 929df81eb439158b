"""The WSGI entry point for gunicorn: ``procure.wsgi:app``."""

import sys

from procure import create_app
from procure.config import ConfigError

try:
    app = create_app()
except ConfigError as error:  # stop start-up with the reason, not a traceback
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(2)
