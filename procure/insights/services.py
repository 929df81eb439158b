"""Demand gaps in the app: feed published demands and supply evidence to ``matching.gaps``.

- *Demands analysed*: published or closed demands (every demand that was put to the market),
  not deleted, except the R&D demands this page itself published (source ``gap``), which
  would otherwise answer their own cluster.
- *Matcher scores*: the app's fitted matcher (``matching_service.get_matcher``) ranks the listed
  products for each demand; the best ``matching.gaps.TOP_K`` scores speak for the supply.
- *Proposals*: proposals received on the cluster's demands (submitted, shortlisted, accepted
  or declined; drafts and withdrawn ones are not offers). Proposals are confidential, so only
  counts leave this module.
- *Pilots done*: pilot purchases that reached the field report (reported, evaluated, closed)
  of the products that *answer* a demand of the cluster (among its best listings, with a
  matcher score of at least ``matching.gaps.ANSWER_SCORE``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from matching.gaps import Cluster, GapReport, find_gaps, is_cluster_key, matcher_scorer
from procure import matching_service, policy
from procure.audit.services import record
from procure.cache import count_and_latest
from procure.checks import Checker
from procure.classification.divisions import CPV_DIVISIONS
from procure.clock import local_today
from procure.errors import Conflict, Forbidden, NotFound
from procure.extensions import db
from procure.models import (
    ClassificationCode,
    Demand,
    DemandCode,
    DemandRequirement,
    DemandRevision,
    DemandStatus,
    DemandType,
    Organisation,
    ProposalStatus,
    ReverseProposal,
)
from procure.models.base import utcnow
from procure.models.pilots import PilotPurchase, PilotStatus

EXTERNAL_PREFIX = "gap:"
DEFAULT_SEED = 0
DEFAULT_MIN_SIZE = 2
#: An R&D demand published from a gap is open this many days unless the operator says otherwise.
RND_OPEN_DAYS = 60
#: Classification code of R&D services (CPV 73120000, experimental development), added when known.
RND_CODE = "73120000"
MAX_CODES = 5
MAX_REQUIREMENTS = 10
#: Source demands an R&D demand's problem text lists by name (the rest are counted).
MAX_LISTED_SOURCES = 50
PROPOSAL_STATES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.SHORTLISTED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.DECLINED,
)
PILOTS_DONE = (PilotStatus.REPORTED, PilotStatus.EVALUATED, PilotStatus.CLOSED)


@dataclass
class Analysis:
    """A gap report with the records it speaks of.

    Demands are loaded when first asked for (``members``, ``preload``): a stored report of a
    large market names tens of thousands of demands, and a page shows a few per cluster.
    """

    report: GapReport
    demands: dict[int, Demand] = field(default_factory=dict)
    published: dict[str, Demand] = field(default_factory=dict)
    _agencies: dict[int, str] | None = field(default=None, repr=False)

    def preload(self, limit: int | None = None) -> None:
        """Load the first ``limit`` demands (all when None) of every cluster in one query."""
        wanted = [i for c in self.report.clusters for i in c.demand_ids[:limit]]
        self._load(wanted)

    def _load(self, ids) -> None:
        missing = [i for i in ids if i not in self.demands]
        for chunk in range(0, len(missing), 500):
            rows = db.session.scalars(
                select(Demand)
                .where(Demand.id.in_(missing[chunk : chunk + 500]), Demand.deleted_at.is_(None))
                .options(
                    selectinload(Demand.requirements),
                    selectinload(Demand.codes),
                    selectinload(Demand.agency),
                )
            )
            self.demands.update((d.id, d) for d in rows)

    def members(self, cluster: Cluster, limit: int | None = None) -> list[Demand]:
        """The cluster's demands (its first ``limit``), leaving out any deleted since."""
        ids = cluster.demand_ids[:limit]
        self._load(ids)
        return [self.demands[i] for i in ids if i in self.demands]

    def agency_names(self, cluster: Cluster) -> list[str]:
        if self._agencies is None:
            ids = {a for c in self.report.clusters for a in c.agencies}
            self._agencies = dict(
                db.session.execute(
                    select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
                ).all()
            )
        return sorted({self._agencies[a] for a in cluster.agencies if a in self._agencies})

    def published_as(self, cluster: Cluster) -> Demand | None:
        return self.published.get(cluster.key)


