"""``procure insights gaps``: clusters of published demands and how well supply answers them."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.group("insights")
def insights_group():
    """Insights from the market's data."""


def _cell(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` display columns (Hangul counts two)."""
    out, used = "", 0
    for ch in text:
        size = 2 if "\u1100" <= ch <= "\ud7a3" or "\u3000" <= ch <= "\u9fff" else 1
        if used + size > width:
            break
        out += ch
        used += size
    return out + " " * (width - used)


@insights_group.command("gaps")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**31 - 1))
@click.option(
    "--min-size",
    default=2,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="The fewest demands a cluster needs to count as a gap.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--gaps-only", is_flag=True, help="List only the gaps.")
@click.option(
    "--save",
    is_flag=True,
    help="Store the analysis for the operator's page (run it from cron on a large market).",
)
@with_appcontext
def gaps_command(seed: int, min_size: int, as_json: bool, gaps_only: bool, save: bool):
    """Cluster published demands; list each cluster's supply strength, gaps first."""
    from procure.insights import runs, services
    from procure.models import GapRunStatus

    if save:
        run = runs.run_now(seed, min_size)
        if run.status != GapRunStatus.DONE:
            raise click.ClickException(f"The analysis failed: {run.error}")
        analysis = runs.analysis_of(run)
        click.echo(f"Stored as analysis {run.id} ({run.seconds} s).", err=True)
    else:
        analysis = services.analyse(seed=seed, min_size=min_size)  # reads only
    report = analysis.report
    clusters = report.gaps if gaps_only else report.clusters
    if as_json:
        payload = report.to_dict()
        payload["clusters"] = []
        for cluster in clusters:
            item = cluster.to_dict()
            item["agencies"] = analysis.agency_names(cluster)
            item["demands"] = [
                {"id": d.id, "title": d.title, "agency": d.agency.name, "budget": d.budget}
                for d in analysis.members(cluster)
            ]
            published = analysis.published_as(cluster)
            item["published_as"] = published.id if published else None
            payload["clusters"].append(item)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{report.n_demands} demands, {len(report.clusters)} clusters (k={report.k}, "
        f"silhouette={report.silhouette}), seed {report.seed}, min size {report.min_size}; "
        f"{len(report.gaps)} gaps"
    )
    if not clusters:
        return
    click.echo(
        f"{'':4}{_cell('label (ko)', 28)} {_cell('label (en)', 34)} {'n':>3} {'ag':>3} "
        f"{'budget (won)':>15} {'supply':>6} {'prop':>4} {'pilot':>5} {'gap':>5}"
    )
    for cluster in clusters:
        mark = "GAP " if cluster.is_gap else "    "
        click.echo(
            f"{mark}{_cell(cluster.label_ko, 28)} {_cell(cluster.label_en, 34)} "
            f"{cluster.size:>3} {len(cluster.agencies):>3} {cluster.total_budget:>15,} "
            f"{cluster.supply:>6.2f} {cluster.proposals:>4} {cluster.pilots:>5} "
            f"{cluster.gap_score:>5.2f}"
        )
    for cluster in report.gaps:
        click.echo(f"\nGAP {cluster.key}: {cluster.label_ko} / {cluster.label_en}")
        click.echo(f"    terms: {', '.join(cluster.terms_ko + cluster.terms_en)}")
        click.echo(f"    agencies: {', '.join(analysis.agency_names(cluster))}")
        for demand in analysis.members(cluster):
            budget = f"{demand.budget:,}" if demand.budget else "—"
            click.echo(f"    #{demand.id} {demand.title} — {demand.agency.name} — {budget}")
