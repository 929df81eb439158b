"""Views of the search page, suggestions and saved searches (the rules: procure.search_service)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from procure import authz, search_service
from procure.classification.services import division_label
from procure.errors import ServiceError
from procure.extensions import db
from procure.forms import REQUIRED, ActionForm, apply_service_error, choices
from procure.labels import DEMAND_STATUS, IDEA_STATUS, PRODUCT_STATUS, PROPOSAL_STATUS
from procure.regions import region_name
from procure.searching import bp

STATUS_LABELS = {**PROPOSAL_STATUS, **IDEA_STATUS, **PRODUCT_STATUS, **DEMAND_STATUS}
#: Facets shown on the page, in order: (facet name, request argument).
FACET_ARGS = (
    ("type", "type"),
    ("division", "division"),
    ("region", "region"),
    ("status", "status"),
    ("designated", "designated"),
    ("readiness_level", "readiness_level"),
    ("price_range", "price_range"),
    ("organisation", "agency"),
)


class SaveSearchForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    frequency = SelectField(_l("Alerts"), default="daily")


def _save_form() -> SaveSearchForm:
    form = SaveSearchForm()
    form.frequency.choices = choices(
        (key, str(text)) for key, text in search_service.FREQUENCY_LABELS.items()
    )
    return form


def _facet_titles() -> dict[str, str]:
    return {
        "type": _("Type"),
        "division": _("Category"),
        "region": _("Region"),
        "status": _("Status"),
        "designated": _("Designated innovative product"),
        "readiness_level": _("Technology readiness level"),
        "price_range": _("Price or budget"),
        "organisation": pgettext("record", "Organisation"),
    }


def _field_titles() -> dict[str, str]:
    """What each search argument is called on the page (an error names it so, not by its key)."""
    return {
        **_facet_titles(),
        "q": _("Search words"),
        "agency": pgettext("record", "Organisation"),
        "amount_min": _("Amount from"),
        "amount_max": _("Amount up to"),
        "sort": _("Sort order"),
        "page": _("Page"),
        "per_page": _("Results per page"),
    }


def _value_label(facet: str, value: str, organisations: dict[str, str]) -> str:
    if facet == "type":
        return str(search_service.TYPE_LABELS.get(value, value))
    if facet == "division":
        return f"{value} {division_label(value)}"
    if facet == "region":
        return region_name(value) or value
    if facet == "status":
        return str(STATUS_LABELS.get(value, value))
    if facet == "designated":
        return _("Designated") if value == "true" else _("Not designated")
    if facet == "readiness_level":
        return _("TRL %(level)s", level=value)
    if facet == "price_range":
        return str(search_service.PRICE_LABELS.get(value, value))
    if facet == "organisation":
        return organisations.get(value, value)
    return value


def _facets(page, args: dict) -> list[dict]:
    """Each facet with its values: label, count, the link that toggles it, whether it is on."""
    organisations = search_service.organisation_names(
        value for value, _count in page.facets.get("organisation", [])
    )
    titles = _facet_titles()
    out = []
    for facet, arg in FACET_ARGS:
        values = page.facets.get(facet) or []
        if not values:
            continue
        current = args.get(arg)
        current = [current] if isinstance(current, str) else list(current or [])
        rows = []
        for value, count in values[:15]:
            active = value in current
            link_args = {k: v for k, v in args.items() if k != "page"}
            if active:
                link_args.pop(arg, None)
            else:
                link_args[arg] = value
            rows.append(
                {
                    "value": value,
                    "label": _value_label(facet, value, organisations),
                    "count": count,
                    "url": url_for("searching.index", **link_args),
                    "active": active,
                }
            )
        out.append({"name": facet, "title": titles[facet], "values": rows})
    return out


@bp.route("/")
@authz.public
def index():
    params, errors = search_service.parse_params(request.args)
    page = search_service.run_search(current_user, params)
    return render_template(
        "search/index.html",
        page=page,
        params=params,
        args=params.args,
        errors=errors,
        field_titles=_field_titles(),
        facets=_facets(page, params.args),
        sorts=search_service.SORT_LABELS,
        type_labels=search_service.TYPE_LABELS,
        save_form=_save_form() if current_user.is_authenticated else None,
    )


@bp.route("/suggest")
@authz.public
def suggest():
    """Titles completing what the reader types: ``{"suggestions": [{"text", "id", "type",
    "url"}]}`` (JSON)."""
    items, unavailable = search_service.suggest(current_user, request.args.get("q", ""))
    for item in items:
        kind, _sep, pk = item["id"].partition(":")
        item["url"] = _detail_url(kind, pk)
    return jsonify(suggestions=items, degraded=unavailable)


def _detail_url(kind: str, pk: str) -> str | None:
    endpoints = {
        "demand": ("demands.detail", "demand_id"),
        "product": ("products.detail", "product_id"),
        "proposal": ("proposals.detail", "proposal_id"),
        "idea": ("ideas.detail", "idea_id"),
        "organisation": ("organisations.detail", "org_id"),
    }
    if kind not in endpoints or not pk.isdigit():
        return None
    endpoint, name = endpoints[kind]
    return url_for(endpoint, **{name: int(pk)})


@bp.app_template_global("search_detail_url")
def search_detail_url(item) -> str | None:
    return _detail_url(item.type, str(item.row.id))


@bp.route("/saved", methods=["GET"])
@authz.signed_in
def saved():
    rows = search_service.saved_for(current_user)
    return render_template(
        "search/saved.html",
        rows=rows,
        action_form=ActionForm(),
        frequency_labels=search_service.FREQUENCY_LABELS,
        link=search_service.saved_link,
    )


@bp.route("/saved", methods=["POST"])
@authz.signed_in
def save():
    """Save the current search (its arguments travel as the query string of the form)."""
    form = _save_form()
    params, errors = search_service.parse_params(request.args)
    back = url_for("searching.index", **params.args)
    if errors:
        # The search page drops invalid conditions to show what it can; a saved search must
        # not: it would alert on far more than the user asked for (with every condition
        # refused, on everything new).
        flash(
            _("The search could not be saved: correct its conditions first.")
            + " "
            + " ".join(str(error.message) for error in errors),
            "error",
        )
        return redirect(back)
    if not form.validate_on_submit():
        messages = [m for field_errors in form.errors.values() for m in field_errors]
        flash(_("The search could not be saved.") + " " + " ".join(map(str, messages)), "error")
        return redirect(back)
    try:
        search_service.save_search(
            current_user, form.name.data or "", params, form.frequency.data or "daily"
        )
    except ServiceError as error:
        db.session.rollback()
        apply_service_error(form, error)
        flash(" ".join(map(str, form.form_errors)), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Search saved. Find it under Saved searches."), "success")
    return redirect(back)


@bp.route("/saved/<int:saved_id>/delete", methods=["POST"])
@authz.signed_in
def delete_saved(saved_id: int):
    search_service.delete_saved(current_user, saved_id)
    db.session.commit()
    flash(_("Saved search deleted."), "success")
    return redirect(url_for("searching.saved"))
