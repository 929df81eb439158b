"""Operator pages: demand gaps (수요 공백) and publishing one as R&D demand (수요기반 R&D)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz
from procure.errors import Invalid, NotFound, ServiceError
from procure.extensions import db
from procure.forms import apply_service_error
from procure.insights import bp, runs, services
from procure.insights.forms import GapFilterForm, PublishGapForm, RequestAnalysisForm
from procure.models import Role


def _parameters() -> tuple[GapFilterForm, tuple[int, int] | None]:
    form = GapFilterForm(request.args)
    if not form.validate():
        return form, None
    return form, form.values()


#: Demands listed per cluster on the list page, and on a cluster's page.
LIST_MEMBERS = 5
DETAIL_MEMBERS = 200


@bp.route("/gaps")
@authz.roles(Role.OPERATOR)
def gaps():
    form, values = _parameters()
    if values is None:
        return render_template("insights/gaps.html", form=form, state=None), 400
    state = runs.view(*values)
    if state.analysis is not None:
        state.analysis.preload(LIST_MEMBERS)
    return render_template(
        "insights/gaps.html",
        form=form,
        state=state,
        analysis=state.analysis,
        request_form=_request_form(*values),
        seed=values[0],
        min_size=values[1],
        list_members=LIST_MEMBERS,
        locale=services.locale_name(),
    )


def _request_form(seed: int, min_size: int) -> RequestAnalysisForm:
    form = RequestAnalysisForm()
    form.seed.data, form.min_size.data = str(seed), str(min_size)
    return form


@bp.route("/gaps/analyse", methods=["POST"])
@authz.roles(Role.OPERATOR)
def request_analysis():
    _form, values = _parameters_from_form()  # CSRFProtect has checked the token
    try:
        runs.request_run(current_user._get_current_object(), *values)
    except ServiceError as error:
        db.session.rollback()
        if error.status != 409:
            raise
        flash(error.message, "warning")
    else:
        db.session.commit()
        flash(
            _(
                "A new analysis is requested. It runs in the background (procure worker) and "
                "appears here when it is done."
            ),
            "success",
        )
    return redirect(url_for("insights.gaps", seed=values[0], min_size=values[1]))


def _analysis_or_404(seed: int, min_size: int) -> services.Analysis:
    analysis = runs.view(seed, min_size).analysis
    if analysis is None:
        raise NotFound(_("There is no analysis with these parameters yet. Open the list again."))
    return analysis


def _publish_form(cluster, seed: int, min_size: int, locale: str) -> PublishGapForm:
    form = PublishGapForm()
    if not form.is_submitted():
        form.title.data = services.default_title(cluster, locale)
        form.closes_on.data = services.default_closing()
    form.seed.data, form.min_size.data = str(seed), str(min_size)
    return form


def _detail(analysis, cluster, form, seed, min_size, locale, status=200):
    return render_template(
        "insights/gap.html",
        analysis=analysis,
        cluster=cluster,
        members=analysis.members(cluster, DETAIL_MEMBERS),
        # One best score per demand, unless the matcher ranked a sample of a large cluster.
        scores=(
            dict(zip(cluster.demand_ids, cluster.best_scores, strict=True))
            if len(cluster.best_scores) == cluster.size
            else {}
        ),
        agency_names=analysis.agency_names(cluster),
        published=analysis.published_as(cluster),
        form=form,
        seed=seed,
        min_size=min_size,
        locale=locale,
    ), status


@bp.route("/gaps/<key>")
@authz.roles(Role.OPERATOR)
def gap(key: str):
    services.require_cluster_key(key)
    form, values = _parameters()
    if values is None:
        return render_template("insights/gaps.html", form=form, analysis=None), 400
    analysis = _analysis_or_404(*values)
    cluster = services.cluster_or_404(analysis, key)
    locale = services.locale_name()
    publish_form = _publish_form(cluster, *values, locale)
    return _detail(analysis, cluster, publish_form, *values, locale)


@bp.route("/gaps/<key>/publish", methods=["POST"])
@authz.roles(Role.OPERATOR)
def publish(key: str):
    services.require_cluster_key(key)
    _form, values = _parameters_from_form()
    analysis = _analysis_or_404(*values)
    cluster = services.cluster_or_404(analysis, key)
    locale = services.locale_name()
    publish_form = _publish_form(cluster, *values, locale)
    if not publish_form.validate():
        return _detail(analysis, cluster, publish_form, *values, locale, status=400)
    data = services.PublishInput(
        title=publish_form.title.data,
        budget=publish_form.budget.data,
        closes_on=publish_form.closes_on.data,
    )
    try:
        demand = services.publish_gap(
            current_user._get_current_object(), analysis, key, data, locale
        )
    except ServiceError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        apply_service_error(publish_form, error)
        return _detail(analysis, cluster, publish_form, *values, locale, status=error.status)
    db.session.commit()
    flash(_("The gap is published as the R&D demand “%(title)s”.", title=demand.title), "success")
    return redirect(url_for("demands.detail", demand_id=demand.id))


def _parameters_from_form() -> tuple[GapFilterForm, tuple[int, int]]:
    """The analysis parameters a publish form carries (defaults when missing)."""
    form = GapFilterForm(request.form)
    if not form.validate():
        raise Invalid(_("The analysis parameters are not valid. Open the list again."))
    return form, form.values()
