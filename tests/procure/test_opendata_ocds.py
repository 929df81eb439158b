"""OCDS 1.1 export: the whole demo market validates, ids are stable, nothing confidential leaks."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import jsonschema_rs
import pytest
from sqlalchemy import select

from procure import demo
from procure.extensions import db
from procure.models import Demand, Dialogue, ProposalStatus, ReverseProposal
from procure.opendata import ocds

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SCHEMA = DATA / "ocds" / "release-schema.json"


@pytest.fixture(scope="module")
def validator():
    # ../shared sits beside the checkout wherever the tests run (CI included): a missing schema
    # is a broken set-up, so it fails rather than skips.
    assert SCHEMA.exists(), f"the OCDS release schema is missing: {SCHEMA}"
    return jsonschema_rs.Draft4Validator(json.loads(SCHEMA.read_text()), validate_formats=True)


def _errors(validator, release) -> list[str]:
    return [
        f"{release['id']}: {e.instance_path}: {e.message}" for e in validator.iter_errors(release)
    ]


def test_full_demo_export_validates_against_the_release_schema(
    app, db_session, client, validator, tmp_path, monkeypatch
):
    demo.load()
    # An imported demand (another publisher's ocid) must not be re-published under ours.
    imported = db.session.scalars(
        select(Demand).where(Demand.status == "published").order_by(Demand.id.desc())
    ).first()
    imported.source, imported.external_id = "ocds", "ocds-abc123-XYZ-1"
    db.session.commit()

    # The export streams from the release index in batches (small here, so that processes
    # fall across batches); it must write exactly what building every process at once gives.
    monkeypatch.setattr(ocds, "BATCH", 7)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export-ocds", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "processes (records):" in result.output
    releases_package = json.loads((tmp_path / "out" / "releases.json").read_text())
    records_package = json.loads((tmp_path / "out" / "records.json").read_text())
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == ["records.json", "releases.json"]
    every = ocds.processes()
    expected = sorted((r for p in every for r in p.releases), key=lambda r: (r["date"], r["id"]))
    assert releases_package["releases"] == expected
    assert records_package["records"] == [ocds.record(p) for p in every]
    assert releases_package["publishedDate"] == expected[-1]["date"]
    assert f"releases:            {len(expected)}" in result.output
    assert releases_package["version"] == records_package["version"] == "1.1"
    for package in (releases_package, records_package):
        assert package["publisher"]["name"] and package["uri"].startswith("http")
        assert package["publishedDate"]
    releases = releases_package["releases"]
    records = records_package["records"]

    # Every release and every compiled release validates.
    errors = [e for r in releases for e in _errors(validator, r)]
    errors += [e for rec in records for e in _errors(validator, rec["compiledRelease"])]
    assert errors == []

    # All three kinds of process, under our prefix, with unique release ids.
    prefix = app.config["SETTINGS"].ocds_prefix + "-"
    ocids = {r["ocid"] for r in releases}
    assert all(o.startswith(prefix) for o in ocids)
    kinds = {o[len(prefix) :].split("-")[0] for o in ocids}
    assert kinds == {"demand", "pilot", "designation"}
    ids = [r["id"] for r in releases]
    assert len(ids) == len(set(ids))
    assert {rec["ocid"] for rec in records} == ocids
    assert sum(len(rec["releases"]) for rec in records) == len(releases)
    tags = {t for r in releases for t in r["tag"]}
    assert {"tender", "award", "contract", "implementation"} <= tags
    assert all(r["initiationType"] == "tender" for r in releases)

    # The imported demand is left out; drafts are never exported.
    assert ocds.demand_ocid(imported.id) not in ocids
    drafts = db.session.scalars(select(Demand.id).where(Demand.status == "draft")).all()
    assert drafts and not {ocds.demand_ocid(i) for i in drafts} & ocids

    # Awards name only accepted proposals' suppliers; no other proposal is visible.
    accepted = db.session.scalars(
        select(ReverseProposal).where(
            ReverseProposal.status == ProposalStatus.ACCEPTED,
            ReverseProposal.demand_id.is_not(None),
        )
    ).all()
    award_ids = {
        a["id"]
        for r in releases
        if r["ocid"].startswith(prefix + "demand-")
        for a in r.get("awards", [])
    }
    awarded_dialogues = db.session.scalars(
        select(Dialogue.id).where(Dialogue.status == "awarded")
    ).all()
    assert awarded_dialogues  # the demo's tunnel dialogue: its award is public
    assert award_ids == {f"proposal-{p.id}" for p in accepted if p.demand.source != "ocds"} | {
        f"dialogue-{d}" for d in awarded_dialogues
    }
    assert award_ids
    text = json.dumps(releases, ensure_ascii=False)
    declined = db.session.scalars(
        select(ReverseProposal).where(ReverseProposal.status == ProposalStatus.DECLINED)
    ).all()
    assert all(p.decision_reason not in text for p in declined)
    assert all(f'proposal-{p.id}"' not in text for p in declined)
    # A closed demand's record ends closed: no release of it is dated after its closing (the
    # demo replays earlier days; its versions were once dated at load time and read "active").
    closed = db.session.scalars(select(Demand).where(Demand.status == "closed")).all()
    processes = {p.ocid: p for p in ocds.processes(demand_ids=[d.id for d in closed])}
    for demand in closed:
        compiled = ocds.compiled_release(processes[ocds.demand_ocid(demand.id)])
        assert compiled["tender"]["status"] != "active", demand.id

    # Pilots carry a contract with implementation milestones; parties have roles; buyers exist.
    pilot = next(r for r in releases if "implementation" in r["tag"])
    milestones = pilot["contracts"][0]["implementation"]["milestones"]
    assert {m["type"] for m in milestones} >= {"delivery", "reporting", "assessment"}
    for r in releases:
        roles = {role for p in r.get("parties", []) for role in p["roles"]}
        assert roles, r["id"]
        if "buyer" in r:
            assert "buyer" in roles

    # The same export twice is the same (stable ids and content).
    again = runner.invoke(args=["export-ocds", str(tmp_path / "again")])
    assert again.exit_code == 0
    assert (tmp_path / "again" / "releases.json").read_text() == (
        tmp_path / "out" / "releases.json"
    ).read_text()

    # The API serves the same releases, paginated, with `since`.
    first = client.get("/api/v1/ocds/releases?per_page=7").get_json()
    assert first["total"] == len(releases) and len(first["releases"]) == 7
    assert first["releases"] == releases[:7]
    assert "next" in first["links"] and "prev" not in first["links"]
    second = client.get("/api/v1/ocds/releases?per_page=7&page=2").get_json()
    assert second["releases"] == releases[7:14] and "prev" in second["links"]
    middle = releases[len(releases) // 2]["date"]
    recent = client.get(f"/api/v1/ocds/releases?per_page=100&since={middle}").get_json()
    assert recent["total"] == sum(1 for r in releases if r["date"] >= middle)
    assert all(r["date"] >= middle for r in recent["releases"])
    recs = client.get("/api/v1/ocds/records?per_page=5").get_json()
    assert recs["total"] == len(records) and recs["records"] == records[:5]

    # Pages are built from an index, not from every process: walked to the end they give
    # exactly what building every process gives, with and without `since`.
    def walk(kind, query=""):
        out, page = [], 1
        while True:
            body = client.get(f"/api/v1/ocds/{kind}?per_page=9&page={page}{query}").get_json()
            out += body[kind]
            if "next" not in body.get("links", {}):
                return out
            page += 1

    assert walk("releases") == releases
    assert walk("records") == records
    assert walk("releases", f"&since={middle}") == [r for r in releases if r["date"] >= middle]
    record_dates = sorted({rec["compiledRelease"]["date"] for rec in records})
    assert len(record_dates) > 1, record_dates  # the demo dates its processes apart
    cut = record_dates[1]  # leaves out the processes last changed at the earliest date
    changed = [rec for rec in records if rec["compiledRelease"]["date"] >= cut]
    assert 0 < len(changed) < len(records)
    assert walk("records", f"&since={cut}") == changed


def test_an_empty_market_is_an_empty_valid_package(app, db_session, client, tmp_path):
    body = client.get("/api/v1/ocds/releases").get_json()
    assert body["version"] == "1.1" and body["page"] == 1
    ids = [r["id"] for r in body["releases"]]
    assert ids == [r["id"] for r in client.get("/api/v1/ocds/releases").get_json()["releases"]]
    result = app.test_cli_runner().invoke(args=["export-ocds", str(tmp_path)])
    assert result.exit_code == 0, result.output
    releases = json.loads((tmp_path / "releases.json").read_text())
    records = json.loads((tmp_path / "records.json").read_text())
    assert releases["releases"] == [] and records["records"] == []
    assert releases["publishedDate"] and records["version"] == "1.1"


@pytest.mark.parametrize(
    ("query", "field"),
    [("since=yesterday", "since"), ("page=0", "page"), ("per_page=1000", "per_page")],
)
def test_bad_query_parameters_are_422(client, query, field):
    response = client.get(f"/api/v1/ocds/records?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_since_accepts_dates_and_date_times(app):
    with app.app_context():
        day = ocds.parse_since("2026-03-01")
        assert day is not None and day.utcoffset() == timedelta(hours=9)
        assert ocds.parse_since("2026-03-01T00:00:00Z").utcoffset() == timedelta(0)
        assert ocds.parse_since("not a date") is None


def test_merge_follows_ocds_rules():
    target = {"tender": {"title": "a", "items": [{"id": "1", "q": 1}]}, "tag": ["tender"]}
    ocds._merge(
        target,
        {"tender": {"items": [{"id": "1", "q": 2}, {"id": "2"}]}, "tag": ["award"]},
    )
    assert target == {
        "tender": {"title": "a", "items": [{"id": "1", "q": 2}, {"id": "2"}]},
        "tag": ["award"],
    }


def test_the_index_follows_every_change(app, db_session, client):
    """The API's release index is kept between requests; publishing, amending, awarding and
    closing a demand each show at once."""
    from factories import (
        add_cpv_codes,
        answered_proposal,
        in_request,
        published_demand,
        user_with_role,
    )
    from procure.demands import services as demands
    from procure.proposals import services as proposals

    def release_ids():
        body = client.get("/api/v1/ocds/releases?per_page=100").get_json()
        return [r["id"] for r in body["releases"]]

    assert release_ids() == []
    add_cpv_codes()
    officer = user_with_role("officer")
    demand = published_demand(app, officer)
    ocid = in_request(app, ocds.demand_ocid, demand.id)
    db.session.commit()
    assert release_ids() == [f"{ocid}-tender-1"]
    proposal = answered_proposal(app, user_with_role("supplier"), demand)
    for decision in ("shortlisted", "accepted"):
        in_request(app, proposals.decide, officer, proposal, decision, "", proposal.version)
    db.session.commit()
    assert f"{ocid}-award-{proposal.id}" in release_ids()
    in_request(app, demands.close_demand, officer, demand, "awarded", "", demand.version)
    db.session.commit()
    assert sorted(release_ids()) == sorted(
        [f"{ocid}-tender-1", f"{ocid}-award-{proposal.id}", f"{ocid}-closed"]
    )


def test_an_interrupted_export_leaves_the_previous_file(tmp_path):
    from procure.opendata.commands import write_package

    target = tmp_path / "releases.json"
    assert write_package(target, {"version": "1.1"}, "releases", iter([{"id": "a"}])) == 1
    before = target.read_text()
    assert json.loads(before) == {"version": "1.1", "releases": [{"id": "a"}]}

    def failing():
        yield {"id": "b"}
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        write_package(target, {"version": "1.1"}, "releases", failing())
    assert target.read_text() == before
    assert [f.name for f in tmp_path.iterdir()] == ["releases.json"]