def _analysed():
    return (
        Demand.status.in_([DemandStatus.PUBLISHED, DemandStatus.CLOSED]),
        Demand.deleted_at.is_(None),
        Demand.source != policy.GAP_SOURCE,
    )


def analysed_demands() -> list[Demand]:
    return list(
        db.session.scalars(
            select(Demand)
            .where(*_analysed())
            .options(
                selectinload(Demand.requirements),
                selectinload(Demand.codes),
                selectinload(Demand.agency),
            )
            .order_by(Demand.id)
        )
    )


def demand_stamp() -> tuple:
    """(analysed demands, their latest change): a stored analysis is current while it holds."""
    return count_and_latest(Demand.updated_at, *_analysed())


def _proposal_counts(demand_ids: list[int]) -> dict[int, int]:
    if not demand_ids:
        return {}
    return dict(
        db.session.execute(
            select(ReverseProposal.demand_id, func.count(ReverseProposal.id))
            .where(
                ReverseProposal.demand_id.in_(demand_ids),
                ReverseProposal.status.in_(PROPOSAL_STATES),
            )
            .group_by(ReverseProposal.demand_id)
        ).all()
    )


def _pilot_counts() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(PilotPurchase.product_id, func.count(PilotPurchase.id))
            .where(PilotPurchase.status.in_(PILOTS_DONE))
            .group_by(PilotPurchase.product_id)
        ).all()
    )


def code_label(prefix: str) -> tuple[str, str] | None:
    """Korean and English labels of a code prefix (as CPV: padded to eight digits).

    English: the CPV label of the prefix, or of its nearest known ancestor. Korean: the row's
    Korean label when it has one, else the Korean label of its division (the only Korean CPV
    labels the project has).
    """
    if not prefix or not prefix.isdigit():
        return None
    row = None
    for length in range(min(len(prefix), 8), 1, -1):
        row = db.session.get(ClassificationCode, ("CPV", prefix[:length].ljust(8, "0")))
        if row is not None:
            break
    division = CPV_DIVISIONS.get(prefix[:2])
    if row is None and division is None:
        return None
    english = row.label_en if row is not None else division[1]
    korean = (row.label_ko if row is not None else None) or (division[0] if division else english)
    return korean, english


def _demand_record(demand: Demand) -> dict:
    """The matcher's demand dict, without the R&D services code: it says how the agency buys
    (through R&D), not what it needs, and would otherwise pull every R&D demand together."""
    record_ = matching_service.demand_dict(demand)
    record_["codes"] = [c for c in record_["codes"] if c != RND_CODE] or record_["codes"]
    record_["agency"] = demand.agency_id
    return record_


def analyse(seed: int = DEFAULT_SEED, min_size: int = DEFAULT_MIN_SIZE) -> Analysis:
    """Cluster the published demands and measure the supply of each cluster."""
    demands = analysed_demands()
    ids = [d.id for d in demands]
    scorer = matcher_scorer(matching_service.get_matcher()) if demands else None
    report = find_gaps(
        [_demand_record(d) for d in demands],
        scorer,
        proposals=_proposal_counts(ids),
        pilots=_pilot_counts() if demands else {},
        seed=seed,
        min_size=min_size,
        code_labels=code_label,
    )
    return with_records(report, {d.id: d for d in demands})


