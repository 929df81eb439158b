"""Innovation demands (혁신수요): posting, publishing, versions, questions and answers."""

from flask import Blueprint

bp = Blueprint("demands", __name__, url_prefix="/demands")

from procure.demands import views  # noqa: E402,F401
