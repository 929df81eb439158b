"""``procure import-ocds``: real OCDS data (Canada, six real-examples publishers) and edge cases."""

from __future__ import annotations

import gzip
import json
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

import factories
from procure.audit.services import count_events
from procure.extensions import db
from procure.imports.ocds import import_ocds, map_release
from procure.models import AuditEvent, ClassificationCode, Organisation
from procure.models.market import Demand, DemandCode, DemandRevision

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CANADA = DATA / "ca_buyandsell_tenders_2014.json.gz"
EXAMPLES = DATA / "ocds" / "real-examples"
COUNTRIES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []
GSIN_IN_DESCRIPTION = re.compile(r"(?:^|,\s*)([A-Z0-9]+):")

needs_data = pytest.mark.skipif(not CANADA.exists(), reason="../shared/data is not available")


def release(ocid: str, title: str | None = "Road repair", **fields) -> dict:
    tender = {"id": f"{ocid}-tender", "items": fields.pop("items", [])}
    if title is not None:
        tender["title"] = title
    tender.update(fields.pop("tender", {}))
    return {
        "ocid": ocid,
        "id": f"{ocid}-{fields.get('date', '1')}",
        "date": "2024-03-01T09:00:00+09:00",
        "tag": ["tender"],
        "buyer": {"name": "Springfield City"},
        "tender": tender,
        **fields,
    }


def package(*releases: dict) -> dict:
    return {"uri": "https://example.org/p", "publishedDate": "2024-03-02", "releases": [*releases]}


def write(path: Path, value) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def demand(ocid: str) -> Demand | None:
    return db.session.scalar(select(Demand).where(Demand.external_id == ocid))


@pytest.fixture(scope="module")
def canada_expected():
    """What the Canadian file holds, computed from the raw JSON independently of the importer."""
    releases = json.loads(gzip.decompress(CANADA.read_bytes()))["releases"]
    with_title, gsin = set(), set()
    for rel in releases:
        tender = rel.get("tender") or {}
        items = tender.get("items") or []
        if (tender.get("title") or "").strip() or any(
            (i.get("description") or "").strip() for i in items
        ):
            with_title.add(rel["ocid"])
        for item in items:
            gsin.update(
                GSIN_IN_DESCRIPTION.findall(
                    (item.get("classification") or {}).get("description") or ""
                )
            )
    return {"releases": len(releases), "ocids_with_title": len(with_title), "gsin": gsin}


@needs_data
def test_the_whole_canadian_file_is_imported(db_session, canada_expected):
    events = count_events()
    started = time.perf_counter()
    report = import_ocds(CANADA)
    elapsed = time.perf_counter() - started

    (result,) = report.files
    assert result.error is None
    assert result.releases == canada_expected["releases"] == 5513
    # every tender is imported or skipped with a reason; one demand per distinct ocid with a title
    assert result.created + result.updated + result.unchanged + len(result.skipped) == 5513
    assert all(s.reason for s in result.skipped)
    assert result.created == canada_expected["ocids_with_title"]
    assert count(Demand) >= result.created
    stored_gsin = set(
        db.session.scalars(select(DemandCode.code).where(DemandCode.scheme == "GSIN").distinct())
    )
    assert stored_gsin == canada_expected["gsin"]
    assert len(stored_gsin) > 1800

    geese = demand("PW-14-00627094")
    assert geese.title == "Canine Control of the Canada Geese (14-2015)"
    assert geese.agency.name == "Agriculture & Agrifood Canada"
    assert geese.agency.kind == "agency" and geese.agency.is_verified
    assert geese.status == "published" and geese.source == "ocds"
    assert geese.language == "en" and geese.revision == 1
    assert geese.closes_on == date(2014, 4, 15) and geese.opens_on is None
    assert geese.published_at == datetime(2014, 3, 25, tzinfo=UTC)
    assert [(c.scheme, c.code) for c in geese.codes] == [("GSIN", "F029")]
    generator = db.session.scalar(
        select(Demand).join(DemandCode).where(DemandCode.code == "N6115B").limit(1)
    )
    assert generator is not None
    # 98 buyer spellings, of which two differ only in case ("TRANSPORT CANADA")
    agencies = db.session.scalars(
        select(func.count(func.distinct(Demand.agency_id))).where(Demand.source == "ocds")
    ).one()
    assert agencies == 96

    # one audit event for the file, not one per demand
    assert count_events() == events + 1
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.action == "ocds.imported" and event.after["created"] == result.created
    assert elapsed < 45, f"the Canadian file took {elapsed:.1f} s"


