"""``procure export-ocds PATH``: the OCDS release and record packages as two JSON files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command("export-ocds")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_ocds_command(path: Path):
    """Write PATH/releases.json (release package) and PATH/records.json (record package)."""
    from procure.opendata import ocds

    path.mkdir(parents=True, exist_ok=True)
    processes = ocds.processes()
    releases = sorted(
        (r for p in processes for r in p.releases), key=lambda r: (r["date"], r["id"])
    )
    records = [ocds.record(p) for p in processes]
    files = {
        "releases.json": ocds.release_package(releases, ocds.absolute("/api/v1/ocds/releases")),
        "records.json": ocds.record_package(records, ocds.absolute("/api/v1/ocds/records")),
    }
    for name, package in files.items():
        target = path / name
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)
    kinds: dict[str, int] = {}
    for process in processes:
        kind = process.ocid[len(ocds.prefix()) + 1 :].split("-", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    click.echo(f"OCDS export to {path}")
    click.echo(f"  processes (records): {len(records)}")
    for kind in ("demand", "pilot", "designation"):
        click.echo(f"    {kind + 's:':<14} {kinds.get(kind, 0)}")
    click.echo(f"  releases:            {len(releases)}")
    click.echo(f"  files:               {path / 'releases.json'}, {path / 'records.json'}")
