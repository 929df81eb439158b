"""``procure import-ocds PATH`` and ``procure import-cpv PATH``."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

SHOWN_SKIPPED = 50


@click.command("import-ocds")
@click.argument(
    "path", type=click.Path(exists=True, readable=True, path_type=Path, resolve_path=True)
)
@with_appcontext
def import_ocds_command(path: Path):
    """Import OCDS releases or records (a file or a folder of .json, .json.gz, .jsonl files)
    as published demands of verified agencies. Safe to run again: nothing is duplicated."""
    from procure.extensions import db
    from procure.imports.ocds import import_ocds

    started = time.perf_counter()

    def commit(result) -> None:
        if result.error:
            db.session.rollback()
        else:
            db.session.commit()

    try:
        report = import_ocds(path, after_file=commit)
    except Exception:
        db.session.rollback()
        raise
    elapsed = time.perf_counter() - started

    failed = report.failed
    click.echo(f"OCDS import from {path} ({elapsed:.1f} s)")
    empty = f" ({len(report.empty)} of them empty)" if report.empty else ""
    line = (
        f"  files:            {len(report.files) - len(failed)} read{empty}, {len(failed)} failed"
    )
    if report.ignored:
        line += f", {len(report.ignored)} ignored (not .json, .json.gz or .jsonl)"
    click.echo(line)
    click.echo(f"  releases read:    {report.total('releases')}")
    click.echo(f"  demands created:  {report.total('created')}")
    click.echo(f"  demands updated:  {report.total('updated')}")
    click.echo(f"  unchanged:        {report.total('unchanged')}")
    click.echo(f"  skipped:          {len(report.skipped)}")
    click.echo(f"  agencies created: {report.total('agencies_created')}")
    skipped = report.skipped
    if skipped:
        click.echo("Skipped releases:")
        for item in skipped[:SHOWN_SKIPPED]:
            click.echo(f"  {item.ocid or '(no ocid)'}: {item.reason}  [{item.file}]")
        if len(skipped) > SHOWN_SKIPPED:
            click.echo(f"  … and {len(skipped) - SHOWN_SKIPPED} more")
    if failed:
        for result in failed:
            click.echo(f"Cannot import {result.path}: {result.error}", err=True)
        raise click.ClickException(
            f"{len(failed)} file(s) could not be read as OCDS; nothing from them was imported."
        )


@click.command("import-cpv")
@click.argument(
    "path", type=click.Path(exists=True, dir_okay=False, path_type=Path, resolve_path=True)
)
@with_appcontext
def import_cpv_command(path: Path):
    """Load or refresh the CPV 2008 vocabulary from its CSV file (code, parent, name_en)."""
    from procure.classification.services import load_cpv
    from procure.extensions import db

    try:
        count = load_cpv(path)
    except (KeyError, UnicodeDecodeError, OSError) as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot read {path} as the CPV CSV: {error}") from None
    db.session.commit()
    click.echo(f"CPV vocabulary loaded: {count} codes.")
