"""Views for the home page, the dashboard, the language switch and health."""

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from procure import authz
from procure.account import services as accounts
from procure.extensions import db
from procure.forms import ActionForm
from procure.main import bp
from procure.models import Organisation, OrganisationKind, User
from procure.security import LOCALES
from procure.urls import safe_next


@bp.route("/")
@authz.public
def home():
    figures = {
        "agencies": _count_verified(OrganisationKind.AGENCY),
        "suppliers": _count_verified(OrganisationKind.SUPPLIER),
        "users": db.session.scalar(select(func.count(User.id)).where(User.deleted_at.is_(None))),
    }
    return render_template("main/home.html", figures=figures)


def _count_verified(kind: str) -> int:
    return db.session.scalar(
        select(func.count(Organisation.id)).where(
            Organisation.kind == kind, Organisation.verified_at.is_not(None)
        )
    )


@bp.route("/dashboard")
@authz.signed_in
def dashboard():
    return render_template("main/dashboard.html", user=current_user)


@bp.route("/locale", methods=["POST"])
@authz.public
def set_locale():
    ActionForm()
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated:
            # An explicit choice in the header is the user's setting from now on.
            accounts.set_locale(current_user._get_current_object(), locale)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.route("/healthz")
@authz.public
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
