"""The notification centre."""

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from procure import authz
from procure.extensions import db
from procure.forms import ActionForm
from procure.models import Notification
from procure.notifications import bp, services
from procure.pagination import paginate
from procure.urls import safe_next


@bp.route("/")
@authz.signed_in
def index():
    page = paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return render_template("notifications/index.html", page=page, action_form=ActionForm())


@bp.route("/<int:notification_id>/open", methods=["POST"])
@authz.signed_in
def open_one(notification_id: int):
    row = db.session.get(Notification, notification_id)
    services.mark_read(current_user, notification_id)
    db.session.commit()
    if row is None or row.user_id != current_user.id:
        return redirect(url_for("notifications.index"))
    return redirect(safe_next(row.link) or url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@authz.signed_in
def read_all():
    services.mark_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))