def with_records(report: GapReport, demands: dict[int, Demand] | None = None) -> Analysis:
    """The report with the R&D demands already published from its clusters."""
    keys = [EXTERNAL_PREFIX + c.key for c in report.clusters]
    published = {}
    if keys:
        published = {
            d.external_id.removeprefix(EXTERNAL_PREFIX): d
            for d in db.session.scalars(select(Demand).where(Demand.external_id.in_(keys)))
        }
    return Analysis(report, demands or {}, published)


def require_cluster_key(key: str) -> None:
    """Refuse a key that no cluster can have before any analysis runs (one costs a second).

    :raise NotFound: not a cluster key.
    """
    if not is_cluster_key(key):
        raise NotFound(_("There is no such cluster. Open the list again."))


def cluster_or_404(analysis: Analysis, key: str) -> Cluster:
    cluster = analysis.report.cluster(key)
    if cluster is None:
        raise NotFound(
            _(
                "This cluster is not in the current analysis: the demands or the parameters "
                "changed. Open the list again."
            )
        )
    return cluster


def locale_name() -> str:
    return "en" if str(get_locale() or "ko").startswith("en") else "ko"


# -- publishing a gap as R&D demand ---------------------------------------------------------


@dataclass
class PublishInput:
    title: str = ""
    budget: object = None
    closes_on: object = None


def default_title(cluster: Cluster, locale: str) -> str:
    return _("Demand-based R&D: %(label)s", label=cluster.label(locale))[:200]


def default_closing():
    return local_today() + timedelta(days=RND_OPEN_DAYS)


def _problem_text(analysis: Analysis, cluster: Cluster, locale: str) -> str:
    members = analysis.members(cluster)
    listed = members[:MAX_LISTED_SOURCES]
    lines = [
        _(
            "%(count)d published demands from %(agencies)d agencies ask for this, with a total "
            "budget of %(budget)s won, but the market answers them weakly (supply strength "
            "%(supply)s; %(proposals)d proposals received; %(pilots)d pilots done).",
            count=len(members),
            agencies=len(cluster.agencies),
            budget=f"{cluster.total_budget:,}",
            supply=f"{cluster.supply:.2f}",
            proposals=cluster.proposals,
            pilots=cluster.pilots,
        ),
        "",
        _("Characteristic terms: %(terms)s", terms=", ".join(cluster.terms_ko + cluster.terms_en)),
        "",
        _("Source demands:"),
    ]
    for demand in listed:
        link = url_for("demands.detail", demand_id=demand.id)
        budget = f"{demand.budget:,}" if demand.budget else "—"
        lines.append(f"- 「{demand.title}」 — {demand.agency.name} — {budget} — {link}")
    if len(members) > len(listed):
        lines.append(_("- and %(count)d more", count=len(members) - len(listed)))
    return "\n".join(lines)