@needs_data
@pytest.mark.parametrize("country", COUNTRIES)
def test_every_real_example_folder_loads(db_session, country):
    report = import_ocds(EXAMPLES / country)
    assert report.files and not report.failed, [f.error for f in report.failed]
    for result in report.files:
        done = result.created + result.updated + result.unchanged + len(result.skipped)
        assert done == result.releases, result.path
    assert all(s.reason for s in report.skipped)
    assert report.total("created") > 0
    imported = db.session.scalars(select(Demand).where(Demand.source == "ocds")).all()
    assert len(imported) == report.total("created")
    assert all(d.title and d.problem and d.agency.is_verified for d in imported)
    assert all(d.status in {"published", "closed"} for d in imported)


@needs_data
def test_a_second_run_creates_nothing(db_session, tmp_path):
    sample = json.loads(gzip.decompress(CANADA.read_bytes()))
    sample["releases"] = sample["releases"][:300]
    small = write(tmp_path / "canada-sample.json", sample)
    for path in (small, EXAMPLES):
        first = import_ocds(path)
        demands, codes, revisions = count(Demand), count(DemandCode), count(DemandRevision)
        second = import_ocds(path)
        assert second.total("created") == 0 and second.total("updated") == 0
        assert second.total("unchanged") == (
            first.total("created") + first.total("updated") + first.total("unchanged")
        )
        assert len(second.skipped) == len(first.skipped)
        after = (count(Demand), count(DemandCode), count(DemandRevision))
        assert after == (demands, codes, revisions)


def test_a_later_release_updates_the_same_demand(db_session, tmp_path):
    first = release("ocds-x-1", "Road repair", date="2024-03-01T00:00:00Z")
    later = release(
        "ocds-x-1",
        "Road repair, lot 2",
        date="2024-04-01T00:00:00Z",
        tender={"status": "complete"},
    )
    # the later release first: the earlier one must not overwrite it
    report = import_ocds(write(tmp_path / "p.json", package(later, first)))
    assert (report.total("created"), report.total("unchanged")) == (1, 1)
    assert demand("ocds-x-1").title == "Road repair, lot 2"

    report = import_ocds(write(tmp_path / "a.json", package(release("ocds-x-2", "Bridge"))))
    changed = release("ocds-x-2", "Bridge over the river", date="2024-05-01T00:00:00+00:00")
    report = import_ocds(write(tmp_path / "b.json", package(changed)))
    assert report.total("updated") == 1
    bridge = demand("ocds-x-2")
    assert bridge.title == "Bridge over the river" and bridge.revision == 2
    assert [r.revision for r in bridge.revisions] == [1, 2]
    assert count(Demand) == 2


def test_a_release_without_a_title_is_skipped_and_the_rest_imported(db_session, tmp_path):
    untitled = release("ocds-t-2", None, items=[{"id": "1", "quantity": 3}])
    path = write(
        tmp_path / "p.json", package(release("ocds-t-1"), untitled, release("ocds-t-3", "Bus"))
    )
    report = import_ocds(path)
    assert report.total("created") == 2
    (skipped,) = report.skipped
    assert skipped.ocid == "ocds-t-2" and "no tender title" in skipped.reason
    assert demand("ocds-t-2") is None and demand("ocds-t-3") is not None


