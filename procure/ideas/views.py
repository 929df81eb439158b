"""Views for citizen ideas: browse, submit, moderate, adopt."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure.attachments.services import attachments_of
from procure.extensions import db
from procure.forms import ActionForm, attempt, choices, posted_version
from procure.ideas import bp, services
from procure.ideas.forms import IdeaForm
from procure.labels import IDEA_STATUS
from procure.listing import arg_choice
from procure.models import CitizenIdea, Demand, IdeaStatus, Role
from procure.pagination import paginate
from procure.regions import region_choices


@bp.route("/")
@authz.public
def index():
    status = arg_choice("status", IDEA_STATUS)
    query = select(CitizenIdea).where(policy.idea_filter(current_user))
    if status:
        query = query.where(CitizenIdea.status == status)
    page = paginate(query.order_by(CitizenIdea.created_at.desc(), CitizenIdea.id.desc()))
    return render_template(
        "ideas/index.html", page=page, status=status, args={"status": status} if status else {}
    )


def _prepare(form: IdeaForm) -> None:
    form.region.choices = choices([("", _("Not specified")), *region_choices()])


@bp.route("/new", methods=["GET", "POST"])
@authz.signed_in
def new():
    form = IdeaForm()
    _prepare(form)
    if form.validate_on_submit():
        idea, status = attempt(
            form,
            lambda: services.submit_idea(
                current_user._get_current_object(),
                title=form.title.data,
                problem=form.problem.data,
                suggestion=form.suggestion.data or "",
                region=form.region.data or None,
            ),
        )
        if status:
            return render_template("ideas/form.html", form=form, idea=None), status
        flash(_("Thank you. Your idea will be public once an operator has reviewed it."), "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template(
        "ideas/form.html", form=form, idea=None
    ), 400 if form.is_submitted() else 200


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
@authz.signed_in
def edit(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    if not policy.can_edit_idea(current_user, idea):
        abort(403)
    form = IdeaForm(obj=idea if request.method == "GET" else None)
    _prepare(form)
    if form.validate_on_submit():
        _done, status = attempt(
            form,
            lambda: services.update_idea(
                current_user._get_current_object(),
                idea,
                form.loaded_version(),
                title=form.title.data,
                problem=form.problem.data,
                suggestion=form.suggestion.data or "",
                region=form.region.data or None,
            ),
        )
        if status:
            return render_template("ideas/form.html", form=form, idea=idea), status
        flash(_("Your idea is saved."), "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    if not form.is_submitted():
        form.version.data = idea.version
        form.region.data = idea.region or ""
    return render_template(
        "ideas/form.html", form=form, idea=idea
    ), 400 if form.is_submitted() else 200


@bp.route("/<int:idea_id>")
@authz.public
def detail(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    user = current_user
    demand = db.session.scalar(
        select(Demand)
        .where(Demand.idea_id == idea.id, Demand.deleted_at.is_(None))
        .order_by(Demand.id.desc())
        .limit(1)
        .options(selectinload(Demand.agency))
    )
    if demand is not None and not policy.can_read_demand(user, demand):
        demand = None
    return render_template(
        "ideas/detail.html",
        idea=idea,
        demand=demand,
        attachments=attachments_of("idea", idea.id),
        can_edit=policy.can_edit_idea(user, idea),
        can_moderate=policy.is_operator(user) and idea.status == IdeaStatus.SUBMITTED,
        can_adopt=idea.status == IdeaStatus.APPROVED
        and user.is_authenticated
        and user.has_role(Role.OFFICER)
        and user.can_act_for_organisation,
        action_form=ActionForm(),
    )


@bp.route("/<int:idea_id>/moderate", methods=["POST"])
@authz.roles(Role.OPERATOR)
def moderate(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    ActionForm()
    decision = request.form.get("decision", "")
    services.moderate(
        current_user._get_current_object(),
        idea,
        decision,
        request.form.get("note", ""),
        version=posted_version(),
    )
    db.session.commit()
    flash(_("The idea is reviewed; its author has been told."), "success")
    return redirect(url_for("ideas.detail", idea_id=idea.id))


@bp.route("/<int:idea_id>/adopt", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def adopt(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    demand = services.adopt(current_user._get_current_object(), idea)
    db.session.commit()
    flash(
        _("A draft demand was created from the idea. Complete its requirements and publish it."),
        "success",
    )
    return redirect(url_for("demands.edit", demand_id=demand.id))