def _codes_for(analysis: Analysis, cluster: Cluster) -> list[str]:
    counts = Counter(code for d in analysis.members(cluster) for code in d.code_values)
    codes = [code for code, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    codes = codes[:MAX_CODES]
    if RND_CODE not in codes and db.session.get(ClassificationCode, ("CPV", RND_CODE)):
        codes.append(RND_CODE)
    return codes


def _requirements_for(analysis: Analysis, cluster: Cluster) -> list[DemandRequirement]:
    """The source demands' requirements, most frequent first, all desirable (R&D sets targets)."""
    counts: Counter = Counter()
    first: dict[str, DemandRequirement] = {}
    for demand in analysis.members(cluster):
        for requirement in demand.requirements:
            counts[requirement.name] += 1
            first.setdefault(requirement.name, requirement)
    names = sorted(counts, key=lambda name: (-counts[name], name))[:MAX_REQUIREMENTS]
    rows = [
        DemandRequirement(
            position=position,
            name=name,
            target_value=first[name].target_value,
            unit=first[name].unit,
            mandatory=False,
        )
        for position, name in enumerate(names)
    ]
    if not rows:
        rows = [
            DemandRequirement(
                position=0,
                name=_("Answers the needs of the source demands")[:200],
                mandatory=True,
            )
        ]
    return rows


def publish_gap(
    actor, analysis: Analysis, key: str, data: PublishInput, locale: str | None = None
) -> Demand:
    """Publish a gap cluster as an R&D demand (수요기반 R&D) of the operator's organisation.

    The demand names its source demands and links to them; its ``external_id`` is
    ``gap:<cluster key>``, so the same set of demands is published once.

    :raise Forbidden: not an operator of an organisation.  :raise NotFound: no such cluster.
    :raise Conflict: the cluster is not a gap, or was published already.
    :raise Invalid: field errors.
    """
    from procure.demands.services import snapshot

    if not policy.is_operator(actor) or actor.organisation_id is None:
        raise Forbidden(_("Only operators of an organisation can publish R&D demands."))
    locale = locale or locale_name()
    cluster = cluster_or_404(analysis, key)
    # Published already comes first: it is the answer whatever this analysis's settings say.
    external_id = EXTERNAL_PREFIX + cluster.key
    existing = db.session.scalar(select(Demand).where(Demand.external_id == external_id))
    if existing is not None:
        raise Conflict(
            _(
                "This cluster was already published as the R&D demand “%(title)s”.",
                title=existing.title,
            )
        )
    if not cluster.is_gap:
        report = analysis.report
        if cluster.size < report.min_size:
            raise Conflict(
                _(
                    "This cluster has %(n)d demands, fewer than the %(min)d this analysis asks "
                    "of a gap; only gaps become R&D demands.",
                    n=cluster.size,
                    min=report.min_size,
                )
            )
        raise Conflict(
            _("This cluster is answered well enough by the market; only gaps become R&D demands.")
        )
    check = Checker()
    title = check.text("title", data.title, 200, required=True)
    budget = check.integer("budget", data.budget)
    closes_on = check.day("closes_on", data.closes_on, required=True)
    if closes_on is not None and closes_on < local_today():
        check.fail("closes_on", _("The closing date is in the past."))
    check.done(_("The R&D demand is not ready to publish."))
    organisation = db.session.get(Organisation, actor.organisation_id)
    today = local_today()
    demand = Demand(
        agency_id=organisation.id,
        created_by_id=actor.id,
        title=title,
        problem=_problem_text(analysis, cluster, locale),
        desired_outcome=_(
            "Develop, through demand-based R&D, a product that answers the source demands, "
            "and pilot it with the agencies that asked."
        ),
        demand_type=DemandType.RND,
        budget=budget,
        opens_on=today,
        closes_on=closes_on,
        contact_name=actor.name,
        contact_email=actor.email,
        language=locale,
        status=DemandStatus.PUBLISHED,
        published_at=utcnow(),
        revision=1,
        source=policy.GAP_SOURCE,
        external_id=external_id,
    )
    demand.codes = [DemandCode(scheme="CPV", code=code) for code in _codes_for(analysis, cluster)]
    demand.requirements = _requirements_for(analysis, cluster)
    db.session.add(demand)
    db.session.flush()
    db.session.add(
        DemandRevision(demand=demand, revision=1, snapshot=snapshot(demand), created_by_id=actor.id)
    )
    db.session.flush()
    record("demand.created", "demand", demand.id, actor=actor, after=snapshot(demand))
    record(
        "demand.published",
        "demand",
        demand.id,
        actor=actor,
        before={"status": DemandStatus.DRAFT},
        after={"status": demand.status},
    )
    record(
        "insights.gap_published",
        "demand",
        demand.id,
        actor=actor,
        after={
            "cluster": cluster.key,
            "source_demands": cluster.demand_ids,
            "seed": analysis.report.seed,
            "min_size": analysis.report.min_size,
            "supply": cluster.supply,
            "gap_score": cluster.gap_score,
        },
    )
    analysis.published[cluster.key] = demand
    return demand
