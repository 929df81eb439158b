"""Views for operators managing organisations and users."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from procure import authz
from procure.account import services
from procure.admin import bp
from procure.extensions import db
from procure.forms import ActionForm
from procure.models import Organisation, Role, User
from procure.pagination import paginate


def _get_or_404(model, ident):
    from procure.errors import NotFound

    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound(_("This record does not exist."))
    return obj


@bp.route("/organisations")
@authz.roles(Role.OPERATOR)
def organisations():
    status = request.args.get("status", "pending")
    kind = request.args.get("kind", "")
    query = select(Organisation).where(Organisation.deleted_at.is_(None))
    if status == "pending":
        query = query.where(Organisation.verified_at.is_(None))
    elif status == "verified":
        query = query.where(Organisation.verified_at.is_not(None))
    if kind in ("agency", "supplier", "operator"):
        query = query.where(Organisation.kind == kind)
    page = paginate(query.order_by(Organisation.created_at.desc(), Organisation.id.desc()))
    counts = dict(
        db.session.execute(
            select(Organisation.kind, func.count(Organisation.id))
            .where(Organisation.verified_at.is_(None))
            .group_by(Organisation.kind)
        ).all()
    )
    return render_template(
        "admin/organisations.html",
        page=page,
        status=status,
        kind=kind,
        pending=counts,
        action_form=ActionForm(),
    )


@bp.route("/organisations/<int:org_id>/verify", methods=["POST"])
@authz.roles(Role.OPERATOR)
def verify_organisation(org_id: int):
    org = _get_or_404(Organisation, org_id)
    services.verify_organisation(current_user._get_current_object(), org)
    db.session.commit()
    flash(_("%(name)s is now verified.", name=org.name), "success")
    return redirect(url_for("admin.organisations"))


@bp.route("/users")
@authz.roles(Role.OPERATOR)
def users():
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role", "")
    pending = request.args.get("pending") == "1"
    query = select(User).options(selectinload(User.organisation)).where(User.deleted_at.is_(None))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(User.email).like(like), func.lower(User.name).like(like))
        )
    if role in set(Role):
        from procure.models import UserRole

        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if pending:
        query = query.where(User.organisation_id.is_not(None), User.approved_at.is_(None))
    page = paginate(query.order_by(User.id.desc()))
    return render_template(
        "admin/users.html",
        page=page,
        q=q,
        role=role,
        pending=pending,
        action_form=ActionForm(),
        roles=list(Role),
    )


@bp.route("/users/<int:user_id>/approve", methods=["POST"])
@authz.roles(Role.OPERATOR)
def approve_user(user_id: int):
    user = _get_or_404(User, user_id)
    services.approve_member(current_user._get_current_object(), user)
    db.session.commit()
    if user.can_act_for_organisation:
        flash(_("%(name)s can now act for their organisation.", name=user.name), "success")
    else:
        # The membership is approved; the organisation itself still waits for verification.
        flash(
            _(
                "%(name)s's membership is approved. They can act once the organisation is "
                "verified.",
                name=user.name,
            ),
            "info",
        )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@authz.roles(Role.OPERATOR)
def deactivate_user(user_id: int):
    user = _get_or_404(User, user_id)
    services.deactivate_user(current_user._get_current_object(), user)
    db.session.commit()
    flash(_("%(name)s can no longer sign in. Their records are kept.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/evaluator", methods=["POST"])
@authz.roles(Role.OPERATOR)
def toggle_evaluator(user_id: int):
    user = _get_or_404(User, user_id)
    grant = request.form.get("grant") == "1"
    changed = services.set_role(current_user._get_current_object(), user, Role.EVALUATOR, grant)
    db.session.commit()
    if not changed:
        flash(
            _("%(name)s is already an evaluator.", name=user.name)
            if grant
            else _("%(name)s is not an evaluator.", name=user.name),
            "info",
        )
    elif grant:
        flash(_("%(name)s is now an evaluator.", name=user.name), "success")
    else:
        flash(_("%(name)s is no longer an evaluator.", name=user.name), "success")
    return redirect(url_for("admin.users"))
