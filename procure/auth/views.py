"""Views for signing in and out, registering and resetting a password."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from procure import authz
from procure.account import services
from procure.auth import bp
from procure.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from procure.errors import Invalid, ServiceError, Throttled
from procure.extensions import db
from procure.forms import ActionForm, apply_service_error, choices
from procure.regions import region_choices
from procure.urls import safe_next


@bp.route("/login", methods=["GET", "POST"])
@authz.public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    headers = {}
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except Throttled as error:
            db.session.commit()
            apply_service_error(form, error)
            status = 429
            headers["Retry-After"] = str(error.retry_after)
        except Invalid as error:
            db.session.commit()  # keep the failed attempt: it counts toward throttling
            apply_service_error(form, error)
            status = 401
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
@authz.signed_in
def logout():
    ActionForm()  # CSRF is checked for every POST by CSRFProtect
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@authz.public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    form.region.choices = choices([("", _("Choose…")), *region_choices()])
    status = 200
    headers = {}
    if form.validate_on_submit():
        data = services.Registration(
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            account_type=form.account_type.data,
            organisation_name=form.organisation_name.data or "",
            organisation_name_en=form.organisation_name_en.data or "",
            business_number=form.business_number.data or "",
            is_sme=form.is_sme.data,
            region=form.region.data or "",
        )
        try:
            user = services.register(data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            status = error.status
            if isinstance(error, Throttled):
                headers["Retry-After"] = str(error.retry_after)
        else:
            db.session.commit()
            login_user(user)
            if user.organisation and not user.can_act_for_organisation:
                flash(
                    _(
                        "Your account is ready. An operator will verify your organisation "
                        "before you can post."
                    ),
                    "info",
                )
            else:
                flash(_("Your account is ready."), "success")
            return redirect(url_for("main.dashboard"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/register.html", form=form), status, headers


@bp.route("/password/forgot", methods=["GET", "POST"])
@authz.public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("If an account uses this address, we have sent it a link to reset the password."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@authz.public
def reset_password(token: str):
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("Your password has been changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/reset.html", form=form), status
