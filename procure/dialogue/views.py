"""Views for competitive dialogue: thin; the rules are in ``services``."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz, policy
from procure.attachments.services import attachments_of
from procure.demands.services import get_demand
from procure.dialogue import bp, committee, services
from procure.dialogue.forms import (
    AwardForm,
    CommitteeForm,
    DeadlinesForm,
    DialogueForm,
    MessageForm,
    MoveForm,
    PartnersForm,
    ProposalForm,
    SpecForm,
)
from procure.errors import Forbidden, NotFound, ServiceError
from procure.evaluation.forms import ConflictForm
from procure.extensions import db
from procure.forms import ActionForm, apply_service_error, choices
from procure.models import DialogueStatus, ProposalKind, Role
from procure.validators import posted_id


@bp.app_context_processor
def dialogue_helpers():
    """For the demand page and dashboards too: the dialogue of a demand, the user's dialogues."""
    return {
        "dialogue_for_demand": services.dialogue_for_demand,
        "my_dialogues": lambda: services.visible_dialogues(current_user),
        "dialogue_status": services.status_label,
    }


@bp.context_processor
def dialogue_labels():
    return {
        "participant_status": services.participant_label,
        "action_label": services.action_label,
        "being_scored": committee.being_scored,
    }


def _actor():
    return current_user._get_current_object()


def _version(form) -> int:
    return form.loaded_version()


def _input(form: DialogueForm) -> services.DialogueInput:
    return services.DialogueInput(
        title=form.title.data,
        notice=form.notice.data,
        technical_weight=form.technical_weight.data,
        price_weight=form.price_weight.data,
        min_partners=form.min_partners.data,
        basic_due_on=form.basic_due_on.data,
        dialogue_1_due_on=form.dialogue_1_due_on.data,
        dialogue_2_due_on=form.dialogue_2_due_on.data,
        final_due_on=form.final_due_on.data,
    )


# -- public ------------------------------------------------------------------------------


@bp.route("/")
@authz.public
def index():
    return render_template("dialogue/index.html", dialogues=services.public_dialogues())


@bp.route("/<int:dialogue_id>")
@authz.public
def detail(dialogue_id: int):
    """The public notice; after the award, the winner and the public parts."""
    dialogue = services.get_dialogue(current_user, dialogue_id)
    return render_template(
        "dialogue/detail.html",
        dialogue=dialogue,
        timeline=services.timeline(dialogue),
        is_officer=services.is_agency_officer(current_user, dialogue),
        participant=services.participant_of(current_user, dialogue),
        final_spec=services.final_spec(dialogue)
        if dialogue.status == DialogueStatus.AWARDED
        else None,
        member_rows=_member_rows(dialogue),
    )


def _member_rows(dialogue) -> list[dict] | None:
    """For a committee member: each participant, where the member stands on it, and the
    proposals they may read now (None for everyone else)."""
    if not committee.on_committee(current_user, dialogue):
        return None
    rows = []
    for participant in dialogue.participants:
        proposals = [p for p in participant.proposals if committee.may_read(current_user, p)]
        rows.append(
            {
                "participant": participant,
                "standing": committee.standing(current_user, participant),
                "proposals": proposals,
                "scored": {
                    p.id for p in proposals for s in p.sheets if s.evaluator_id == current_user.id
                },
            }
        )
    return rows


@bp.route("/<int:dialogue_id>/award")
@authz.public
def award_page(dialogue_id: int):
    dialogue = services.get_dialogue(current_user, dialogue_id)
    if dialogue.status != DialogueStatus.AWARDED:
        raise NotFound(_("This dialogue has not been awarded."))
    return render_template(
        "dialogue/award.html", dialogue=dialogue, final_spec=services.final_spec(dialogue)
    )


# -- the officer -------------------------------------------------------------------------


