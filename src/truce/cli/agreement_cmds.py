"""`truce agreement check|show|schema|zones|diff`: terms files as data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import shapely
import typer

from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.diff import changes_json, changes_table, diff
from truce.agreement.loader import load_agreement
from truce.agreement.resolve import resolve
from truce.agreement.schema import agreement_json_schema
from truce.assess.zones import agreement_zones
from truce.cli.main import app
from truce.cli.output import console, print_json, print_table
from truce.errors import UserError
from truce.geo.control import load_bundled

__all__ = ["agreement_file", "parse_overrides"]

agreement_app = typer.Typer(
    help="Agreement terms files: validate, show, diff, draw zones.", no_args_is_help=True
)
app.add_typer(agreement_app, name="agreement")

FILE_HELP = "A terms file (YAML), or the id of a bundled agreement such as ukraine-framework-2025."


def agreement_file(name: str) -> Path:
    """A path as given, or a bundled agreement's file by id."""
    path = Path(name)
    return path if path.exists() or path.suffix in (".yaml", ".yml") else bundled_agreement_path(name)


@agreement_app.command("check")
def check(file: str = typer.Argument(..., help=FILE_HELP)) -> None:
    """Validate a terms file against the schema; errors are one line, FILE:LINE: what is wrong."""
    agreement = load_agreement(agreement_file(file))
    console.print(f"ok: {agreement.id} {agreement.version}, {len(agreement.provisions)} provisions")


@agreement_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of terms files."""
    print_json(agreement_json_schema())


@agreement_app.command("show")
def show(
    file: str = typer.Argument(..., help=FILE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the agreement as JSON."),
) -> None:
    """List an agreement's parties, parameters and provisions."""
    agreement = load_agreement(agreement_file(file))
    if as_json:
        print_json(agreement.model_dump(mode="json"))
        return
    console.print(f"[bold]{agreement.title}[/bold] ({agreement.id} {agreement.version})")
    console.print(
        f"effective {agreement.effective.isoformat()} ({agreement.timezone}); parties "
        f"{', '.join(p.id for p in agreement.parties)}; line from the control snapshot of "
        f"{agreement.reference.control_snapshot}"
    )
    for name, entry in agreement.parameters.items():
        console.print(f"parameter {name} = {getattr(entry, 'value', entry)}")
    print_table(
        "provisions",
        ["id", "kind", "title", "text"],
        ([p.id, p.kind, p.title, p.text[:120]] for p in agreement.provisions),
    )


@agreement_app.command("diff")
def diff_cmd(
    a: str = typer.Argument(..., help="The earlier draft."),
    b: str = typer.Argument(..., help="The later draft."),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
) -> None:
    """What changed between two drafts."""
    changes = diff(load_agreement(agreement_file(a)), load_agreement(agreement_file(b)))
    if as_json:
        print_json(changes_json(changes))
    else:
        console.print(changes_table(changes, title=f"{len(changes)} changes from {a} to {b}"))


@agreement_app.command("zones")
def zones(
    file: str = typer.Argument(..., help=FILE_HELP),
    date: str = typer.Option(
        None,
        "--date",
        help="Draw from the bundled snapshot of this date (default: the agreement's reference snapshot).",
    ),
    what_if: list[str] = typer.Option([], "--what-if", help="PARAM=VALUE or PROVISION.FIELD=VALUE."),
    fmt: str = typer.Option("geojson", "--format", help="Only geojson for now."),
    output: Path = typer.Option(None, "--output", "-o", help="Write here instead of stdout."),
) -> None:
    """Write the agreement's zones as GeoJSON."""
    if fmt != "geojson":
        raise UserError(None, None, f"--format: expected geojson, got {fmt!r}")
    agreement = resolve(load_agreement(agreement_file(file)), parse_overrides(what_if))
    if date:
        agreement = agreement.model_copy(
            update={
                "reference": agreement.reference.model_copy(
                    update={"control_snapshot": dt.date.fromisoformat(date)}
                )
            }
        )
    features = [_feature(rz) for rz in agreement_zones(agreement, _bundled_on_or_before)]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {len(features)} zones to {output}")
    else:
        typer.echo(text)


def _bundled_on_or_before(day: dt.date) -> object:
    try:
        return load_bundled(day, on_or_before=True)
    except LookupError:
        return None


def _feature(rz: object) -> dict:
    zone = rz.zone
    return {
        "type": "Feature",
        "id": zone.id,
        "properties": {
            "id": zone.id,
            "name": zone.name,
            "party": zone.party,
            "provision": rz.provision_id,
            "classes": list(rz.classes),
            "distance_km": rz.distance_km,
            **zone.metadata(),
        },
        "geometry": json.loads(shapely.to_geojson(shapely.set_precision(zone.geometry, 1e-6))),
    }


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(None, None, f"--what-if: expected NAME=VALUE, got {pair!r}")
        result[key.strip()] = value.strip()
    return result
