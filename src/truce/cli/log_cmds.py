"""`truce log checkpoint|prove|export|verify` and `truce verify`: the public, verifiable record."""

from __future__ import annotations

import base64
from pathlib import Path

import typer

from truce.cli.main import app, state
from truce.cli.output import console, err_console, print_json
from truce.errors import UserError
from truce.publish.ledger import log_store, mission_key, publish, verify_workspace
from truce.publish.log import verify_bundle
from truce.store import open_workspace

__all__ = ["verify"]

log_app = typer.Typer(
    help="The tamper-evident log of findings, decisions and report digests.", no_args_is_help=True
)
app.add_typer(log_app, name="log")


@log_app.command("checkpoint")
def checkpoint(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Publish what is not in the log yet and sign a checkpoint with the mission key."""
    result = publish(open_workspace(state["db"]))
    if as_json:
        print_json({"appended": result.appended, "size": result.size, "checkpoint": result.checkpoint})
    else:
        console.print(f"appended {result.appended} entries; tree size {result.size}")
        typer.echo(result.checkpoint, nl=False)


@log_app.command("key")
def key(
    output: Path = typer.Option(None, "--output", "-o", help="Write the public key to this file."),
) -> None:
    """Print (or write) the mission's public key: what parties and the public verify checkpoints with."""
    vkey = mission_key(open_workspace(state["db"])).vkey
    if output:
        output.write_text(vkey + "\n", encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        typer.echo(vkey)


@log_app.command("prove")
def prove(
    entry_id: str = typer.Argument(..., help="The log entry id (see `truce log export`)."),
    size: int = typer.Option(None, "--size", help="Prove against this tree size (default: the latest)."),
) -> None:
    """Print an inclusion proof of one entry (JSON), checked before it is printed."""
    proof = log_store(open_workspace(state["db"])).inclusion_proof(entry_id, size)
    proof.verify()
    print_json(proof.to_json())


@log_app.command("export")
def export(bundle: Path = typer.Argument(..., help="The bundle file to write (JSON).")) -> None:
    """Write a self-contained bundle: entries, checkpoints, proofs and the mission's public key."""
    workspace = open_workspace(state["db"])
    path = log_store(workspace).export_bundle(bundle, vkeys=[mission_key(workspace).vkey])
    console.print(f"wrote {path}")


@log_app.command("verify")
def verify_bundle_cmd(
    bundle: Path = typer.Argument(..., help="A bundle from `truce log export`."),
    trusted_key: Path = typer.Option(
        ..., "--trusted-key", help="The mission's public key file (its vkey line)."
    ),
    witness_key: list[Path] = typer.Option([], "--witness-key", help="Witness public keys to report on."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check a bundle offline: no database, no network; only the keys you trust."""
    report = verify_bundle(bundle, _vkey(trusted_key), [_vkey(p) for p in witness_key])
    if as_json:
        print_json(
            {
                "origin": report.origin,
                "size": report.size,
                "root": base64.b64encode(report.root).decode(),
                "entries": report.entries,
                "checkpoints": report.checkpoints,
                "cosigned_by": report.cosigned_by,
            }
        )
    else:
        console.print(
            f"ok: {report.entries} entries, {report.checkpoints} checkpoints, tree size {report.size}"
        )


def _vkey(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise UserError(str(path), None, f"cannot read the key: {error.strerror}") from None


@app.command()
def verify() -> None:
    """Re-hash the live store against the log; name the first record that no longer matches."""
    problem = verify_workspace(open_workspace(state["db"]))
    if problem:
        err_console.print(f"[bold red]tampered[/bold red]: {problem}")
        raise typer.Exit(1)
    console.print("ok: every stored report, finding and log entry matches the log")