def test_releases_under_our_own_ocid_prefix_are_not_imported_back(app, db_session, tmp_path):
    own = app.config["SETTINGS"].ocds_prefix  # "ocds-procure" unless configured
    ours = release(f"{own}-demand-7", "Patrol drones")
    lookalike = release(f"{own}ment-1", "Road repair")  # same start, another publisher
    path = write(tmp_path / "ours.json", package(ours, lookalike))
    report = import_ocds(path)
    assert report.total("created") == 1
    (skipped,) = report.skipped
    assert skipped.ocid == f"{own}-demand-7" and "own ocid prefix" in skipped.reason
    assert demand(f"{own}-demand-7") is None and demand(f"{own}ment-1") is not None


def _truncated_gzip(path: Path) -> Path:
    data = gzip.compress(json.dumps(package(release("ocds-b-1"), release("ocds-b-2"))).encode())
    path.write_bytes(data[: len(data) // 2])
    return path


BROKEN = {
    "truncated.json.gz": (_truncated_gzip, "gzip"),
    "invalid.json": (lambda p: p.write_text('{"releases": [{"ocid": "ocds-b-1",') and p, "JSON"),
    "lines.jsonl": (
        lambda p: p.write_text(json.dumps(release("ocds-b-1")) + "\n{oops\n") and p,
        "line 2",
    ),
    "other.json": (lambda p: write(p, {"type": "FeatureCollection"}), "not OCDS"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_an_error_and_nothing_is_committed(app, db_session, tmp_path, name):
    make, message = BROKEN[name]
    path = make(tmp_path / name)
    demands, organisations, events = count(Demand), count(Organisation), count_events()

    report = import_ocds(path)
    (result,) = report.failed
    assert message in result.error

    result = app.test_cli_runner().invoke(args=["import-ocds", str(path)])
    assert result.exit_code != 0
    assert message in result.output and "nothing from them was imported" in result.output
    assert (count(Demand), count(Organisation), count_events()) == (demands, organisations, events)


def test_a_broken_file_in_a_folder_does_not_stop_the_others(app, db_session, tmp_path):
    write(tmp_path / "a-good.json", package(release("ocds-f-1")))
    _truncated_gzip(tmp_path / "b-broken.json.gz")
    (tmp_path / "c-empty.json").write_text("")
    (tmp_path / "notes.txt").write_text("not OCDS")
    result = app.test_cli_runner().invoke(args=["import-ocds", str(tmp_path)])
    assert result.exit_code == 1
    assert "2 read (1 of them empty), 1 failed, 1 ignored" in result.output
    assert "b-broken.json.gz" in result.output
    assert demand("ocds-f-1") is not None


def test_the_command_prints_a_summary_and_the_skipped_releases(app, db_session, tmp_path):
    releases = [release(f"ocds-c-{n}") for n in range(3)]
    releases += [release(f"ocds-s-{n}", None) for n in range(55)]
    path = write(tmp_path / "p.json", package(*releases))
    result = app.test_cli_runner().invoke(args=["import-ocds", str(path)])
    assert result.exit_code == 0, result.output
    assert "releases read:    58" in result.output
    assert "demands created:  3" in result.output
    assert "skipped:          55" in result.output
    assert "ocds-s-0: no tender title and no item description" in result.output
    assert "… and 5 more" in result.output
    again = app.test_cli_runner().invoke(args=["import-ocds", str(path)])
    assert "demands created:  0" in again.output and "unchanged:        3" in again.output


@pytest.mark.parametrize(
    "shape",
    ["single release", "list", "json lines", "record package", "record", "releases", "gzip"],
)
def test_every_file_shape_is_read(db_session, tmp_path, shape):
    one, two = release("ocds-r-1", "Drone"), release("ocds-r-2", "Boat")
    path = tmp_path / "data.json"
    if shape == "single release":
        write(path, one)
    elif shape == "list":
        write(path, [one, two])
    elif shape == "json lines":
        path = tmp_path / "data.jsonl"
        path.write_text(json.dumps(one) + "\n\n" + json.dumps(two) + "\n")
    elif shape == "record package":
        write(
            path,
            {
                "records": [
                    {"ocid": "ocds-r-1", "releases": [one], "compiledRelease": one},
                    {"ocid": "ocds-r-2", "releases": [{"url": "https://x/2", "date": "2024"}]},
                ]
            },
        )
    elif shape == "record":
        write(path, {"ocid": "ocds-r-1", "releases": [one], "compiledRelease": one})
    elif shape == "releases":  # a record without compiledRelease: its releases are merged
        amendment = {"ocid": "ocds-r-1", "id": "2", "date": "2024-03-05T00:00:00Z"}
        amendment["tender"] = {"tenderPeriod": {"endDate": "2024-04-30"}}
        write(path, {"ocid": "ocds-r-1", "releases": [amendment, one]})
    else:
        path = tmp_path / "data.json.gz"
        path.write_bytes(gzip.compress(json.dumps(package(one, two)).encode()))
    report = import_ocds(path)
    assert not report.failed
    assert demand("ocds-r-1").title == "Drone"
    if shape == "record package":
        assert "only links" in report.skipped[0].reason
    if shape == "releases":
        assert demand("ocds-r-1").closes_on == date(2024, 4, 30)


def test_korean_text_codes_money_and_existing_agencies(db_session, tmp_path):
    agency = factories.OrganisationFactory(name="서울특별시", name_en="Seoul")
    korean = release(
        "ocds-k-1",
        "스마트 횡단보도",
        buyer={"name": "서울특별시"},
        items=[
            {
                "id": "1",
                "description": "보행 신호 연동 장치",
                "quantity": 12,
                "unit": {"name": "대"},
                "classification": {"scheme": "CPV", "id": "34996000-5"},
                "additionalClassifications": [{"scheme": "unspsc", "id": " 46171600"}],
            }
        ],
        tender={
            "value": {"amount": 150000000, "currency": "KRW"},
            "tenderPeriod": {"startDate": "2024-03-04T09:00:00+09:00", "endDate": "2024-03-29"},
        },
    )
    english = release(
        "ocds-k-2",
        "Water pumps",
        language="en",
        parties=[{"id": "p1", "name": "Seoul", "roles": ["buyer"]}],
        buyer={"id": "p1"},
        tender={"value": {"amount": 1234.5, "currency": "USD"}, "status": "cancelled"},
        items=[{"id": "1", "classification": {"scheme": "CPV", "id": "42122000"}}],
    )
    report = import_ocds(write(tmp_path / "k.json", package(korean, english)))
    assert report.total("created") == 2 and report.total("agencies_created") == 0

    walk = demand("ocds-k-1")
    assert walk.agency_id == agency.id and walk.language == "ko"
    assert walk.budget == 150_000_000 and walk.quantity == 12
    assert "- 보행 신호 연동 장치 — 12 대" in walk.problem
    assert (walk.opens_on, walk.closes_on) == (date(2024, 3, 4), date(2024, 3, 29))
    assert sorted((c.scheme, c.code) for c in walk.codes) == [
        ("CPV", "34996000"),
        ("UNSPSC", "46171600"),
    ]
    pumps = demand("ocds-k-2")
    assert pumps.agency_id == agency.id and pumps.language == "en" and pumps.budget is None
    assert "1,234.50 USD" in pumps.desired_outcome
    assert (pumps.status, pumps.outcome) == ("closed", "withdrawn")
    assert pumps.code_values == ["42122000"]


def test_mapping_refuses_what_is_not_a_tender():
    with pytest.raises(Exception, match="no tender"):
        map_release({"ocid": "ocds-a-1", "date": "2024-01-01", "awards": [{"id": "1"}]})
    with pytest.raises(Exception, match="no buyer"):
        map_release({"ocid": "ocds-a-2", "date": "2024-01-01", "tender": {"title": "X"}})
    with pytest.raises(Exception, match="release date"):
        map_release(release("ocds-a-3", date="soon"))


@needs_data
def test_import_cpv_loads_the_vocabulary(app, db_session):
    result = app.test_cli_runner().invoke(args=["import-cpv", str(DATA / "cpv2008_en.csv")])
    assert result.exit_code == 0, result.output
    assert "9454 codes" in result.output
    assert count(ClassificationCode) >= 9454
