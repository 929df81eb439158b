"""Views for the signed-in user's own account."""

from flask import Response, flash, json, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from procure import authz
from procure.account import bp, privacy, services
from procure.account.forms import CloseAccountForm, PasswordForm, ProfileForm, TokenForm
from procure.errors import ServiceError
from procure.extensions import db
from procure.forms import ActionForm, apply_service_error, attempt
from procure.models import ApiToken
from procure.models.base import utcnow


@bp.route("/", methods=["GET", "POST"])
@authz.signed_in
def profile():
    user = current_user._get_current_object()
    # The record fills the form only when it is shown: on a post, a field left out must stay
    # missing (a post without the version would otherwise pass as current).
    form = ProfileForm(obj=None if request.method == "POST" else user)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_profile(
                user,
                name=form.name.data,
                phone=form.phone.data,
                locale=form.locale.data or None,
                version=form.loaded_version(),
            )
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("account.profile"))
    elif form.is_submitted():
        status = 400
    if not form.is_submitted():
        form.version.data = user.version
        form.locale.data = user.locale or ""
    return render_template("account/profile.html", form=form, user=user), status


@bp.route("/password", methods=["GET", "POST"])
@authz.signed_in
def change_password():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.new_password.data,
            )
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.profile"))
    elif form.is_submitted():
        status = 400
    return render_template("account/password.html", form=form), status


@bp.route("/tokens", methods=["GET", "POST"])
@authz.signed_in
def tokens():
    form = TokenForm()
    status = 200
    created = None
    if form.validate_on_submit():
        try:
            _token, created = services.create_api_token(
                current_user._get_current_object(), form.name.data
            )
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            status = error.status
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return (
        render_template(
            "account/tokens.html", form=form, tokens=rows, created=created, revoke_form=ActionForm()
        ),
        status,
    )


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@authz.signed_in
def revoke_token(token_id: int):
    services.revoke_api_token(current_user._get_current_object(), token_id)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("account.tokens"))


@bp.route("/data")
@authz.signed_in
def my_data():
    """A copy of everything stored about the signed-in person, as a JSON file."""
    data = privacy.export_data(current_user._get_current_object())
    name = f"procure-my-data-{utcnow():%Y%m%d}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/close", methods=["GET", "POST"])
@authz.signed_in
def close():
    user = current_user._get_current_object()
    form = CloseAccountForm()
    status = 200
    if form.validate_on_submit():
        _done, status = attempt(
            form, lambda: privacy.close_account(user, form.password.data, form.confirmation.data)
        )
        if not status:
            logout_user()
            flash(_("Your account has been closed. Thank you for using procure."), "success")
            return redirect(url_for("main.home"))
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "account/close.html",
            form=form,
            user=user,
            blockers=privacy.closing_blockers(user),
        ),
        status,
    )
