"""Views for the home page, the dashboards, the language switch and health."""

from datetime import date

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure.account import services as accounts
from procure.clock import local_today
from procure.evaluation import applications as designation_applications
from procure.evaluation.services import designated_product_ids, rounds_awaiting
from procure.extensions import db
from procure.forms import ActionForm
from procure.main import bp
from procure.matching_service import suggested_demands
from procure.models import (
    CitizenIdea,
    Demand,
    DemandStatus,
    EvaluationRound,
    IdeaStatus,
    Organisation,
    OrganisationKind,
    PilotPurchase,
    PilotStatus,
    Product,
    ProductStatus,
    ReverseProposal,
    Role,
    RoundStatus,
    User,
)
from procure.models.base import utcnow
from procure.notifications.services import unread_count
from procure.security import LOCALES
from procure.urls import safe_next


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@bp.route("/")
@authz.public
def home():
    open_demands = db.session.scalars(
        select(Demand)
        .where(Demand.status == DemandStatus.PUBLISHED, Demand.deleted_at.is_(None))
        .options(selectinload(Demand.agency), selectinload(Demand.codes))
        .order_by(Demand.published_at.desc(), Demand.id.desc())
        .limit(6)
    ).all()
    designated = designated_product_ids().scalar_subquery()
    listed = select(Product).where(
        Product.status == ProductStatus.LISTED, Product.deleted_at.is_(None)
    )
    # Designated products lead the home page; the newest listings fill the rest.
    products = db.session.scalars(
        listed.where(Product.id.in_(designated))
        .options(selectinload(Product.supplier))
        .order_by(Product.listed_at.desc(), Product.id.desc())
        .limit(6)
    ).all()
    if len(products) < 6:
        products += db.session.scalars(
            listed.where(Product.id.not_in(designated))
            .options(selectinload(Product.supplier))
            .order_by(Product.listed_at.desc(), Product.id.desc())
            .limit(6 - len(products))
        ).all()
    figures = {
        "open_demands": _count(
            select(Demand.id).where(
                Demand.status == DemandStatus.PUBLISHED, Demand.deleted_at.is_(None)
            )
        ),
        "products": _count(select(Product.id).where(Product.status == ProductStatus.LISTED)),
        "designated": _count(designated_product_ids().distinct()),
        "proposals": _count(select(ReverseProposal.id).where(policy.sent_proposals())),
        "agencies": _count_verified(OrganisationKind.AGENCY),
        "suppliers": _count_verified(OrganisationKind.SUPPLIER),
        "ideas": _count(
            select(CitizenIdea.id).where(CitizenIdea.status.in_(policy.PUBLIC_IDEA_STATES))
        ),
    }
    return render_template(
        "main/home.html", figures=figures, open_demands=open_demands, products=products
    )


def _count_verified(kind: str) -> int:
    return _count(
        select(Organisation.id).where(
            Organisation.kind == kind, Organisation.verified_at.is_not(None)
        )
    )


@bp.route("/dashboard")
@authz.signed_in
def dashboard():
    user = current_user._get_current_object()
    context = {"user": user, "unread": unread_count(user)}
    org = user.organisation_id if user.can_act_for_organisation else None
    if user.has_role(Role.OFFICER) and org:
        context["my_demands"] = db.session.scalars(
            select(Demand)
            .where(Demand.agency_id == org, Demand.deleted_at.is_(None))
            .options(selectinload(Demand.codes), selectinload(Demand.agency))
            .order_by(Demand.updated_at.desc())
            .limit(20)
        ).all()
        context["incoming"] = db.session.scalars(
            select(ReverseProposal)
            .where(
                policy.proposal_filter(user),
                ReverseProposal.supplier_id != org,
                ReverseProposal.status.in_(("submitted", "shortlisted")),
            )
            .options(selectinload(ReverseProposal.supplier), selectinload(ReverseProposal.demand))
            .order_by(ReverseProposal.submitted_at.desc())
            .limit(20)
        ).all()
        # Pilot purchases waiting for the agency: delivery to record, use to start, a report.
        context["agency_pilots"] = db.session.scalars(
            select(PilotPurchase)
            .where(
                PilotPurchase.agency_id == org,
                PilotPurchase.status.in_(
                    (PilotStatus.CONTRACTED, PilotStatus.DELIVERED, PilotStatus.IN_USE)
                ),
            )
            .options(selectinload(PilotPurchase.product))
            .order_by(PilotPurchase.report_due_on.is_(None), PilotPurchase.report_due_on)
            .limit(20)
        ).all()
        context["today"] = local_today()
    if user.has_role(Role.SUPPLIER) and org:
        context["my_products"] = db.session.scalars(
            select(Product)
            .where(Product.supplier_id == org, Product.deleted_at.is_(None))
            .options(selectinload(Product.supplier))
            .order_by(Product.updated_at.desc())
            .limit(20)
        ).all()
        context["my_proposals"] = db.session.scalars(
            select(ReverseProposal)
            .where(ReverseProposal.supplier_id == org)
            .options(selectinload(ReverseProposal.demand))
            .order_by(ReverseProposal.updated_at.desc())
            .limit(20)
        ).all()
    if user.has_role(Role.OPERATOR):
        context["pending_orgs"] = _count(
            select(Organisation.id).where(
                Organisation.verified_at.is_(None), Organisation.deleted_at.is_(None)
            )
        )
        context["pending_members"] = _count(
            select(User.id).where(
                User.organisation_id.is_not(None),
                User.approved_at.is_(None),
                User.deleted_at.is_(None),
            )
        )
        context["ideas_to_review"] = _count(
            select(CitizenIdea.id).where(CitizenIdea.status == IdeaStatus.SUBMITTED)
        )
        context["applications_waiting"] = len(designation_applications.waiting_product_ids())
        context["rounds_to_close"] = _count(
            select(EvaluationRound.id).where(
                EvaluationRound.status == RoundStatus.OPEN, EvaluationRound.deadline < utcnow()
            )
        )
        context["reports_to_judge"] = _count(
            select(PilotPurchase.id).where(PilotPurchase.status == PilotStatus.REPORTED)
        )
    if user.has_role(Role.EVALUATOR):
        context["to_score"] = rounds_awaiting(user)
    if user.has_role(Role.SUPPLIER) and org:
        context["could_answer"] = suggested_demands(user, str(get_locale()))
    context["my_ideas"] = db.session.scalars(
        select(CitizenIdea)
        .where(CitizenIdea.author_id == user.id)
        .order_by(CitizenIdea.created_at.desc())
        .limit(20)
    ).all()
    return render_template("main/dashboard.html", **context)


@bp.route("/match-alerts", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def match_alerts():
    from procure.matching_service import set_match_alerts

    ActionForm()
    set_match_alerts(current_user._get_current_object(), request.form.get("enabled") == "1")
    db.session.commit()
    return redirect(url_for("main.dashboard", _anchor="could-title"))


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


#: The day the privacy policy's text last changed (shown on it; docs/privacy.md).
PRIVACY_POLICY_DATE = date(2026, 12, 2)


@bp.route("/privacy")
@authz.public
def privacy():
    return render_template(
        "main/privacy.html",
        settings=current_app.config["SETTINGS"],
        effective=format_date(PRIVACY_POLICY_DATE, "long"),
    )


@bp.route("/healthz")
@authz.public
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