@bp.route("/new/<int:demand_id>", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, acting=True)
def new(demand_id: int):
    demand = get_demand(current_user, demand_id)
    if not policy.can_edit_demand(current_user, demand):
        raise NotFound(_("This demand does not exist."))
    form = DialogueForm()
    if request.method == "GET":
        form.title.data = demand.title
        form.notice.data = demand.problem
        form.technical_weight.data, form.price_weight.data = 80, 20
        form.min_partners.data = services.MIN_PARTNERS
        form.basic_due_on.data = demand.closes_on
    if form.validate_on_submit():
        try:
            dialogue = services.create_dialogue(_actor(), demand, _input(form))
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("dialogue/form.html", form=form, demand=demand), error.status
        db.session.commit()
        flash(_("The dialogue is saved as a draft notice. Publish it when it is ready."), "success")
        return redirect(url_for("dialogue.manage", dialogue_id=dialogue.id))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/form.html", form=form, demand=demand), status


@bp.route("/<int:dialogue_id>/edit", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, acting=True)
def edit(dialogue_id: int):
    dialogue = services.get_dialogue(current_user, dialogue_id)
    services.require_officer(current_user, dialogue)
    form = DialogueForm(obj=dialogue if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = dialogue.version
    if form.validate_on_submit():
        try:
            services.update_dialogue(_actor(), dialogue, _input(form), _version(form))
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template(
                "dialogue/form.html", form=form, demand=dialogue.demand, dialogue=dialogue
            ), error.status
        db.session.commit()
        flash(_("The notice is saved."), "success")
        return redirect(url_for("dialogue.manage", dialogue_id=dialogue.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "dialogue/form.html", form=form, demand=dialogue.demand, dialogue=dialogue
    ), status


def _manage_page(
    dialogue,
    status=200,
    partners_form=None,
    award_form=None,
    move_form=None,
    deadlines_form=None,
    committee_form=None,
):
    basics = services.proposals_of(dialogue, ProposalKind.BASIC)
    finals = services.proposals_of(dialogue, ProposalKind.FINAL)
    results = {p.id: (p.result or _live_result(p)) for p in basics + finals}
    partners_form = partners_form or PartnersForm(formdata=None)
    partners_form.version.data = dialogue.version
    partners_form.participant_ids.choices = choices(
        [(str(p.participant_id), p.participant.supplier.name) for p in basics]
    )
    award_form = award_form or AwardForm(formdata=None)
    award_form.version.data = dialogue.version
    evaluating = dialogue.status == DialogueStatus.FINAL_EVALUATION
    ranking = services.ranking(dialogue) if evaluating else []
    award_form.winner.choices = choices(
        [("", _("The highest combined score"))]
        + [(str(r["participant_id"]), r["supplier"]) for r in ranking if r["eligible"]]
    )
    committee_form = committee_form or CommitteeForm(formdata=None)
    committee_form.user_id.choices = choices(
        [("", _("Choose an evaluator"))]
        + [
            (str(u.id), f"{u.name} ({u.organisation.name})" if u.organisation else u.name)
            for u in committee.candidates(dialogue)
        ]
    )
    return render_template(
        "dialogue/manage.html",
        dialogue=dialogue,
        schemes=[
            services.scheme_for(dialogue.basic_scheme),
            services.scheme_for(dialogue.final_scheme),
        ],
        committee_form=committee_form,
        may_add_member=committee.may_change(dialogue, adding=True),
        may_remove_member=committee.may_change(dialogue, adding=False),
        committee_rows=committee.summary(dialogue),
        counted={p.id: len(committee.counted_sheets(p)) for p in basics + finals},
        officers_score=not committee.has_committee(dialogue),
        timeline=services.timeline(dialogue),
        actions=[a for a in services.TRANSITIONS[dialogue.status] if a != "cancel"],
        waiting={
            a: services.submissions_open_until(dialogue, a)
            for a in services.TRANSITIONS[dialogue.status]
        },
        # Operators oversee (they see this page) but only the agency's officers run the
        # procedure: its forms are shown to those who may post them.
        runs_procedure=services.is_agency_officer(current_user, dialogue)
        and current_user.can_act_for_organisation,
        basics=basics,
        finals=finals,
        results=results,
        ranking=ranking or dialogue.award_scores or [],
        partners_form=partners_form,
        award_form=award_form,
        move_form=move_form or MoveForm(formdata=None),
        deadlines_form=deadlines_form or _deadlines_form(dialogue),
        extendable=services.extendable_deadlines(dialogue),
        deadline_fields=services.DEADLINE_FIELDS,
        action_form=ActionForm(),
        spec=services.latest_spec(dialogue),
        user_id=current_user.id,
    ), status


def _deadlines_form(dialogue) -> DeadlinesForm:
    form = DeadlinesForm(formdata=None)
    form.version.data = dialogue.version
    for field in services.DEADLINE_FIELDS:
        getattr(form, field).data = getattr(dialogue, field)
    return form


def _live_result(proposal):
    result = services.result_of(proposal)
    return result.to_dict() if result else None


@bp.route("/<int:dialogue_id>/manage")
@authz.roles(Role.OFFICER, Role.OPERATOR)
def manage(dialogue_id: int):
    """The officer's dashboard: stages, deadlines, participants, scores, actions."""
    dialogue = services.get_dialogue(current_user, dialogue_id)
    if not committee.manages(current_user, dialogue):
        raise NotFound(_("This dialogue does not exist."))
    return _manage_page(dialogue)


def _manage_post(dialogue_id: int, form_name: str, form, call, message, endpoint="dialogue.manage"):
    """The shape of every action posted from the manage page: check the form, call the
    service, commit and go on; a refused action shows the page again with its messages.

    ``call(dialogue)`` does the work; ``message(dialogue)`` is the flash after it.
    """
    dialogue = services.get_dialogue(current_user, dialogue_id)
    if not committee.manages(current_user, dialogue):
        # Refused before the page is drawn: it shows every proposal's scores.
        raise Forbidden(_("Only the officers of the agency running this dialogue can do this."))
    if not form.validate_on_submit():
        return _manage_page(dialogue, 400, **{form_name: form})
    try:
        call(dialogue)
    except ServiceError as error:
        db.session.rollback()
        dialogue = services.get_dialogue(current_user, dialogue_id)
        apply_service_error(form, error)
        return _manage_page(dialogue, error.status, **{form_name: form})
    db.session.commit()
    flash(message(dialogue), "success")
    return redirect(url_for(endpoint, dialogue_id=dialogue.id))


@bp.route("/<int:dialogue_id>/committee", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR)
def add_member(dialogue_id: int):
    form = CommitteeForm()
    return _manage_post(
        dialogue_id,
        "committee_form",
        form,
        lambda dialogue: committee.add_member(
            _actor(), dialogue, posted_id(form.user_id.data or "")
        ),
        lambda _dialogue: _("The evaluator is on the committee and has been told."),
    )


@bp.route("/<int:dialogue_id>/committee/<int:user_id>/remove", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR)
def remove_member(dialogue_id: int, user_id: int):
    return _manage_post(
        dialogue_id,
        "committee_form",
        CommitteeForm(),  # only its CSRF token is posted; a refusal shows above the page
        lambda dialogue: committee.remove_member(_actor(), dialogue, user_id),
        lambda _dialogue: _("The evaluator is no longer on the committee."),
    )


@bp.route("/<int:dialogue_id>/move", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def move(dialogue_id: int):
    form = MoveForm()
    return _manage_post(
        dialogue_id,
        "move_form",
        form,
        lambda dialogue: services.move(
            _actor(), dialogue, form.action.data or "", _version(form), form.reason.data or ""
        ),
        lambda dialogue: _(
            "The procedure is now at the stage “%(stage)s”.",
            stage=services.status_label(dialogue.status),
        ),
    )


@bp.route("/<int:dialogue_id>/deadlines", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def extend_deadlines(dialogue_id: int):
    form = DeadlinesForm()
    return _manage_post(
        dialogue_id,
        "deadlines_form",
        form,
        lambda dialogue: services.extend_deadlines(
            _actor(),
            dialogue,
            {field: getattr(form, field).data for field in services.DEADLINE_FIELDS},
            form.reason.data or "",
            _version(form),
        ),
        lambda _dialogue: _("The deadlines are extended and every participant is told."),
    )


def _partner_ids(form: PartnersForm) -> list[int]:
    try:
        return [int(v) for v in form.participant_ids.data or []]
    except ValueError:
        return [-1]


@bp.route("/<int:dialogue_id>/partners", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def select_partners(dialogue_id: int):
    form = PartnersForm()
    return _manage_post(
        dialogue_id,
        "partners_form",
        form,
        lambda dialogue: services.select_partners(
            _actor(), dialogue, _partner_ids(form), _version(form)
        ),
        lambda _dialogue: _("The dialogue partners are selected and told."),
    )


@bp.route("/<int:dialogue_id>/decide", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def award(dialogue_id: int):
    form = AwardForm()
    return _manage_post(
        dialogue_id,
        "award_form",
        form,
        lambda dialogue: services.award(
            _actor(),
            dialogue,
            form.reason.data or "",
            _version(form),
            posted_id(form.winner.data),
            form.override_reason.data or "",
        ),
        lambda _dialogue: _("The award is recorded, published and every participant is told."),
        endpoint="dialogue.award_page",
    )


# -- proposals -----------------------------------------------------------------------------


@bp.route("/<int:dialogue_id>/mine")
@authz.roles(Role.SUPPLIER)
def mine(dialogue_id: int):
    """A supplier's own view: its status, its proposals, its thread; nobody else's."""
    dialogue = services.get_dialogue(current_user, dialogue_id)
    return render_template(
        "dialogue/mine.html",
        dialogue=dialogue,
        timeline=services.timeline(dialogue),
        participant=services.participant_of(current_user, dialogue),
        can_read_spec=services.can_read_spec(current_user, dialogue),
    )


def _proposal_form_page(dialogue_id: int, kind: str):
    dialogue = services.get_dialogue(current_user, dialogue_id)
    participant = services.participant_of(current_user, dialogue)
    existing = participant.proposal(kind) if participant else None
    form = ProposalForm(obj=existing if request.method == "GET" else None)
    if request.method == "GET" and existing is not None:
        form.version.data = existing.version
    spec = services.final_spec(dialogue) if kind == ProposalKind.FINAL else None
    context = {"dialogue": dialogue, "kind": kind, "existing": existing, "spec": spec}
    if form.validate_on_submit():
        data = services.ProposalInput(form.title.data, form.summary.data, form.price.data)
        version = _version(form) if existing is not None else None
        try:
            proposal = services.submit_proposal(_actor(), dialogue, kind, data, version)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template(
                "dialogue/proposal_form.html", form=form, **context
            ), error.status
        db.session.commit()
        flash(_("Your proposal is submitted. You can replace it until the deadline."), "success")
        return redirect(url_for("dialogue.proposal_detail", proposal_id=proposal.id))
    status = 400 if form.is_submitted() else 200
    return render_template("dialogue/proposal_form.html", form=form, **context), status


@bp.route("/<int:dialogue_id>/basic", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def submit_basic(dialogue_id: int):
    return _proposal_form_page(dialogue_id, ProposalKind.BASIC)


@bp.route("/<int:dialogue_id>/final", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def submit_final(dialogue_id: int):
    return _proposal_form_page(dialogue_id, ProposalKind.FINAL)


@bp.route("/proposals/<int:proposal_id>")
@authz.signed_in
def proposal_detail(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    dialogue = proposal.participant.dialogue
    is_officer = services.is_agency_officer(current_user, dialogue)
    return render_template(
        "dialogue/proposal.html",
        proposal=proposal,
        dialogue=dialogue,
        files=attachments_of("dialogue_proposal", proposal.id),
        can_edit_files=services.can_edit_proposal_files(current_user, proposal),
        action_form=ActionForm(),
        is_officer=is_officer,
        result=(proposal.result or _live_result(proposal)) if is_officer else None,
        member_may_score=committee.may_read(current_user, proposal),
    )


def _score_page(proposal, status=200, errors=None, values=None):
    scheme = services.proposal_scheme(proposal)
    own = next((s for s in proposal.sheets if s.evaluator_id == current_user.id), None)
    if values is None:
        values = {}
        if own is not None:
            data = own.data
            for item in scheme.items:
                level = item.level_for(data["scores"].get(item.id))
                if level is not None:
                    values[f"level-{item.id}"] = level.id
            for key, text in data.get("comments", {}).items():
                values[f"comment-{key}"] = text
            for key, text in data.get("justifications", {}).items():
                values[f"justify-{key}"] = text
    return render_template(
        "dialogue/score.html",
        proposal=proposal,
        dialogue=proposal.participant.dialogue,
        is_member=committee.on_committee(current_user, proposal.participant.dialogue),
        scheme=scheme,
        lang=services.scoring_lang(),
        values=values,
        errors=errors or {},
        action_form=ActionForm(),
    ), status


@bp.route("/proposals/<int:proposal_id>/score", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, Role.EVALUATOR)
def score_proposal(proposal_id: int):
    """The agency's officers score, or the committee's members when there is a committee."""
    proposal = services.get_proposal(current_user, proposal_id)
    dialogue = proposal.participant.dialogue
    committee.require_scorer(
        current_user, proposal, services.is_agency_officer(current_user, dialogue)
    )
    if request.method == "GET":
        return _score_page(proposal)
    form = ActionForm()
    if not form.validate_on_submit():
        return _score_page(proposal, 400, values=request.form.to_dict())
    scheme = services.proposal_scheme(proposal)
    levels = {i.id: request.form.get(f"level-{i.id}", "") for i in scheme.items}
    comments = {c.id: request.form.get(f"comment-{c.id}", "") for c in scheme.criteria}
    justifications = {c.id: request.form.get(f"justify-{c.id}", "") for c in scheme.criteria}
    try:
        services.score(_actor(), proposal, levels, comments, justifications)
    except ServiceError as error:
        db.session.rollback()
        proposal = services.get_proposal(current_user, proposal_id)
        errors = {e.field: e.message for e in error.errors}
        errors[""] = error.message
        return _score_page(proposal, error.status, errors=errors, values=request.form.to_dict())
    db.session.commit()
    flash(_("Your score sheet is saved."), "success")
    if committee.on_committee(current_user, dialogue):
        return redirect(url_for("dialogue.detail", dialogue_id=dialogue.id))
    return redirect(url_for("dialogue.manage", dialogue_id=dialogue.id))


@bp.route("/participants/<int:participant_id>/conflict", methods=["GET", "POST"])
@authz.roles(Role.EVALUATOR)
def declare(participant_id: int):
    """A committee member declares, per supplier, whether they have a conflict of interest."""
    participant = committee.participant_for_member(current_user, participant_id)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            found = committee.declare(
                _actor(), participant, form.has_conflict.data == "yes", form.note.data or ""
            )
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return _declare_page(form, participant), error.status
        db.session.commit()
        if found.has_conflict:
            flash(_("Your conflict of interest is recorded. You will not score this supplier."))
        else:
            flash(_("Your declaration is recorded."), "success")
        return redirect(url_for("dialogue.detail", dialogue_id=participant.dialogue_id))
    return _declare_page(form, participant), 400 if form.is_submitted() else 200


def _declare_page(form, participant):
    return render_template(
        "dialogue/declare.html",
        form=form,
        participant=participant,
        dialogue=participant.dialogue,
        standing=committee.standing(current_user, participant),
    )


# -- private threads --------------------------------------------------------------------------


def _thread_page(participant, status=200, form=None):
    form = form or MessageForm(formdata=None)
    return render_template(
        "dialogue/thread.html",
        participant=participant,
        dialogue=participant.dialogue,
        messages=services.threaded(participant.messages),
        files=attachments_of("dialogue_thread", participant.id),
        can_edit_files=services.can_edit_thread_files(current_user, participant),
        form=form,
        action_form=ActionForm(),
        is_officer=services.is_agency_officer(current_user, participant.dialogue),
    ), status


@bp.route("/threads/<int:participant_id>")
@authz.signed_in
def thread(participant_id: int):
    participant = services.get_participant(current_user, participant_id)
    return _thread_page(participant)


@bp.route("/threads/<int:participant_id>/messages", methods=["POST"])
@authz.roles(Role.OFFICER, Role.SUPPLIER, acting=True)
def post_message(participant_id: int):
    participant = services.get_participant(current_user, participant_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _thread_page(participant, 400, form)
    parent_id = posted_id(form.parent_id.data)
    try:
        services.post_message(_actor(), participant, form.body.data or "", parent_id)
    except ServiceError as error:
        db.session.rollback()
        participant = services.get_participant(current_user, participant_id)
        apply_service_error(form, error)
        return _thread_page(participant, error.status, form)
    db.session.commit()
    flash(_("Your message is sent."), "success")
    return redirect(url_for("dialogue.thread", participant_id=participant.id))


# -- the specification ---------------------------------------------------------------------------


def _spec_page(dialogue, status=200, form=None):
    numbers = [v.number for v in dialogue.spec_versions]
    changes, old, new = None, None, None
    if numbers:
        new = request.args.get("to", type=int) or numbers[-1]
        previous = numbers[-2] if len(numbers) > 1 else numbers[-1]
        old = request.args.get("from", type=int) or previous
        changes = services.compare_specs(dialogue, old, new)
    is_officer = services.is_agency_officer(current_user, dialogue)
    form = form or SpecForm(formdata=None)
    latest = services.latest_spec(dialogue)
    if form.body.data is None and latest is not None:
        form.body.data = latest.body
    return render_template(
        "dialogue/specification.html",
        dialogue=dialogue,
        numbers=numbers,
        changes=changes,
        old=old,
        new=new,
        form=form,
        can_write=is_officer
        and dialogue.status
        in (DialogueStatus.DIALOGUE_1, DialogueStatus.DIALOGUE_2, DialogueStatus.SPECIFICATION),
    ), status


@bp.route("/<int:dialogue_id>/specification")
@authz.public
def specification(dialogue_id: int):
    """Every version of the specification, and the differences between any two."""
    dialogue = services.get_dialogue(current_user, dialogue_id)
    if not services.can_read_spec(current_user, dialogue):
        raise NotFound(_("This page does not exist."))
    return _spec_page(dialogue)


@bp.route("/<int:dialogue_id>/specification/versions", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def add_spec(dialogue_id: int):
    dialogue = services.get_dialogue(current_user, dialogue_id)
    form = SpecForm()
    if not form.validate_on_submit():
        return _spec_page(dialogue, 400, form)
    try:
        version = services.add_spec_version(_actor(), dialogue, form.body.data, form.note.data)
    except ServiceError as error:
        db.session.rollback()
        dialogue = services.get_dialogue(current_user, dialogue_id)
        apply_service_error(form, error)
        return _spec_page(dialogue, error.status, form)
    db.session.commit()
    flash(_("Version %(n)d of the specification is saved.", n=version.number), "success")
    return redirect(url_for("dialogue.specification", dialogue_id=dialogue.id))
