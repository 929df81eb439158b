"""``procure export-ocds PATH``: the OCDS release and record packages as two JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import click
from flask.cli import with_appcontext


def write_package(target: Path, meta: dict, field: str, items: Iterable[dict]) -> int:
    """Write a package to ``target`` one item per line as the items come, so the whole market
    never sits in memory; the file is replaced only once it is complete. Returns the count."""
    tmp = target.with_suffix(".json.tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as out:
            out.write("{\n")
            for key, value in meta.items():
                out.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
            out.write(f" {json.dumps(field)}: [")
            for item in items:
                out.write(",\n  " if count else "\n  ")
                out.write(json.dumps(item, ensure_ascii=False))
                count += 1
            out.write("\n ]\n}\n" if count else "]\n}\n")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return count


@click.command("export-ocds")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_ocds_command(path: Path):
    """Write PATH/releases.json (release package) and PATH/records.json (record package)."""
    from procure.opendata import ocds

    path.mkdir(parents=True, exist_ok=True)
    index = ocds.release_index()
    releases = write_package(
        path / "releases.json",
        ocds.package_meta(ocds.absolute("/api/v1/ocds/releases"), (e.date for e in index.releases)),
        "releases",
        ocds.releases_of(index.releases),
    )
    records = write_package(
        path / "records.json",
        ocds.package_meta(ocds.absolute("/api/v1/ocds/records"), (k[2] for k in index.processes)),
        "records",
        ocds.records_of(index.processes),
    )
    kinds: dict[str, int] = {}
    for kind, _id, _date in index.processes:
        kinds[kind] = kinds.get(kind, 0) + 1
    click.echo(f"OCDS export to {path}")
    click.echo(f"  processes (records): {records}")
    for kind in ocds.KINDS:
        click.echo(f"    {kind + 's:':<14} {kinds.get(kind, 0)}")
    click.echo(f"  releases:            {releases}")
    click.echo(f"  files:               {path / 'releases.json'}, {path / 'records.json'}")
